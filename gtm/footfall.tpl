___TERMS_OF_SERVICE___

By creating or modifying this file you agree to Google Tag Manager's Community
Template Gallery Developer Terms of Service available at
https://developers.google.com/tag-manager/gallery-tos (or such other URL as
Google may provide), as modified from time to time.


___INFO___

{
  "type": "TAG",
  "id": "cvt_temp_public_id",
  "version": 1,
  "securityGroups": [],
  "displayName": "footfall",
  "categories": [
    "ANALYTICS"
  ],
  "brand": {
    "id": "brand_dummy",
    "displayName": "footfall"
  },
  "description": "Installs footfall, the WebAssembly analytics SDK: batched events to your Segment-compatible collector, dataLayer events forwarded, automatic events (scroll depth, rage clicks, exit intent) pushed back for your triggers.",
  "containerContexts": [
    "WEB"
  ]
}


___TEMPLATE_PARAMETERS___

[
  {
    "type": "TEXT",
    "name": "endpoint",
    "displayName": "Collector endpoint",
    "simpleValueType": true,
    "help": "The URL footfall POSTs batches to, e.g. https://collect.example.com/v1/batch (a Segment-compatible collector).",
    "valueValidators": [
      {
        "type": "NON_EMPTY"
      }
    ]
  },
  {
    "type": "TEXT",
    "name": "writeKey",
    "displayName": "Write key",
    "simpleValueType": true,
    "help": "Sent in every request body as writeKey. Optional."
  },
  {
    "type": "TEXT",
    "name": "loaderUrl",
    "displayName": "Loader URL",
    "simpleValueType": true,
    "defaultValue": "https://cdn.jsdelivr.net/npm/footfall-analytics@0.1.0/dist/footfall.js",
    "help": "Where footfall.js is served; the wasm is fetched next to it. To self-host, also add your URL to this template's 'Injects scripts' permission.",
    "valueValidators": [
      {
        "type": "NON_EMPTY"
      }
    ]
  },
  {
    "type": "SELECT",
    "name": "consentMode",
    "displayName": "Consent mode",
    "macrosInSelect": false,
    "selectItems": [
      {
        "value": "opt-out",
        "displayValue": "Opt-out: track until the visitor declines"
      },
      {
        "value": "opt-in",
        "displayValue": "Opt-in: track only once the visitor accepts"
      }
    ],
    "simpleValueType": true,
    "defaultValue": "opt-out"
  },
  {
    "type": "GROUP",
    "name": "dataLayerGroup",
    "displayName": "dataLayer",
    "groupStyle": "ZIPPY_OPEN",
    "subParams": [
      {
        "type": "TEXT",
        "name": "dataLayerName",
        "displayName": "dataLayer name",
        "simpleValueType": true,
        "defaultValue": "dataLayer",
        "help": "The container's dataLayer variable."
      },
      {
        "type": "CHECKBOX",
        "name": "forward",
        "checkboxText": "Forward dataLayer events to footfall",
        "simpleValueType": true,
        "defaultValue": true,
        "help": "Pushes with an event key become footfall events (the other keys are their properties), except gtm.* and footfall.*. Pushes made before footfall loaded are forwarded once."
      },
      {
        "type": "TEXT",
        "name": "allow",
        "displayName": "Forward only these events",
        "simpleValueType": true,
        "defaultValue": "",
        "help": "Comma-separated event names; a trailing * matches a prefix (checkout_*). Empty: every event."
      },
      {
        "type": "TEXT",
        "name": "deny",
        "displayName": "Never forward these events",
        "simpleValueType": true,
        "defaultValue": "",
        "help": "Comma-separated event names; a trailing * matches a prefix."
      },
      {
        "type": "CHECKBOX",
        "name": "mirror",
        "checkboxText": "Push footfall's automatic events to the dataLayer",
        "simpleValueType": true,
        "defaultValue": true,
        "help": "As { event: 'footfall.<name>', ...properties }: footfall.page_view, footfall.scroll_depth, footfall.rage_click, footfall.exit_intent, ... Use them in Custom Event triggers."
      },
      {
        "type": "CHECKBOX",
        "name": "ecommerce",
        "checkboxText": "Send GA4 ecommerce events as Segment Ecommerce events",
        "simpleValueType": true,
        "defaultValue": false,
        "help": "view_item, add_to_cart, remove_from_cart, begin_checkout, add_payment_info, purchase and refund pushes become Product Viewed, Product Added, ..., Order Completed and Order Refunded, numbers as pushed; a purchase is sent once per transaction_id from a browser. They are then not forwarded as they are."
      }
    ]
  },
  {
    "type": "GROUP",
    "name": "autocaptureGroup",
    "displayName": "Automatic events",
    "groupStyle": "ZIPPY_CLOSED",
    "subParams": [
      {
        "type": "CHECKBOX",
        "name": "pageViews",
        "checkboxText": "Page views",
        "simpleValueType": true,
        "defaultValue": true
      },
      {
        "type": "CHECKBOX",
        "name": "history",
        "checkboxText": "Single-page app route changes",
        "simpleValueType": true,
        "defaultValue": true
      },
      {
        "type": "CHECKBOX",
        "name": "scrollDepth",
        "checkboxText": "Scroll depth",
        "simpleValueType": true,
        "defaultValue": true
      },
      {
        "type": "CHECKBOX",
        "name": "rageClick",
        "checkboxText": "Rage clicks",
        "simpleValueType": true,
        "defaultValue": true
      },
      {
        "type": "CHECKBOX",
        "name": "exitIntent",
        "checkboxText": "Exit intent",
        "simpleValueType": true,
        "defaultValue": true
      },
      {
        "type": "CHECKBOX",
        "name": "pageLeave",
        "checkboxText": "Page leave (engaged time)",
        "simpleValueType": true,
        "defaultValue": true
      },
      {
        "type": "CHECKBOX",
        "name": "clicks",
        "checkboxText": "Clicks on elements with data-ff-event",
        "simpleValueType": true,
        "defaultValue": true
      }
    ]
  },
  {
    "type": "CHECKBOX",
    "name": "debug",
    "checkboxText": "Debug: explain dropped events and failures in the console",
    "simpleValueType": true,
    "defaultValue": false
  }
]


___SANDBOXED_JS_FOR_WEB_TEMPLATE___

// footfall for Google Tag Manager: sets window.footfallSettings from the
// fields above and injects the loader, which reads them. Fire this tag once
// per page (Initialization - All Pages, or All Pages).
const injectScript = require('injectScript');
const setInWindow = require('setInWindow');
const logToConsole = require('logToConsole');

const list = (text) => {
  const names = [];
  (text || '').split(',').forEach((name) => {
    const trimmed = name.trim();
    if (trimmed) names.push(trimmed);
  });
  return names;
};

const settings = {
  endpoint: data.endpoint,
  consent: { mode: data.consentMode || 'opt-out' },
  autocapture: {
    pageViews: data.pageViews,
    history: data.history,
    scrollDepth: data.scrollDepth,
    rageClick: data.rageClick,
    exitIntent: data.exitIntent,
    pageLeave: data.pageLeave,
    clicks: data.clicks,
  },
  dataLayer: {
    name: data.dataLayerName || 'dataLayer',
    forward: data.forward ? { allow: list(data.allow), deny: list(data.deny) } : false,
    mirror: data.mirror,
    ecommerce: data.ecommerce === true,
  },
  debug: data.debug,
};
if (data.writeKey) settings.writeKey = data.writeKey;

setInWindow('footfallSettings', settings, true);
if (data.debug) logToConsole('footfall: loading', data.loaderUrl, settings);
injectScript(data.loaderUrl, data.gtmOnSuccess, data.gtmOnFailure, 'footfall');


___WEB_PERMISSIONS___

[
  {
    "instance": {
      "key": {
        "publicId": "logging",
        "versionId": "1"
      },
      "param": [
        {
          "key": "environments",
          "value": {
            "type": 1,
            "string": "debug"
          }
        }
      ]
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "access_globals",
        "versionId": "1"
      },
      "param": [
        {
          "key": "keys",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 3,
                "mapKey": [
                  {
                    "type": 1,
                    "string": "key"
                  },
                  {
                    "type": 1,
                    "string": "read"
                  },
                  {
                    "type": 1,
                    "string": "write"
                  },
                  {
                    "type": 1,
                    "string": "execute"
                  }
                ],
                "mapValue": [
                  {
                    "type": 1,
                    "string": "footfallSettings"
                  },
                  {
                    "type": 8,
                    "boolean": false
                  },
                  {
                    "type": 8,
                    "boolean": true
                  },
                  {
                    "type": 8,
                    "boolean": false
                  }
                ]
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  },
  {
    "instance": {
      "key": {
        "publicId": "inject_script",
        "versionId": "1"
      },
      "param": [
        {
          "key": "urls",
          "value": {
            "type": 2,
            "listItem": [
              {
                "type": 1,
                "string": "https://cdn.jsdelivr.net/npm/footfall-analytics@0.1.0/dist/footfall.js"
              },
              {
                "type": 1,
                "string": "https://unpkg.com/footfall-analytics@0.1.0/dist/footfall.js"
              }
            ]
          }
        }
      ]
    },
    "clientAnnotations": {
      "isEditedByUser": true
    },
    "isRequired": true
  }
]


___TESTS___

scenarios:
- name: Sets the settings and injects the loader
  code: |-
    mock('injectScript', (url, onSuccess, onFailure, cacheToken) => {
      assertThat(url).isEqualTo(mockData.loaderUrl);
      assertThat(cacheToken).isEqualTo('footfall');
      onSuccess();
    });
    mock('setInWindow', (key, value, overrideExisting) => {
      assertThat(key).isEqualTo('footfallSettings');
      assertThat(value.endpoint).isEqualTo('https://collect.example.com/v1/batch');
      assertThat(value.dataLayer.forward.allow).isEqualTo(['purchase', 'checkout_*']);
      assertThat(value.consent.mode).isEqualTo('opt-in');
      return true;
    });
    runCode(mockData);
    assertApi('gtmOnSuccess').wasCalled();
    assertApi('gtmOnFailure').wasNotCalled();
- name: Reports a loader that fails to load
  code: |-
    mock('injectScript', (url, onSuccess, onFailure) => onFailure());
    runCode(mockData);
    assertApi('gtmOnFailure').wasCalled();
setup: |-
  const mockData = {
    endpoint: 'https://collect.example.com/v1/batch',
    writeKey: 'WK',
    loaderUrl: 'https://cdn.jsdelivr.net/npm/footfall-analytics@0.1.0/dist/footfall.js',
    consentMode: 'opt-in',
    dataLayerName: 'dataLayer',
    forward: true,
    allow: 'purchase, checkout_*',
    deny: '',
    mirror: true,
    pageViews: true, history: true, scrollDepth: true, rageClick: true, exitIntent: true, pageLeave: true, clicks: true,
    debug: false
  };


___NOTES___

footfall's GTM template. Import it in Templates > Tag Templates > New > Import.
Source: gtm/footfall.tpl in the footfall package.
