//! The JavaScript surface: `start` (wrapped as `init` by the shim) and the
//! `Client`. The only module with `#[wasm_bindgen]` items.
//!
//! Only `start` can fail, with a clear message. Every tracking method checks
//! the JavaScript types of its arguments, counts and drops what is wrong, and
//! never throws.

use std::rc::Rc;

use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser::driver::Driver;
use crate::browser::environment::prop;
use crate::core::config::{Config, Options};
use crate::core::datalayer::DataLayerOptions;
use crate::core::engine::{CallOptions, Input, Invalid};
use crate::core::envelope::PagePatch;
use crate::core::time::WallMs;

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
  /** Privacy settings. */
  privacy?: FootfallPrivacyOptions;
  /** Log dropped input and failed sends to the console. Default false. */
  debug?: boolean;
  /**
   * The Google Tag Manager dataLayer bridge. `true` forwards pushes and
   * mirrors automatic events on `window.dataLayer`. Default off.
   */
  dataLayer?: boolean | FootfallDataLayerOptions;
}

/** The Google Tag Manager dataLayer bridge. */
export interface FootfallDataLayerOptions {
  /** The global array's name. Default `dataLayer`. */
  name?: string;
  /**
   * Pushes with an `event` key become `trackEvent(event, otherKeys)`, except
   * `gtm.*` and `footfall.*`; entries pushed before footfall loaded are
   * forwarded once. `{ allow, deny }` filters the names (a trailing `*`
   * matches a prefix). Default true.
   */
  forward?: boolean | { allow?: string[]; deny?: string[] };
  /** Automatic events are pushed as `{ event: 'footfall.<name>', ...properties }`. Default true. */
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
                let call = Input::Page {
                    name: name.as_deref(),
                    properties: props.as_deref(),
                    id,
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
        self.driver.dispatch(Input::Reset { fresh_id });
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

    /// The anonymous id events carry.
    #[wasm_bindgen(js_name = anonymousId)]
    pub fn anonymous_id(&self) -> String {
        self.driver.anonymous_id()
    }

    fn refuse(&self, why: Invalid) {
        self.driver.dispatch(Input::Refused(why));
    }

    /// Dispatches a tracking call, with Segment's per-call `options` when
    /// they say when or where it was made.
    fn call(&self, call: Input, options: &JsValue) {
        match read_call_options(options) {
            Some((timestamp, page)) => self.driver.dispatch(Input::WithOptions {
                call: &call,
                options: CallOptions {
                    timestamp,
                    page: page.as_ref(),
                },
            }),
            None => self.driver.dispatch(call),
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
    let Ok(json) = JSON::stringify(value) else {
        return Err(Invalid::PropertiesNotSerializable);
    };
    match JsValue::from(json).as_string() {
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
    /// A boolean or an object.
    Flag,
    /// An array of strings.
    Strings,
}

impl Type {
    fn matches(self, v: &JsValue) -> bool {
        match self {
            Type::Str => v.is_string(),
            Type::Num => v.as_f64().is_some_and(|n| !n.is_nan()),
            Type::Bool => v.as_bool().is_some(),
            Type::Object => v.is_object() && !v.is_function(),
            Type::Flag => Type::Bool.matches(v) || Type::Object.matches(v),
            Type::Strings => {
                js_sys::Array::is_array(v)
                    && v.unchecked_ref::<js_sys::Array>()
                        .iter()
                        .all(|s| s.is_string())
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Type::Str => "a string",
            Type::Num => "a number",
            Type::Bool => "a boolean",
            Type::Object => "an object",
            Type::Flag => "a boolean or an object",
            Type::Strings => "an array of strings",
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
    read_into(obj, &keys, &mut out)?;
    Ok(out)
}

/// [`read_fields`]' work, one copy for every `N`.
#[inline(never)]
fn read_into(
    obj: &JsValue,
    keys: &[(&str, Type)],
    out: &mut [Option<JsValue>],
) -> Result<(), JsError> {
    for (slot, (key, ty)) in out.iter_mut().zip(keys) {
        let v =
            Reflect::get(obj, &JsValue::from_str(key)).map_err(|_| type_error(key, "readable"))?;
        if v.is_undefined() || v.is_null() {
            continue;
        }
        if !ty.matches(&v) {
            return Err(type_error(key, ty.name()));
        }
        *slot = Some(v);
    }
    Ok(())
}

/// Reads the options object, checking each field's JavaScript type.
fn read_options(value: &JsValue) -> Result<Options, JsError> {
    if !Type::Object.matches(value) {
        return Err(JsError::new(
            "footfall: init(options) expects an object, e.g. { endpoint: '/collect' }",
        ));
    }
    let [endpoint, write_key, flush_at, flush_interval_ms, max_batch_bytes, max_queue_events, debug, privacy, data_layer] =
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
                ("dataLayer", Type::Flag),
            ],
        )?;
    let [max_string_length] = match &privacy {
        Some(p) => read_fields(p, [("maxStringLength", Type::Num)])?,
        None => [None],
    };
    let string = |v: Option<JsValue>| v.and_then(|v| v.as_string());
    let number = |v: Option<JsValue>| v.and_then(|v| v.as_f64());
    Ok(Options {
        endpoint: string(endpoint),
        write_key: string(write_key),
        flush_at: number(flush_at),
        flush_interval_ms: number(flush_interval_ms),
        max_batch_bytes: number(max_batch_bytes),
        max_queue_events: number(max_queue_events),
        max_string_length: number(max_string_length),
        debug: debug.and_then(|v| v.as_bool()),
        data_layer: read_data_layer(data_layer)?,
    })
}

/// Reads `dataLayer`: `true`, `false` or `{ name, forward, mirror }` with
/// `forward` a boolean or `{ allow, deny }`.
fn read_data_layer(value: Option<JsValue>) -> Result<Option<DataLayerOptions>, JsError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let mut options = DataLayerOptions::default();
    if let Some(on) = value.as_bool() {
        return Ok(on.then_some(options));
    }
    let [name, forward, mirror] = read_fields(
        &value,
        [
            ("name", Type::Str),
            ("forward", Type::Flag),
            ("mirror", Type::Bool),
        ],
    )?;
    options.name = name.and_then(|v| v.as_string());
    options.mirror = mirror.and_then(|v| v.as_bool());
    if let Some(forward) = forward {
        options.forward = forward.as_bool();
        if options.forward.is_none() {
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
    Ok(Some(options))
}

/// "footfall: option `key` must be <expected>".
fn type_error(key: &str, expected: &str) -> JsError {
    let mut msg = String::from("footfall: option `");
    msg.push_str(key);
    msg.push_str("` must be ");
    msg.push_str(expected);
    JsError::new(&msg)
}
