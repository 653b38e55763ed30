//! Reads what the browser tells about the page and itself.
//!
//! Properties are read through one generic getter (`Reflect.get`) rather
//! than a typed web-sys binding each: every typed binding costs its own glue
//! function in the JavaScript and the wasm, for values read once per page.

use crate::core::envelope::{Environment, Page, Screen};
use wasm_bindgen::{JsCast, JsValue};

/// `target[key]`, or `undefined` when it throws.
pub fn prop(target: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `target[key]` as a string, or "".
fn text(target: &JsValue, key: &str) -> String {
    prop(target, key).as_string().unwrap_or_default()
}

/// `target[key]` as a non-negative number, or 0.
fn number(target: &JsValue, key: &str) -> f64 {
    prop(target, key)
        .as_f64()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .unwrap_or(0.0)
}

/// The current page: URL parts, title and referrer.
pub fn page(window: &JsValue) -> Page {
    let location = prop(window, "location");
    let document = prop(window, "document");
    Page {
        url: text(&location, "href"),
        path: text(&location, "pathname"),
        search: text(&location, "search"),
        title: text(&document, "title"),
        referrer: text(&document, "referrer"),
    }
}

/// Page, user agent, language, time zone and screen.
pub fn read(window: &JsValue) -> Environment {
    let navigator = prop(window, "navigator");
    let screen = prop(window, "screen");
    Environment {
        page: page(window),
        user_agent: text(&navigator, "userAgent"),
        locale: text(&navigator, "language"),
        timezone: timezone(window),
        screen: Screen {
            width: number(&screen, "width") as u32,
            height: number(&screen, "height") as u32,
            density: number(window, "devicePixelRatio"),
        },
    }
}

/// The IANA time zone: `Temporal.Now.timeZoneId()` where the browser has
/// Temporal (well under a millisecond), else
/// `Intl.DateTimeFormat().resolvedOptions().timeZone`, whose first use in a
/// page loads the locale data: 20 to 35 ms of footfall's start in headless
/// Chromium 156, measured. An answer that is not a short string is ignored.
fn timezone(window: &JsValue) -> String {
    let now = prop(&prop(window, "Temporal"), "Now");
    if let Some(id) = prop(&now, "timeZoneId").dyn_ref::<js_sys::Function>() {
        if let Some(zone) = id.call0(&now).ok().and_then(|z| z.as_string()) {
            if !zone.is_empty() && zone.len() <= 64 {
                return zone;
            }
        }
    }
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    text(&format.resolved_options(), "timeZone")
}
