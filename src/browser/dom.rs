//! Event listeners that remove themselves when dropped (gloo's pattern),
//! and the watchers written in JavaScript (forms, web vitals, click maps),
//! stopped when dropped. What the behaviour signals read from the DOM is
//! `browser::signals`.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// A listener on an event target; dropping it removes it.
pub struct Listener {
    target: web_sys::EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(JsValue)>,
    /// Registered for the capture phase.
    capture: bool,
}

impl Listener {
    /// Listens to `kind` on `target` with a passive listener.
    /// The callback receives the event (as a plain `JsValue`: one closure
    /// type for every listener keeps the generated glue small).
    pub fn new(
        target: &web_sys::EventTarget,
        kind: &'static str,
        f: impl FnMut(JsValue) + 'static,
    ) -> Listener {
        Listener::passive(target, kind, f, false)
    }

    /// Like [`Listener::new`], in the capture phase: the page's own handlers
    /// cannot hide the event with `stopPropagation`.
    pub fn capture(
        target: &web_sys::EventTarget,
        kind: &'static str,
        f: impl FnMut(JsValue) + 'static,
    ) -> Listener {
        Listener::passive(target, kind, f, true)
    }

    fn passive(
        target: &web_sys::EventTarget,
        kind: &'static str,
        f: impl FnMut(JsValue) + 'static,
        capture: bool,
    ) -> Listener {
        let callback = Closure::<dyn FnMut(JsValue)>::new(f);
        let options = web_sys::AddEventListenerOptions::new();
        options.set_passive(true);
        options.set_capture(capture);
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
            kind,
            callback.as_ref().unchecked_ref(),
            &options,
        );
        Listener {
            target: target.clone(),
            kind,
            callback,
            capture,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.kind,
            self.callback.as_ref().unchecked_ref(),
            self.capture,
        );
    }
}

/// A watcher a capability started in JavaScript (`browser::forms`,
/// `browser::vitals`, `browser::heatmap`); dropping it stops it.
#[cfg(any(feature = "forms", feature = "vitals", feature = "heatmap"))]
pub struct Watch {
    flush: Option<js_sys::Function>,
    stop: js_sys::Function,
}

#[cfg(any(feature = "forms", feature = "vitals", feature = "heatmap"))]
impl Watch {
    /// The watcher a JavaScript `watch` returned: its `stop` function, or
    /// `[flush, stop]`; `None` for anything else.
    pub fn from_js(started: JsValue) -> Option<Watch> {
        if let Some(stop) = started.dyn_ref::<js_sys::Function>() {
            return Some(Watch {
                flush: None,
                stop: stop.clone(),
            });
        }
        let pair = started.dyn_into::<js_sys::Array>().ok()?;
        Some(Watch {
            flush: Some(pair.get(0).dyn_into().ok()?),
            stop: pair.get(1).dyn_into().ok()?,
        })
    }

    /// Reports what the watcher holds and has not delivered yet (the page
    /// view is about to end).
    pub fn flush(&self) {
        if let Some(flush) = &self.flush {
            let _ = flush.call0(&JsValue::UNDEFINED);
        }
    }
}

#[cfg(any(feature = "forms", feature = "vitals", feature = "heatmap"))]
impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.stop.call0(&JsValue::UNDEFINED);
    }
}
