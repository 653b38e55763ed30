//! Carrying out the engine's effects, one at a time from a queue (a
//! browser may end a listener midway; the next callback takes up what is
//! left), and the one timer armed at the engine's deadline.

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};

use crate::browser::driver::Driver;
use crate::browser::storage::Storage;
use crate::browser::transport;
use crate::core::consent::KEY_CONSENT;
use crate::core::engine::{Effect, Input};
use crate::core::keys::KEY_PREFIX;
use crate::core::time::WallMs;

impl Driver {
    /// Carries out pending effects, oldest first, then re-arms the timer.
    ///
    /// Effects wait in a queue and are taken one at a time: a browser may
    /// end a listener midway (Firefox ends a `pagehide` listener a few
    /// milliseconds into it when a tab closes), and what the listener did
    /// not get to is carried out by the next callback (in Firefox, the
    /// `visibilitychange` that follows).
    pub(super) fn settle(self: &Rc<Self>, now: WallMs) {
        {
            let (Ok(mut engine), Ok(mut pending)) =
                (self.engine.try_borrow_mut(), self.pending.try_borrow_mut())
            else {
                return;
            };
            pending.extend(std::iter::from_fn(|| engine.poll_effect()));
        }
        loop {
            let effect = match self.pending.try_borrow_mut() {
                Ok(mut pending) if !pending.is_empty() => Some(pending.remove(0)),
                _ => None,
            };
            let Some(effect) = effect else { break };
            let write = self.in_unload.get()
                && matches!(effect, Effect::Store { .. } | Effect::Remove { .. });
            if write {
                if let Ok(mut w) = self.unload_write.try_borrow_mut() {
                    *w = Some(effect.clone());
                }
            }
            self.carry_out(effect);
            if write {
                if let Ok(mut w) = self.unload_write.try_borrow_mut() {
                    *w = None;
                }
            }
        }
        self.arm_timer(now);
    }

    pub(super) fn carry_out(self: &Rc<Self>, effect: Effect) {
        match effect {
            Effect::Send { batch, body } => {
                let weak = Rc::downgrade(self);
                let done = move |status, retry_after: Option<String>, closing| {
                    if let Some(d) = weak.upgrade() {
                        d.call(Input::Response {
                            batch,
                            status,
                            retry_after: retry_after.as_deref(),
                            closing,
                        });
                    }
                };
                transport::post(batch, &self.endpoint, &body, self.gzip, done);
            }
            Effect::Beacon { batch, body } => {
                self.beaconing.set(Some(batch));
                let accepted = transport::beacon(&self.endpoint, &body);
                self.beaconing.set(None);
                self.dispatch(Input::BeaconResult { batch, accepted });
            }
            Effect::Store { key, value } => {
                self.store_for(&key).set(&key, &value);
            }
            Effect::Remove { key } => self.store_for(&key).remove(&key),
            Effect::Purge => {
                // Both areas: a page in cookieless mode may follow one that was not.
                let areas = [Storage::local(&self.window), Storage::session(&self.window)];
                for area in areas.iter().chain([&self.storage]) {
                    for key in area.keys_with_prefix(KEY_PREFIX) {
                        if key != KEY_CONSENT {
                            area.remove(&key);
                        }
                    }
                }
            }
            Effect::FlushDone(ticket) => {
                let done: Vec<js_sys::Function> = {
                    let mut flushes = self.flushes.borrow_mut();
                    let (done, pending) = flushes.drain(..).partition(|(t, _)| *t == ticket);
                    *flushes = pending;
                    done.into_iter().map(|(_, f)| f).collect()
                };
                for resolve in done {
                    let _ = resolve.call0(&JsValue::UNDEFINED);
                }
            }
            Effect::Defer => {
                let _ = js_sys::Promise::resolve(&JsValue::UNDEFINED).then(&self.drain);
            }
            #[cfg(feature = "datalayer")]
            Effect::DataLayer(effect) => self.data_layer_effect(effect),
            #[cfg(feature = "signals")]
            Effect::Signal(effect) => self.signal_effect(effect),
            Effect::Log(what) => {
                if self.debug {
                    let prefix = JsValue::from_str("footfall:");
                    let text = JsValue::from_str(what.as_str());
                    match (what.detail(), what.name()) {
                        (Some(n), _) => web_sys::console::warn_3(&prefix, &text, &JsValue::from(n)),
                        (_, Some(name)) => {
                            web_sys::console::warn_3(&prefix, &text, &JsValue::from_str(name))
                        }
                        _ => web_sys::console::warn_2(&prefix, &text),
                    }
                }
            }
        }
    }

    /// Keeps one `setTimeout` armed at the engine's deadline.
    fn arm_timer(&self, now: WallMs) {
        let deadline = self.engine.try_borrow().ok().and_then(|e| e.poll_timeout());
        let armed = self.timer.get();
        if armed.map(|(at, _)| at) == deadline {
            return;
        }
        if let Some((_, id)) = armed {
            self.window.clear_timeout_with_handle(id);
        }
        self.timer.set(deadline.and_then(|at| {
            let delay = at.since(now).min(i32::MAX as u64) as i32;
            let callback = self.tick.as_ref().unchecked_ref();
            let id = self
                .window
                .set_timeout_with_callback_and_timeout_and_arguments_0(callback, delay)
                .ok()?;
            Some((at, id))
        }));
    }

    /// The storage area a record belongs in.
    fn store_for(&self, key: &str) -> &Storage {
        if key == KEY_CONSENT {
            &self.consent_store
        } else {
            &self.storage
        }
    }
}
