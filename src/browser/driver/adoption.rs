//! Adoption in the browser: reads the outboxes of pages that are gone
//! (which ones is the engine's decision) inside a Web Lock, and looks again
//! when another page hands its outbox over or may have vanished.

use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::driver::Driver;
use crate::browser::{clock, environment, transport};
use crate::core::engine::Input;
use crate::core::keys::KEY_PREFIX;

/// Most stored segments read in one adoption (a segment holds up to a
/// batch of events; the outbox keeps `maxQueueEvents` at most anyway).
const MAX_ADOPTED_SEGMENTS: usize = 256;

/// How long the adoption lock is held after its storage writes.
const ADOPT_SETTLE_MS: i32 = 50;

impl Driver {
    /// Adopts the outboxes of pages that are gone. Where the Web Locks API
    /// exists, inside an exclusive lock shared by every tab, held 50 ms past
    /// the storage writes so the next holder reads them: two tabs never
    /// adopt the same events. Elsewhere, at once.
    pub(super) fn adopt(self: &Rc<Self>) {
        let locks = environment::prop(
            &environment::prop(self.window.as_ref(), "navigator"),
            "locks",
        );
        let request = environment::prop(&locks, "request");
        let Some(request) = request.dyn_ref::<js_sys::Function>() else {
            return self.adopt_now();
        };
        let weak = Rc::downgrade(self);
        let holder = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            let Some(d) = weak.upgrade() else {
                return JsValue::UNDEFINED;
            };
            d.adopt_now();
            let window = d.window.clone();
            js_sys::Promise::new(&mut |resolve, _| {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    ADOPT_SETTLE_MS,
                );
            })
            .into()
        });
        if request
            .call2(&locks, &JsValue::from_str("footfall.adopt"), &holder)
            .is_err()
        {
            self.adopt_now();
        }
    }

    /// Adopts in `ms` milliseconds (once, if a look is already planned
    /// by then).
    pub(super) fn adopt_later(self: &Rc<Self>, ms: u32) {
        let at = clock::now().plus(u64::from(ms));
        if self.next_look.get().is_some_and(|planned| planned <= at) {
            return;
        }
        self.next_look.set(Some(at));
        let weak = Rc::downgrade(self);
        let later = Closure::once_into_js(move || {
            if let Some(d) = weak.upgrade() {
                if d.next_look.get() == Some(at) {
                    d.next_look.set(None);
                }
                d.recover();
                d.adopt();
            }
        });
        transport::later(&later, ms);
    }

    /// Reads the orphaned outboxes (the engine decides which) and hands
    /// their records to the engine.
    fn adopt_now(self: &Rc<Self>) {
        if self.is_stopped() {
            return;
        }
        let now = clock::now();
        let keys = self.storage.keys_with_prefix(KEY_PREFIX);
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let survey = match self.engine.try_borrow_mut() {
            Ok(mut engine) => engine.survey(&keys, |k| self.storage.get(k), now),
            Err(_) => return,
        };
        // The ping record, if the engine asked.
        self.settle(now);
        if let Some(ms) = survey.again_in {
            // A page leaving, asked whether it lives, or watched.
            self.adopt_later(ms.min(u64::from(u32::MAX)) as u32);
        }
        let orphans = survey.orphans;
        if orphans.is_empty() {
            return;
        }
        // Bounded: what is left stays an orphan for a later page.
        let mut values = Vec::new();
        for tab in &orphans {
            for key in crate::core::tabs::segments_of(tab, &keys) {
                if values.len() >= MAX_ADOPTED_SEGMENTS {
                    break;
                }
                if let Some(value) = self.storage.get(key) {
                    values.push((key, value));
                }
            }
        }
        let segments: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.call(Input::Adopt {
            tabs: &orphans,
            segments: &segments,
        });
    }
}
