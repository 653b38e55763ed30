//! The JavaScript surface: `start` (wrapped as `init` by the shim) and the
//! `Client`. The only module that exports `#[wasm_bindgen]` items (browser
//! modules import a few lines of inline JavaScript). Reading the options is
//! `api/options.rs`; the TypeScript types of the options and the tracking
//! methods are `api/types.d.ts`, appended to the generated declarations.
//!
//! Only `start` can fail, with a clear message. Every tracking method checks
//! the JavaScript types of its arguments, counts and drops what is wrong, and
//! never throws.

use std::rc::Rc;

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser::driver::Driver;
use crate::core::config::Config;
use crate::core::engine::{CallOptions, Input, Invalid};

mod options;

use options::{read_call_options, read_choice, read_options, Type};

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

/// The option, stats and tracking-method types, appended to the generated
/// `.d.ts`.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("api/types.d.ts");

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

    /// `trackEvent` in its common form, called by the glue's `trackEvent`
    /// (`src/js/client.js`): a string name, the properties already
    /// stringified there (`None`: no properties) and `Date.now()` read
    /// there. It saves the calls back into JavaScript that inspecting the
    /// arguments here would take.
    #[wasm_bindgen(js_name = trackJson, skip_typescript)]
    pub fn track_json(&self, name: &str, properties: Option<String>, now: f64) {
        // `toJSON` may answer null: no properties, as in `properties_json`.
        let properties = properties.filter(|p| p != "null");
        let id = self.driver.random_id();
        let now = crate::core::time::WallMs(now as u64);
        self.driver.call_at(
            now,
            Input::Track {
                name,
                properties: properties.as_deref(),
                id,
            },
        );
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
        let (user_id, traits, options) = if let Some(id) = read_id(&user_id) {
            (Some(id), traits, options)
        } else if Type::Object.matches(&user_id) {
            (None, user_id, traits)
        } else {
            return self.refuse(Invalid::IdNotString);
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

    /// Records that the user belongs to a group (a company, an account):
    /// Segment's `group(groupId, traits?, options?)`.
    #[wasm_bindgen(skip_typescript)]
    pub fn group(&self, group_id: JsValue, traits: JsValue, options: JsValue) {
        let Some(group_id) = read_id(&group_id) else {
            return self.refuse(Invalid::IdNotString);
        };
        match properties_json(&traits) {
            Ok(t) => {
                let id = self.driver.random_id();
                let call = Input::Group {
                    group_id: &group_id,
                    traits: t.as_deref(),
                    id,
                };
                self.call(call, &options);
            }
            Err(why) => self.refuse(why),
        }
    }

    /// Merges two ids of one user: Segment's `alias(userId, previousId?,
    /// options?)` (also `alias(userId, options)`); `previousId` defaults to
    /// the current user id, else the anonymous id.
    #[wasm_bindgen(skip_typescript)]
    pub fn alias(&self, user_id: JsValue, previous_id: JsValue, options: JsValue) {
        let Some(user_id) = read_id(&user_id) else {
            return self.refuse(Invalid::IdNotString);
        };
        let (previous_id, options) = if Type::Object.matches(&previous_id) {
            (None, previous_id)
        } else {
            (read_id(&previous_id), options)
        };
        let id = self.driver.random_id();
        let call = Input::Alias {
            user_id: &user_id,
            previous_id: previous_id.as_deref(),
            id,
        };
        self.call(call, &options);
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

    /// `variant(key)`: the variant of experiment `key` this visitor sees
    /// (the first variant when not in the experiment or without consent;
    /// `""` for a key with no experiment). The first call of a session for
    /// a visitor in the experiment tracks `Experiment Viewed`. (Builds
    /// without experiments get a `variant` answering `""` from
    /// src/js/client.js.)
    #[cfg(feature = "experiments")]
    pub fn variant(&self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> String {
        match key.as_string() {
            Some(key) => self.driver.variant(&key),
            None => String::new(),
        }
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

/// An id argument (user id, group id): a non-empty string, or a whole
/// number as its decimal text (as Segment accepts).
fn read_id(value: &JsValue) -> Option<String> {
    if let Some(id) = value.as_string().filter(|s| !s.is_empty()) {
        return Some(id);
    }
    let n = value
        .as_f64()
        .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n < 9e15)?;
    let mut id = String::new();
    crate::core::json::push_u64(&mut id, n as u64);
    Some(id)
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
