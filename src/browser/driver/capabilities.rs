//! The optional capabilities' watchers in the driver: forms, web vitals,
//! click maps (listeners and observers that feed the engine, started with
//! the page, flushed before a page view ends) and experiments' `variant()`.

// A build without some capabilities leaves some of these unused.
#![cfg_attr(footfall_partial, allow(unused_imports))]

use std::rc::Rc;

use wasm_bindgen::JsValue;

use crate::browser::clock;
use crate::browser::driver::Driver;
use crate::core::engine::Input;

impl Driver {
    /// Watches the page's forms when `autocapture.forms`.
    #[cfg(feature = "forms")]
    pub(super) fn watch_forms(self: &Rc<Self>) {
        if !self.engine.try_borrow().is_ok_and(|e| e.config().forms) {
            return;
        }
        let Some(document) = self.window.document() else {
            return;
        };
        let weak = Rc::downgrade(self);
        let watch =
            crate::browser::forms::start(document.as_ref(), move |submit, form, fields, field| {
                if let Some(d) = weak.upgrade() {
                    if !d.is_stopped() {
                        d.call(Input::Form {
                            submit: submit == 1,
                            form: &form,
                            fields,
                            field: &field,
                        });
                    }
                }
            });
        if let Ok(mut slot) = self.forms.try_borrow_mut() {
            *slot = watch;
        }
    }

    /// Observes the page's web vitals when `autocapture.webVitals`.
    #[cfg(feature = "vitals")]
    pub(super) fn watch_vitals(self: &Rc<Self>) {
        if !self.engine.try_borrow().is_ok_and(|e| e.config().vitals) {
            return;
        }
        let weak = Rc::downgrade(self);
        let watch = crate::browser::vitals::start(move |measure| {
            if let Some(d) = weak.upgrade() {
                if !d.is_stopped() {
                    d.call(Input::Vital(measure));
                }
            }
        });
        if let Ok(mut slot) = self.vitals.try_borrow_mut() {
            *slot = watch;
        }
    }

    /// Watches the page's clicks when `autocapture.heatmap`.
    #[cfg(feature = "heatmap")]
    pub(super) fn watch_clicks(self: &Rc<Self>) {
        if !self.engine.try_borrow().is_ok_and(|e| e.config().heatmap) {
            return;
        }
        let Some(document) = self.window.document() else {
            return;
        };
        let weak = Rc::downgrade(self);
        let watch = crate::browser::heatmap::start(document.as_ref(), move |click| {
            if let Some(d) = weak.upgrade() {
                if !d.is_stopped() {
                    d.call(Input::Click(click));
                }
            }
        });
        if let Ok(mut slot) = self.clicks.try_borrow_mut() {
            *slot = watch;
        }
    }

    /// Delivers what the observers hold and have not reported (performance
    /// entries, clicks being watched): the page view is about to end
    /// (hidden, `pagehide`, a route change).
    pub fn flush_observers(&self) {
        #[cfg(feature = "vitals")]
        if let Ok(slot) = self.vitals.try_borrow() {
            if let Some(watch) = slot.as_ref() {
                watch.flush();
            }
        }
        #[cfg(feature = "heatmap")]
        if let Ok(slot) = self.clicks.try_borrow() {
            if let Some(watch) = slot.as_ref() {
                watch.flush();
            }
        }
    }

    /// `variant(key)`: the variant to show (see `Engine::variant`), the
    /// experiment records read from storage now (another tab may have
    /// written them).
    #[cfg(feature = "experiments")]
    pub fn variant(self: &Rc<Self>, key: &str) -> String {
        use crate::core::experiments::{KEY_EXPOSED, KEY_STICKY};
        self.recover();
        let sticky = self.storage.get(KEY_STICKY);
        let exposed = self.storage.get(KEY_EXPOSED);
        let now = clock::now();
        let variant = {
            let Ok(mut engine) = self.engine.try_borrow_mut() else {
                return String::new();
            };
            let records = crate::core::engine::ExperimentRecords {
                sticky: sticky.as_deref(),
                exposed: exposed.as_deref(),
            };
            engine.variant(now, key, records)
        };
        self.settle(now);
        self.tell_experiment_warnings();
        variant
    }

    /// Logs the warnings about experiments (with `debug`).
    #[cfg(feature = "experiments")]
    pub fn tell_experiment_warnings(&self) {
        let warnings = self
            .engine
            .try_borrow_mut()
            .map(|mut e| e.take_experiment_warnings())
            .unwrap_or_default();
        for w in warnings {
            web_sys::console::warn_3(
                &JsValue::from_str("footfall:"),
                &JsValue::from_str(w.kind.as_str()),
                &JsValue::from_str(&w.key),
            );
        }
    }
}
