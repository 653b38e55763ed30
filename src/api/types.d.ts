
/** Options for `init`. Only `endpoint` is required. */
export interface FootfallOptions {
  /** Collector URL: `https://...`, `http://...` or a path starting with `/`. */
  endpoint: string;
  /** Sent in every request body as `writeKey`. */
  writeKey?: string;
  /**
   * Where footfall's `.wasm` files are served, for bundlers that do not
   * emit them as assets (esbuild, Rollup without a plugin): a directory
   * holding a copy of `node_modules/footfall-analytics/dist/*.wasm`, e.g.
   * `'/static/footfall/'`. Default: next to footfall's module, where Vite
   * and webpack put them.
   */
  wasmUrl?: string;
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
  /**
   * Attribution and sessions: `context.referrer`, `context.channel`,
   * `context.session`, stored first and last touches, `sessionId()`.
   * `false` leaves them out, and the page loads a smaller build without
   * their code (the landing's `context.campaign` and `context.clickIds`
   * remain; `sessionId()` returns `""`). Default on.
   */
  attribution?: boolean | FootfallAttributionOptions;
  /** Consent: mode, defaults, browser signals, policy version. */
  consent?: FootfallConsentOptions;
  /** Privacy settings. */
  privacy?: FootfallPrivacyOptions;
  /**
   * Google Tag Manager's dataLayer: `true` forwards pushes and mirrors
   * automatic events on `window.dataLayer`; or settings. Default off.
   */
  dataLayer?: boolean | FootfallDataLayerOptions;
  /**
   * A/B experiments by key: `variant(key)` gives this visitor's variant
   * (GrowthBook's hash version 2, kept until `reset()`), and the first call
   * of a session tracks `Experiment Viewed`. Elements marked
   * `data-ff-experiment="key" data-ff-variant="id"` are shown or hidden
   * without flicker. A page with experiments loads the experiments module.
   */
  experiments?: Record<string, FootfallExperiment>;
  /**
   * Longest time declarative variant elements stay hidden waiting for
   * footfall; then each experiment's first variant shows and nothing is
   * recorded. Default 1500.
   */
  experimentTimeoutMs?: number;
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
  /**
   * Uncaught errors and unhandled rejections as `error` events (`message`,
   * `kind`, `source`, `line`, `column`, `stack`, redacted), each once per
   * page view with its count in `page_leave`, at most 10 per page view;
   * browser extensions' and footfall's own are ignored. Default false
   * (`autocapture: true` leaves it off).
   */
  errors?: boolean;
  /**
   * Form analytics: `form_started` (first input in a form), `form_submitted`
   * and `form_abandoned` (the page view ended after a start without a
   * submit), with `form` (its `data-ff-form`, id, name, or `form[i]`),
   * `fields`, `duration_ms` and, when abandoned, `last_field` (the name or
   * id of the last field touched). No field value is ever read. A group of
   * fields without a `<form>` is marked `data-ff-form="name"`; a click on a
   * `[type=submit]` or `[data-ff-submit]` in it is its submit. Default false.
   */
  forms?: boolean;
  /**
   * Web vitals: one `web_vitals` event per page view, sent when it ends
   * (hidden, left, a route change), with `lcp`, `fcp`, `ttfb`, `inp` (ms)
   * and `cls`, only those the browser measures, and their `rating`
   * (`'good' | 'needs-improvement' | 'poor'`, Google's thresholds).
   * Computed as Google's `web-vitals` library does. Default false.
   */
  webVitals?: boolean;
  /**
   * Click maps: one `heatmap` event per 10 s of activity and at the end of
   * the page view, with `path`, `viewport` (`[width, height]`) and
   * `points`: `[x, y, kind]`, `x` the fraction of the viewport's width
   * (3 decimals), `y` the page y in CSS pixels, `kind` `'click'`, `'rage'`
   * or `'dead'` (a click on a non-interactive element that changed nothing
   * within 1 s). At most 500 points per page view. Default false.
   */
  heatmap?: boolean;
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
  /**
   * GA4 ecommerce pushes (`view_item`, `add_to_cart`, `remove_from_cart`,
   * `begin_checkout`, `add_payment_info`, `purchase`, `refund`) become
   * Segment Ecommerce v2 events (`Product Viewed`, ..., `Order Completed`,
   * `Order Refunded`), numbers as pushed; a `purchase` whose
   * `transaction_id` was already sent from this browser is not sent
   * again. Default false; not `dataLayer: true`.
   */
  ecommerce?: boolean;
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
   * Resolves once footfall runs (at once for a client from `init`), after
   * `callback`, if given, ran with the client; rejects with a clear message
   * when the options are invalid or footfall cannot load. Segment's
   * `ready(callback)` works as written.
   */
  ready(callback?: (client: Client) => void): Promise<void>;
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
  /** Records that the user belongs to a group (company, account): a Segment `group` event with `traits`. */
  group(groupId: string, traits?: FootfallProperties | null, options?: FootfallCallOptions): void;
  /**
   * Merges two ids of one user: a Segment `alias` event with `userId` and
   * `previousId` (default: the current user id, else the anonymous id).
   * The current user id is unchanged; `identify` sets it.
   */
  alias(userId: string, previousId?: string | null, options?: FootfallCallOptions): void;
  /** `alias(userId, options)`. */
  alias(userId: string, options: FootfallCallOptions): void;
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

/** One experiment of `experiments`. Bad values give a debug warning and a default, never an error. */
export interface FootfallExperiment {
  /** 2 to 20 variant ids; the first is the control. */
  variants: string[];
  /** One per variant, summing to 1 (within 0.01; else equal weights). Default equal. */
  weights?: number[];
  /** Share of visitors in the experiment, 0 to 1. Default 1. */
  coverage?: number;
  /** Hashing seed. Default the key. */
  seed?: string;
  /** The id visitors are assigned by. Default `'anonymousId'` (with `'userId'`, visitors without one are not in it). */
  hashAttribute?: 'anonymousId' | 'userId';
  /** Sent as `experiment_name`. Default the key. */
  name?: string;
}
