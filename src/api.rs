//! The JavaScript surface: `start` (wrapped as `init` by the shim) and the
//! `Client`. The only module with `#[wasm_bindgen]` items.
//!
//! Only `start` can fail, with a clear message. Every tracking method checks
//! the JavaScript types of its arguments, counts and drops what is wrong, and
//! never throws.

use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser::driver::Driver;
use crate::browser::environment::prop;
use crate::core::config::{AutocaptureOptions, Config, Options};
use crate::core::consent::{Choice, Reach};
use crate::core::datalayer::DataLayerOptions;
use crate::core::engine::{CallOptions, Input, Invalid};
use crate::core::envelope::PagePatch;
use crate::core::time::WallMs;

#[wasm_bindgen(inline_js = "const J = JSON, S = J.stringify, P = J.parse;
export function stringify(v) { try { return S.call(J, v); } catch (e) { return null; } }
export function parse(t) { try { return P.call(J, t); } catch (e) { return null; } }")]
extern "C" {
    /// `JSON.stringify(value)` as captured at load: a string, `undefined`
    /// (functions, symbols), or `null` when it threw (cycles, BigInt, a
    /// throwing `toJSON` or getter).
    fn stringify(value: &JsValue) -> JsValue;

    /// `JSON.parse(text)` as captured at load (`null` when it threw).
    fn parse(text: &str) -> JsValue;
}

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** Options for `init`. Only `endpoint` is required. */
export interface FootfallOptions {
  /** Collector URL: `https://...`, `http://...` or a path starting with `/`. */
  endpoint: string;
  /** Sent in every request body as `writeKey`. */
  writeKey?: string;
  /** Queued events that trigger a send. Default 20. */
  flushAt?: number;
  /** Longest wait before queued events are sent, in ms. Default 3000. */
  flushIntervalMs?: number;
  /** Largest request body in bytes. Default 48000 (kept under the 64 KiB beacon limit). */
  maxBatchBytes?: number;
  /** Most events held in memory and storage. Default 1000. */
  maxQueueEvents?: number;
  /** Minutes of inactivity after which a session ends (1 to 1440). Default 30. */
  sessionTimeoutMin?: number;
  /** Attribution settings. */
  attribution?: FootfallAttributionOptions;
  /** Consent: mode, defaults, browser signals, policy version. */
  consent?: FootfallConsentOptions;
  /** Privacy settings. */
  privacy?: FootfallPrivacyOptions;
  /**
   * Google Tag Manager's dataLayer: `true` forwards pushes and mirrors
   * automatic events on `window.dataLayer`; or settings. Default off.
   */
  dataLayer?: boolean | FootfallDataLayerOptions;
  /** `gzip`: fetch bodies compressed by the browser (`CompressionStream`) and announced by `compression=gzip` in the URL; the collector must gunzip them. Default `none`. */
  compression?: 'gzip' | 'none';
  /** Log dropped input and failed sends to the console. Default false. */
  debug?: boolean;
  /**
   * Automatic events: `false` turns every one off; in an object, each member
   * is on unless set to `false` (an object of settings turns it on).
   */
  autocapture?: boolean | FootfallAutocapture;
}

/** Automatic events (all on by default). */
export interface FootfallAutocapture {
  /** A `page` event on load and on each route change. Default true. */
  pageViews?: boolean;
  /** Route changes of single-page apps (pushState, replaceState to another path, popstate) start page views. Default true. */
  history?: boolean | {
    /** Fragment (`#...`) changes count as route changes too. Default false. */
    hashChange?: boolean;
  };
  /** `scroll_depth` events. Default true. */
  scrollDepth?: boolean | {
    /** Percentages to report. Default [25, 50, 75, 90, 100]. */
    milestones?: number[];
    /** Report every milestone on load for a page no taller than the viewport. Default false. */
    shortPages?: boolean;
  };
  /** `rage_click` events. Default true. */
  rageClick?: boolean | {
    /** Clicks that make a rage click; 0 or 1 turn it off. Default 3. */
    clicks?: number;
    /** Window from the burst's first click, in ms. Default 1000. */
    windowMs?: number;
    /** Distance from the burst's first click, in CSS pixels. Default 30. */
    radiusPx?: number;
  };
  /** `exit_intent` events and `onExitIntent` callbacks. Default true. */
  exitIntent?: boolean | {
    /** Least time on the page view first, in ms. Default 2000. */
    minDwellMs?: number;
    /** Least time between two exit intents (across page views), in ms. Default 0: once per page view. */
    cooldownMs?: number;
    /** On touch devices, a fast scroll up into the first screen or the page going hidden. Default true. */
    touch?: boolean;
  };
  /** `page_leave` events with engaged time. Default true. */
  pageLeave?: boolean;
  /** Clicks on elements with `data-ff-event="name"` send that event with their `data-ff-prop-*` attributes. Default true. */
  clicks?: boolean;
}

/** What `onExitIntent` callbacks receive. */
export interface FootfallExitIntent {
  /** Time on the page view, in ms. */
  dwellMs: number;
  /** Deepest percent of the page seen. */
  maxScrollPercent: number;
}

/** Google Tag Manager settings: the dataLayer bridge and Consent Mode. */
export interface FootfallDataLayerOptions {
  /** Name of the dataLayer array. Default `dataLayer`. */
  name?: string;
  /** Push Google Consent Mode v2 `default` and `update` commands. Default false. */
  consentMode?: boolean;
  /**
   * Pushes with an `event` key become `trackEvent(event, otherKeys)`, except
   * `gtm.*` and `footfall.*`; entries pushed before footfall loaded are
   * forwarded once. `{ allow, deny }` turns it on with filtered names (a
   * trailing `*` matches a prefix). Default false (`dataLayer: true`: on).
   */
  forward?: boolean | { allow?: string[]; deny?: string[] };
  /** Automatic events are pushed as `{ event: 'footfall.<name>', ...properties }`. Default false (`dataLayer: true`: on). */
  mirror?: boolean;
}

/** The page a call was made on (`context.page` of the Segment Spec). */
export interface FootfallPage {
  url?: string;
  path?: string;
  search?: string;
  title?: string;
  referrer?: string;
}

/**
 * Segment's per-call options: the argument after the properties.
 * Other Segment options (`integrations`, ...) are accepted and ignored.
 */
export interface FootfallCallOptions {
  /** When the call happened: a `Date`, epoch milliseconds or an ISO-8601 string. Default now. */
  timestamp?: Date | number | string;
  /** `context.page`: the page the call was made on, field by field over the current page. */
  context?: { page?: FootfallPage; [key: string]: unknown };
  [key: string]: unknown;
}

/** Tracking methods (Segment-compatible argument order). */
export interface Client {
  /**
   * Records a custom event. Never throws: a non-string name or
   * unserializable properties are counted in `stats().invalid` and dropped.
   */
  trackEvent(name: string, properties?: FootfallProperties | null, options?: FootfallCallOptions): void;
  /** Alias of `trackEvent`, with Segment's name and argument order. */
  track(name: string, properties?: FootfallProperties | null, options?: FootfallCallOptions): void;
  /** Records a page view; the page's path, url, title, search and referrer are merged into its properties. */
  page(name?: string | null, properties?: FootfallProperties | null, options?: FootfallCallOptions): void;
  /** Records a page view with properties only. */
  page(properties: FootfallProperties, options?: FootfallCallOptions): void;
  /** Segment's `page(category, name)`: `category` is added to the properties. */
  page(category: string, name: string, properties?: FootfallProperties | null, options?: FootfallCallOptions): void;
  /** Sets the user id for this and later events and records an `identify` event with `traits`. */
  identify(userId: string, traits?: FootfallProperties | null, options?: FootfallCallOptions): void;
  /** Records an `identify` event with traits only, keeping the user id. */
  identify(traits: FootfallProperties, options?: FootfallCallOptions): void;
}

/** Privacy settings. */
export interface FootfallPrivacyOptions {
  /** Longest string kept in properties, in characters. Default 1024. */
  maxStringLength?: number;
  /**
   * Query parameters removed from every URL sent (`context.page`, page
   * properties), compared case-insensitively, e.g. `['token', 'session']`.
   * Campaign parameters and click ids are still read into
   * `context.campaign` and `context.clickIds`.
   */
  stripQueryParams?: string[];
  /** No persistent identifiers: ids and queued events live in sessionStorage (or memory). Default false. */
  cookieless?: boolean;
  /** Every event carries `context.ip = "0.0.0.0"`, Segment's way to tell collectors not to store the IP. Default false. */
  anonymizeIp?: boolean;
  /** Replace email addresses with `[email]` in the site's own strings: property and trait keys and values, event and page names, the user id. Default true. (URLs, titles, referrers, campaign values and element text are always redacted.) */
  redactEmails?: boolean;
}

/** Attribution settings. */
export interface FootfallAttributionOptions {
  /**
   * Other domains whose referrals are internal (they keep the session and
   * its attribution), with their subdomains: a payment provider, a sister
   * site. The page's own registrable domain is always internal.
   */
  internalDomains?: string[];
}

/** Consent categories; `necessary` is always granted. */
export interface FootfallConsentCategories {
  analytics?: boolean;
  marketing?: boolean;
  personalization?: boolean;
}

/** What a browser privacy signal denies: `true` = marketing. */
export type FootfallSignalReach = boolean | 'marketing' | 'all';

/** Consent settings. */
export interface FootfallConsentOptions {
  /** `opt-out` (default): track until denied. `opt-in`: nothing tracked or stored until analytics is granted. */
  mode?: 'opt-in' | 'opt-out';
  /** Categories before the visitor decides (default: all granted in opt-out, all denied in opt-in). */
  categories?: FootfallConsentCategories;
  /** Global Privacy Control: default true (denies marketing); 'all' also denies analytics and personalization. */
  respectGpc?: FootfallSignalReach;
  /** Do Not Track: default false. */
  respectDnt?: FootfallSignalReach;
  /** The policy the visitor decides on: a decision stored for another version is asked again, but its denials stand until the visitor decides. */
  policyVersion?: string;
}

/** What `getConsent()` returns. */
export interface FootfallConsentState {
  categories: { necessary: true; analytics: boolean; marketing: boolean; personalization: boolean };
  decided: boolean;
  decidedAt?: string;
  policyVersion?: string;
  mode: 'opt-in' | 'opt-out';
  signals: { gpc: boolean; dnt: boolean };
  deniedBySignal: Array<'analytics' | 'marketing' | 'personalization'>;
}

/** Counters returned by `stats()`. */
export interface FootfallStats {
  /** Events held now (waiting or in flight). */
  queued: number;
  /** Events the collector acknowledged, or a beacon carried. */
  sent: number;
  /** Events given up on (refused by the collector, or pushed out of a full queue). */
  dropped: number;
  /** Events whose send failed and was scheduled again (once per attempt). */
  retried: number;
  /** Calls refused for bad input. */
  invalid: number;
  /** Strings cut to `privacy.maxStringLength`. */
  truncated: number;
}

/** Event properties: any JSON-serializable object. */
export type FootfallProperties = Record<string, unknown>;
"#;

/// A running footfall instance, returned by `init`.
#[wasm_bindgen]
pub struct Client {
    driver: Rc<Driver>,
}

/// Starts footfall with `options` (see `FootfallOptions`). Throws an `Error`
/// with a clear message when the options are invalid; the shim's `init`
/// turns that into a rejected promise.
#[wasm_bindgen(js_name = start)]
pub fn start(
    #[wasm_bindgen(unchecked_param_type = "FootfallOptions")] options: JsValue,
) -> Result<Client, JsError> {
    let options = read_options(&options)?;
    let config = Config::resolve(options).map_err(|e| JsError::new(e.as_str()))?;
    let driver = Driver::start(config).map_err(JsError::new)?;
    Ok(Client { driver })
}

#[wasm_bindgen]
impl Client {
    /// Records a custom event: `trackEvent(name, properties?, options?)`.
    /// Never throws: a non-string name or unserializable properties are
    /// counted in `stats().invalid` and dropped.
    #[wasm_bindgen(js_name = trackEvent, skip_typescript)]
    pub fn track_event(&self, name: JsValue, properties: JsValue, options: JsValue) {
        let Some(name) = name.as_string() else {
            return self.refuse(Invalid::NameNotString);
        };
        match properties_json(&properties) {
            Ok(props) => {
                let id = self.driver.random_id();
                let call = Input::Track {
                    name: &name,
                    properties: props.as_deref(),
                    id,
                };
                self.call(call, &options);
            }
            Err(why) => self.refuse(why),
        }
    }

    /// Alias of `trackEvent`, with Segment's name and argument order.
    #[wasm_bindgen(skip_typescript)]
    pub fn track(&self, name: JsValue, properties: JsValue, options: JsValue) {
        self.track_event(name, properties, options);
    }

    /// Records a page view: `page(name?, properties?, options?)`,
    /// `page(properties, options?)`, or Segment's
    /// `page(category, name, properties?, options?)` (the category is added
    /// to the properties).
    #[wasm_bindgen(skip_typescript)]
    pub fn page(&self, a: JsValue, b: JsValue, c: JsValue, d: JsValue) {
        let (category, name, properties, options) = match (a.as_string(), b.as_string()) {
            (Some(category), Some(name)) => (Some(category), Some(name), c, d),
            (Some(name), None) => (None, Some(name), b, c),
            (None, _) if a.is_undefined() || a.is_null() => (None, None, b, c),
            (None, _) if Type::Object.matches(&a) => (None, None, a, b),
            _ => return self.refuse(Invalid::NameNotString),
        };
        match properties_json(&properties) {
            Ok(props) => {
                let props = match category {
                    Some(category) => Some(crate::core::json::with_member(
                        props.as_deref().unwrap_or("{}"),
                        "category",
                        &category,
                    )),
                    None => props,
                };
                let id = self.driver.random_id();
                let current = self.driver.current_page();
                let call = Input::Page {
                    name: name.as_deref(),
                    properties: props.as_deref(),
                    id,
                    current: Some(&current),
                };
                self.call(call, &options);
            }
            Err(why) => self.refuse(why),
        }
    }

    /// Sets the user id for this and later events and records an `identify`
    /// event with `traits`: `identify(userId, traits?, options?)` or
    /// `identify(traits, options?)`.
    #[wasm_bindgen(skip_typescript)]
    pub fn identify(&self, user_id: JsValue, traits: JsValue, options: JsValue) {
        let (user_id, traits, options) =
            if let Some(id) = user_id.as_string().filter(|s| !s.is_empty()) {
                (Some(id), traits, options)
            } else if let Some(n) = user_id
                .as_f64()
                .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n < 9e15)
            {
                let mut id = String::new();
                crate::core::json::push_u64(&mut id, n as u64);
                (Some(id), traits, options)
            } else if Type::Object.matches(&user_id) {
                (None, user_id, traits)
            } else {
                return self.refuse(Invalid::UserIdNotString);
            };
        match properties_json(&traits) {
            Ok(t) => {
                let id = self.driver.random_id();
                let call = Input::Identify {
                    user_id: user_id.as_deref(),
                    traits: t.as_deref(),
                    id,
                };
                self.call(call, &options);
            }
            Err(why) => self.refuse(why),
        }
    }

    /// Forgets the user id and starts a new anonymous id (on logout).
    pub fn reset(&self) {
        let fresh_id = self.driver.random_id();
        self.driver.call(Input::Reset { fresh_id });
    }

    /// Sends everything queued now; resolves when the collector answered (or
    /// the attempt failed). Never rejects.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn flush(&self) -> js_sys::Promise {
        self.driver.flush()
    }

    /// Removes every listener and timer and keeps what is queued in storage
    /// for a later page. Later calls do nothing.
    pub fn shutdown(&self) {
        self.driver.shutdown();
    }

    /// Counters: queued, sent, dropped, retried, invalid, truncated.
    #[wasm_bindgen(unchecked_return_type = "FootfallStats")]
    pub fn stats(&self) -> JsValue {
        let s = self.driver.stats();
        let obj = Object::new();
        for (key, value) in [
            ("queued", s.queued),
            ("sent", s.sent),
            ("dropped", s.dropped),
            ("retried", s.retried),
            ("invalid", s.invalid),
            ("truncated", s.truncated),
        ] {
            let _ = Reflect::set(&obj, &JsValue::from_str(key), &JsValue::from(value));
        }
        obj.into()
    }

    /// Calls `callback({ dwellMs, maxScrollPercent })` on each exit intent
    /// (with `autocapture.exitIntent`), after the `exit_intent` event is
    /// recorded. A callback that throws is ignored (reported with `debug`).
    #[wasm_bindgen(js_name = onExitIntent)]
    pub fn on_exit_intent(
        &self,
        #[wasm_bindgen(unchecked_param_type = "(detail: FootfallExitIntent) => void")]
        callback: JsValue,
    ) {
        match callback.dyn_into::<js_sys::Function>() {
            Ok(f) => self.driver.on_exit_intent(f),
            Err(_) => self.refuse(Invalid::CallbackNotFunction),
        }
    }

    /// Records the visitor's consent, e.g. `{ analytics: true, marketing:
    /// false }` (categories left out keep their state). Stored as a necessary
    /// record; granting analytics releases what waited, denying it stops
    /// tracking and removes every footfall record but this one.
    #[wasm_bindgen(js_name = setConsent)]
    pub fn set_consent(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FootfallConsentCategories")] categories: JsValue,
    ) {
        if !Type::Object.matches(&categories) {
            return self.refuse(Invalid::ConsentNotObject);
        }
        let choice = read_choice(&categories);
        let fresh_id = self.driver.random_id();
        self.driver.call(Input::Consent { choice, fresh_id });
    }

    /// The categories in force, whether and when the visitor decided, the
    /// policy version, the mode and the browser signals.
    #[wasm_bindgen(js_name = getConsent, unchecked_return_type = "FootfallConsentState")]
    pub fn get_consent(&self) -> JsValue {
        parse(&self.driver.consent_json())
    }

    /// The anonymous id events carry.
    #[wasm_bindgen(js_name = anonymousId)]
    pub fn anonymous_id(&self) -> String {
        self.driver.anonymous_id()
    }

    /// The current session id (`context.session.id`).
    #[wasm_bindgen(js_name = sessionId)]
    pub fn session_id(&self) -> String {
        self.driver.session_id()
    }

    fn refuse(&self, why: Invalid) {
        self.driver.call(Input::Refused(why));
    }

    /// Dispatches a tracking call, with Segment's per-call `options` when
    /// they say when or where it was made.
    fn call(&self, call: Input, options: &JsValue) {
        match read_call_options(options) {
            Some((timestamp, page)) => self.driver.call(Input::WithOptions {
                call: &call,
                options: CallOptions {
                    timestamp,
                    page: page.as_ref(),
                },
            }),
            None => self.driver.call(call),
        }
    }
}

impl Client {
    /// The driver behind this client (Rust-side access for browser tests).
    pub fn driver(&self) -> &Rc<Driver> {
        &self.driver
    }
}

/// `JSON.stringify(value)` for a properties argument: `None` for
/// null/undefined, an error for unserializable values. Stringifies first
/// and inspects the value only when that gives no string, so the common case
/// costs two calls into JavaScript.
fn properties_json(value: &JsValue) -> Result<Option<String>, Invalid> {
    let json = stringify(value);
    if json.is_null() {
        return Err(Invalid::PropertiesNotSerializable);
    }
    match json.as_string() {
        // The engine refuses what is not an object ("[1]", "42", ...).
        Some(text) if text != "null" => Ok(Some(text)),
        Some(_) => Ok(None),
        // undefined (no properties), a function or a symbol (refused).
        None if value.is_undefined() => Ok(None),
        None => Err(Invalid::PropertiesNotObject),
    }
}

/// Segment's per-call options: `timestamp` (a `Date`, epoch ms or an
/// ISO-8601 string) and `context.page`. `None` when they give neither (or
/// are not an object: Segment's callback argument, for one).
fn read_call_options(options: &JsValue) -> Option<(Option<WallMs>, Option<PagePatch>)> {
    if !Type::Object.matches(options) {
        return None;
    }
    let t = prop(options, "timestamp");
    let ms = if let Some(n) = t.as_f64() {
        n
    } else if let Some(text) = t.as_string() {
        js_sys::Date::parse(&text)
    } else if let Some(date) = t.dyn_ref::<js_sys::Date>() {
        date.get_time()
    } else {
        f64::NAN
    };
    let timestamp = (ms.is_finite() && ms >= 0.0).then_some(WallMs(ms as u64));
    let page = prop(&prop(options, "context"), "page");
    let page = Type::Object.matches(&page).then(|| {
        let [url, path, search, title, referrer] =
            ["url", "path", "search", "title", "referrer"].map(|key| prop(&page, key).as_string());
        PagePatch {
            url,
            path,
            search,
            title,
            referrer,
        }
    });
    (timestamp.is_some() || page.is_some()).then_some((timestamp, page))
}

/// The JavaScript type an option must have.
#[derive(Clone, Copy)]
enum Type {
    Str,
    Num,
    Bool,
    Object,
    /// A boolean, or an object of settings.
    Switch,
    /// An array of numbers.
    Numbers,
    /// An array of strings.
    Strings,
    /// Checked by the caller.
    Any,
}

impl Type {
    fn matches(self, v: &JsValue) -> bool {
        match self {
            Type::Str => v.is_string(),
            Type::Num => v.as_f64().is_some_and(|n| !n.is_nan()),
            Type::Bool => v.as_bool().is_some(),
            Type::Object => v.is_object() && !v.is_function(),
            Type::Switch => Type::Bool.matches(v) || Type::Object.matches(v),
            Type::Numbers => {
                js_sys::Array::is_array(v)
                    && v.unchecked_ref::<js_sys::Array>()
                        .iter()
                        .all(|n| Type::Num.matches(&n))
            }
            Type::Strings => {
                js_sys::Array::is_array(v) && js_sys::Array::from(v).iter().all(|x| x.is_string())
            }
            Type::Any => true,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Type::Str => "a string",
            Type::Num => "a number",
            Type::Bool => "a boolean",
            Type::Object => "an object",
            Type::Switch => "a boolean or an object",
            Type::Numbers => "an array of numbers",
            Type::Strings => "an array of strings",
            Type::Any => "set",
        }
    }
}

/// Reads `keys` from `obj`: absent (undefined or null) ones are `None`;
/// a present one of the wrong type is an error naming it.
fn read_fields<const N: usize>(
    obj: &JsValue,
    keys: [(&str, Type); N],
) -> Result<[Option<JsValue>; N], JsError> {
    let mut out = [const { None }; N];
    for (slot, (key, ty)) in out.iter_mut().zip(keys) {
        *slot = read_field(obj, key, ty)?;
    }
    Ok(out)
}

/// Reads `keys` from `obj` into `out` (the slice form of [`read_fields`]).
fn read_into(
    obj: &JsValue,
    keys: &[(&str, Type)],
    out: &mut [Option<JsValue>],
) -> Result<(), JsError> {
    for (slot, &(key, ty)) in out.iter_mut().zip(keys) {
        *slot = read_field(obj, key, ty)?;
    }
    Ok(())
}

/// One option: `None` when absent, an error naming it when of the wrong
/// type. Kept out of line: `read_fields` is instantiated per field count.
#[inline(never)]
fn read_field(obj: &JsValue, key: &str, ty: Type) -> Result<Option<JsValue>, JsError> {
    let v = Reflect::get(obj, &JsValue::from_str(key)).map_err(|_| type_error(key, "readable"))?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if !ty.matches(&v) {
        return Err(type_error(key, ty.name()));
    }
    Ok(Some(v))
}

/// Reads the options object, checking each field's JavaScript type.
fn read_options(value: &JsValue) -> Result<Options, JsError> {
    if !Type::Object.matches(value) {
        return Err(JsError::new(
            "footfall: init(options) expects an object, e.g. { endpoint: '/collect' }",
        ));
    }
    let [endpoint, write_key, flush_at, flush_interval_ms, max_batch_bytes, max_queue_events, debug, privacy, consent, data_layer, compression, session_timeout_min, attribution] =
        read_fields(
            value,
            [
                ("endpoint", Type::Str),
                ("writeKey", Type::Str),
                ("flushAt", Type::Num),
                ("flushIntervalMs", Type::Num),
                ("maxBatchBytes", Type::Num),
                ("maxQueueEvents", Type::Num),
                ("debug", Type::Bool),
                ("privacy", Type::Object),
                ("consent", Type::Object),
                ("dataLayer", Type::Switch),
                ("compression", Type::Str),
                ("sessionTimeoutMin", Type::Num),
                ("attribution", Type::Object),
            ],
        )?;
    let [max_string_length, cookieless, anonymize_ip, redact_emails, strip_query_params] =
        match &privacy {
            Some(p) => read_fields(
                p,
                [
                    ("maxStringLength", Type::Num),
                    ("cookieless", Type::Bool),
                    ("anonymizeIp", Type::Bool),
                    ("redactEmails", Type::Bool),
                    ("stripQueryParams", Type::Strings),
                ],
            )?,
            None => [None, None, None, None, None],
        };
    let [internal_domains] = match &attribution {
        Some(a) => read_fields(a, [("internalDomains", Type::Strings)])?,
        None => [None],
    };
    let [mode, categories, respect_gpc, respect_dnt, policy_version] = match &consent {
        Some(c) => read_fields(
            c,
            [
                ("mode", Type::Str),
                ("categories", Type::Object),
                ("respectGpc", Type::Any),
                ("respectDnt", Type::Any),
                ("policyVersion", Type::Str),
            ],
        )?,
        None => [None, None, None, None, None],
    };
    let (data_layer_name, consent_mode_bridge, data_layer) = read_data_layer(data_layer)?;
    let [autocapture] = read_fields(value, [("autocapture", Type::Switch)])?;
    let autocapture = read_autocapture(autocapture)?;
    let strings = |v: Option<JsValue>| {
        v.map(|v| {
            let mut out = Vec::new();
            for s in js_sys::Array::from(&v).iter() {
                out.extend(s.as_string());
            }
            out
        })
    };
    let string = |v: Option<JsValue>| v.and_then(|v| v.as_string());
    let number = |v: Option<JsValue>| v.and_then(|v| v.as_f64());
    let boolean = |v: Option<JsValue>| v.and_then(|v| v.as_bool());
    Ok(Options {
        endpoint: string(endpoint),
        write_key: string(write_key),
        flush_at: number(flush_at),
        flush_interval_ms: number(flush_interval_ms),
        max_batch_bytes: number(max_batch_bytes),
        max_queue_events: number(max_queue_events),
        max_string_length: number(max_string_length),
        debug: boolean(debug),
        consent_mode: string(mode),
        consent_defaults: categories.as_ref().map(read_choice).unwrap_or_default(),
        respect_gpc: reach("consent.respectGpc", respect_gpc)?,
        respect_dnt: reach("consent.respectDnt", respect_dnt)?,
        policy_version: string(policy_version),
        cookieless: boolean(cookieless),
        anonymize_ip: boolean(anonymize_ip),
        redact_emails: boolean(redact_emails),
        consent_mode_bridge: boolean(consent_mode_bridge),
        data_layer_name: string(data_layer_name),
        compression: string(compression),
        session_timeout_min: number(session_timeout_min),
        internal_domains: strings(internal_domains),
        strip_query_params: strings(strip_query_params),
        data_layer,
        autocapture,
    })
}

/// The members of `autocapture`: a boolean each, or (`Switch`) a settings
/// object, which turns the member on.
const AUTOCAPTURE: [(&str, Type); 7] = [
    ("pageViews", Type::Bool),
    ("history", Type::Switch),
    ("scrollDepth", Type::Switch),
    ("rageClick", Type::Switch),
    ("exitIntent", Type::Switch),
    ("pageLeave", Type::Bool),
    ("clicks", Type::Bool),
];

/// The settings of `autocapture` members: (index in [`AUTOCAPTURE`], key, type).
const SETTINGS: [(usize, &str, Type); 9] = [
    (1, "hashChange", Type::Bool),
    (2, "milestones", Type::Numbers),
    (2, "shortPages", Type::Bool),
    (3, "clicks", Type::Num),
    (3, "windowMs", Type::Num),
    (3, "radiusPx", Type::Num),
    (4, "minDwellMs", Type::Num),
    (4, "cooldownMs", Type::Num),
    (4, "touch", Type::Bool),
];

/// Reads `autocapture`: a boolean, or an object of members (table-driven:
/// one loop for every member and setting keeps the wasm small).
fn read_autocapture(value: Option<JsValue>) -> Result<AutocaptureOptions, JsError> {
    let Some(value) = value else {
        return Ok(AutocaptureOptions::default());
    };
    if let Some(all) = value.as_bool() {
        return Ok(AutocaptureOptions {
            all: Some(all),
            ..AutocaptureOptions::default()
        });
    }
    let mut members = [const { None }; 7];
    read_into(&value, &AUTOCAPTURE, &mut members)?;
    let mut settings = [const { None }; 9];
    for ((member, key, ty), slot) in SETTINGS.iter().zip(settings.iter_mut()) {
        if let Some(object) = members.get(*member).and_then(|m| m.as_ref()) {
            if object.is_object() {
                read_into(object, &[(key, *ty)], std::slice::from_mut(slot))?;
            }
        }
    }
    let [page_views, history, scroll_depth, rage_click, exit_intent, page_leave, clicks] =
        members.map(|m| m.map(|v| v.as_bool().unwrap_or(true)));
    let [hash_change, milestones, short_pages, rage_clicks, rage_window_ms, rage_radius_px, min_dwell_ms, cooldown_ms, touch] =
        settings;
    let number = |v: Option<JsValue>| v.and_then(|v| v.as_f64());
    let boolean = |v: Option<JsValue>| v.and_then(|v| v.as_bool());
    Ok(AutocaptureOptions {
        all: None,
        page_views,
        history,
        hash_change: boolean(hash_change),
        scroll_depth,
        milestones: milestones.map(|m| {
            let mut numbers = Vec::new();
            for n in m.unchecked_ref::<js_sys::Array>().iter() {
                numbers.extend(n.as_f64());
            }
            numbers
        }),
        short_pages: boolean(short_pages),
        rage_click,
        rage_clicks: number(rage_clicks),
        rage_window_ms: number(rage_window_ms),
        rage_radius_px: number(rage_radius_px),
        exit_intent,
        min_dwell_ms: number(min_dwell_ms),
        cooldown_ms: number(cooldown_ms),
        touch: boolean(touch),
        page_leave,
        clicks,
    })
}

/// Consent categories from an object; anything but a boolean is ignored.
fn read_choice(obj: &JsValue) -> Choice {
    let get = |key: &str| {
        Reflect::get(obj, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_bool())
    };
    Choice {
        analytics: get("analytics"),
        marketing: get("marketing"),
        personalization: get("personalization"),
    }
}

/// A signal setting: `true` (marketing), `false`, `'marketing'` or `'all'`.
fn reach(key: &str, value: Option<JsValue>) -> Result<Option<Reach>, JsError> {
    let Some(v) = value else { return Ok(None) };
    match (v.as_bool(), v.as_string().as_deref()) {
        (Some(true), _) | (_, Some("marketing")) => Ok(Some(Reach::Marketing)),
        (Some(false), _) => Ok(Some(Reach::Ignore)),
        (_, Some("all")) => Ok(Some(Reach::All)),
        _ => Err(type_error(key, "true, false, 'marketing' or 'all'")),
    }
}

/// `dataLayer` read: its `name`, its `consentMode`, and the bridge's
/// forwarding and mirroring (`None`: off).
type DataLayerFields = (Option<JsValue>, Option<JsValue>, Option<DataLayerOptions>);

/// Reads `dataLayer`: `true`, `false` or `{ name, consentMode, forward,
/// mirror }` with `forward` a boolean or `{ allow, deny }`.
fn read_data_layer(value: Option<JsValue>) -> Result<DataLayerFields, JsError> {
    let Some(value) = value else {
        return Ok((None, None, None));
    };
    if let Some(on) = value.as_bool() {
        return Ok((None, None, on.then(DataLayerOptions::on)));
    }
    let mut options = DataLayerOptions::default();
    let [name, consent_mode, forward, mirror] = read_fields(
        &value,
        [
            ("name", Type::Str),
            ("consentMode", Type::Bool),
            ("forward", Type::Switch),
            ("mirror", Type::Bool),
        ],
    )?;
    options.mirror = mirror.and_then(|v| v.as_bool());
    if let Some(forward) = forward {
        options.forward = Some(forward.as_bool().unwrap_or(true));
        if forward.as_bool().is_none() {
            let lists = read_fields(
                &forward,
                [("allow", Type::Strings), ("deny", Type::Strings)],
            )?;
            [options.allow, options.deny] = lists.map(|list| {
                list.map(|l| l.unchecked_into::<js_sys::Array>())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|s| s.as_string())
                    .collect()
            });
        }
    }
    Ok((name, consent_mode, Some(options)))
}

/// "footfall: option `key` must be <expected>".
fn type_error(key: &str, expected: &str) -> JsError {
    let mut msg = String::from("footfall: option `");
    msg.push_str(key);
    msg.push_str("` must be ");
    msg.push_str(expected);
    JsError::new(&msg)
}
