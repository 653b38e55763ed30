//! Event listeners that remove themselves when dropped (gloo's pattern).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// A listener on an event target; dropping it removes it.
pub struct Listener {
    target: web_sys::EventTarget,
    kind: &'static str,
    callback: Closure<dyn FnMut(JsValue)>,
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
        let callback = Closure::<dyn FnMut(JsValue)>::new(f);
        let options = web_sys::AddEventListenerOptions::new();
        options.set_passive(true);
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(
            kind,
            callback.as_ref().unchecked_ref(),
            &options,
        );
        Listener {
            target: target.clone(),
            kind,
            callback,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.callback.as_ref().unchecked_ref());
    }
}
