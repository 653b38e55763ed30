//! What the behaviour signals read from the DOM (scroll measurements,
//! pointer coordinates, a clicked element described, declarative clicks,
//! a coarse pointer), and the history hook that reports route changes.
//! Everything here reads; `core::signals` decides.

use std::cell::Cell;
use std::rc::Rc;

use crate::browser::environment::prop;
use crate::core::signals::element::{
    join_selector, selector_step, DeclaredProperties, EVENT_ATTRIBUTE, EVENT_SELECTOR,
    MAX_SELECTOR_STEPS, MAX_TEXT_READ,
};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// The wrapper closure type of [`HistoryHook`]: `(state, unused, url)`.
type Wrapper = Closure<dyn FnMut(JsValue, JsValue, JsValue) -> JsValue>;

/// `history.pushState` or `history.replaceState`, wrapped: the wrapper
/// always calls the original with the same arguments and returns its
/// result or rethrows its exception unchanged, then reports the change.
/// Dropping the hook restores the original when the wrapper is still the
/// installed function; when another script wrapped it since, the wrapper
/// stays (so their chain keeps working) and only passes calls through.
pub struct HistoryHook {
    history: JsValue,
    method: &'static str,
    original: js_sys::Function,
    wrapper: Option<Wrapper>,
    active: Rc<Cell<bool>>,
}

impl HistoryHook {
    /// Wraps `history[method]`; `on_change` runs after each successful call.
    pub fn install(
        history: &JsValue,
        method: &'static str,
        mut on_change: impl FnMut() + 'static,
    ) -> Option<HistoryHook> {
        let original: js_sys::Function = prop(history, method).dyn_into().ok()?;
        let active = Rc::new(Cell::new(true));
        let (this, call, live) = (history.clone(), original.clone(), active.clone());
        let wrapper: Wrapper = Closure::new(move |state, unused, url| {
            let result = match call.call3(&this, &state, &unused, &url) {
                Ok(r) => r,
                Err(e) => wasm_bindgen::throw_val(e),
            };
            if live.get() {
                on_change();
            }
            result
        });
        js_sys::Reflect::set(history, &JsValue::from_str(method), wrapper.as_ref()).ok()?;
        Some(HistoryHook {
            history: history.clone(),
            method,
            original,
            wrapper: Some(wrapper),
            active,
        })
    }
}

impl Drop for HistoryHook {
    fn drop(&mut self) {
        self.active.set(false);
        let Some(wrapper) = self.wrapper.take() else {
            return;
        };
        let installed = prop(&self.history, self.method);
        let key = JsValue::from_str(self.method);
        if installed == *wrapper.as_ref()
            && js_sys::Reflect::set(&self.history, &key, &self.original).unwrap_or(false)
        {
            drop(wrapper);
        } else {
            // Another script holds our wrapper in its chain: keep it alive,
            // passing calls through.
            wrapper.forget();
        }
    }
}

/// `target[method](arg)`, or `undefined` when it is missing or throws.
fn call1(target: &JsValue, method: &str, arg: &JsValue) -> JsValue {
    prop(target, method)
        .dyn_ref::<js_sys::Function>()
        .and_then(|f| f.call1(target, arg).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

/// `target[key]` as a string, or "".
fn text_of(target: &JsValue, key: &str) -> String {
    prop(target, key).as_string().unwrap_or_default()
}

/// `target[key]` as a number of CSS pixels, rounded up, 0 when missing or
/// negative.
pub fn pixels(target: &JsValue, key: &str) -> u32 {
    prop(target, key)
        .as_f64()
        .filter(|n| n.is_finite() && *n > 0.0)
        .map_or(0, |n| n.ceil().min(u32::MAX as f64) as u32)
}

/// `target[key]` as a whole number (may be negative), 0 when missing.
pub fn coordinate(target: &JsValue, key: &str) -> i32 {
    prop(target, key)
        .as_f64()
        .filter(|n| n.is_finite())
        .map_or(0, |n| n.round() as i32)
}

/// One scroll measurement, read once per animation frame: `scrollY`,
/// `innerHeight` and the document's `scrollHeight`.
pub fn measure_scroll(window: &JsValue, root: &JsValue) -> (u32, u32, u32) {
    (
        pixels(window, "scrollY"),
        pixels(window, "innerHeight"),
        pixels(root, "scrollHeight"),
    )
}

/// Whether the primary pointer is coarse (`(pointer: coarse)`).
pub fn is_touch(window: &JsValue) -> bool {
    let query = call1(
        window,
        "matchMedia",
        &JsValue::from_str("(pointer: coarse)"),
    );
    prop(&query, "matches").as_bool().unwrap_or(false)
}

/// A short CSS selector of `target` and its nearest ancestors, and its
/// visible text (`innerText`: what is rendered, not hidden elements; at
/// most [`MAX_TEXT_READ`] UTF-16 units read; `core` masks and cuts). An
/// element without `innerText` (SVG) has no text.
pub fn describe(target: &JsValue) -> (String, String) {
    let mut steps = Vec::with_capacity(MAX_SELECTOR_STEPS);
    let mut element = target.clone();
    while steps.len() < MAX_SELECTOR_STEPS {
        let tag = text_of(&element, "tagName");
        if tag.is_empty() {
            break;
        }
        let (step, top) = selector_step(
            &tag,
            &text_of(&element, "id"),
            &text_of(&element, "className"),
        );
        steps.push(step);
        if top {
            break;
        }
        element = prop(&element, "parentElement");
    }
    let tag = text_of(target, "tagName");
    let text = if tag == "BODY" || tag == "HTML" {
        String::new()
    } else {
        // Rendered text only: `textContent` includes hidden elements.
        prop(target, "innerText")
            .dyn_into::<js_sys::JsString>()
            .map(|t| t.slice(0, MAX_TEXT_READ as u32))
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default()
    };
    (join_selector(&steps), text)
}

/// The declarative event of a click on `target`: the nearest element
/// carrying `data-ff-event` (itself or an ancestor), its event name and its
/// `data-ff-prop-*` attributes as a JSON object.
pub fn declared(target: &JsValue) -> Option<(String, String)> {
    let element = call1(target, "closest", &JsValue::from_str(EVENT_SELECTOR));
    if !element.is_object() {
        return None;
    }
    let name = call1(
        &element,
        "getAttribute",
        &JsValue::from_str(EVENT_ATTRIBUTE),
    )
    .as_string()?;
    let attributes = prop(&element, "attributes");
    let mut properties = DeclaredProperties::default();
    for i in 0..pixels(&attributes, "length").min(64) {
        let attribute = js_sys::Reflect::get_u32(&attributes, i).unwrap_or_default();
        properties.attribute(&text_of(&attribute, "name"), &text_of(&attribute, "value"));
    }
    Some((name, properties.finish()))
}
