//! The page's lifecycle in the browser: `pagehide`, `pageshow`,
//! `visibilitychange`, `online`/`offline`, `storage` (another tab's consent,
//! ping or hand-over) and the Navigation API's `navigate`; and picking up
//! after a listener the browser ended midway.

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};

use crate::browser::dom::Listener;
use crate::browser::driver::Driver;
use crate::browser::{clock, environment, transport};
use crate::core::consent::KEY_CONSENT;
use crate::core::engine::Input;
use crate::core::keys::KEY_ANONYMOUS_ID;

impl Driver {
    /// Picks up after a listener the browser ended midway. Firefox, closing
    /// a tab, cancels the script running in it up to a few milliseconds
    /// into `pagehide`, wherever it is (before footfall's listener begins,
    /// inside `setItem`, inside `sendBeacon`), and then dispatches
    /// `visibilitychange`: there, a `pagehide` the engine never took in
    /// (the listener ended before it) is given to it now, the storage write
    /// it was ended in is done again, a beacon it was ended in is reported
    /// as cut off (whether it left is unknown), and the effects it did not
    /// reach are carried out. A `pagehide` whose listener never began is
    /// known from [`transport::hid`] (see [`Driver::enter`]).
    pub fn recover(self: &Rc<Self>) {
        if self.flushing.get() {
            return;
        }
        if !self.in_unload.replace(false) {
            return;
        }
        if !self.unload_handled.get() {
            // Ended before the engine heard of it: the page view ends now.
            self.unload_handled.set(true);
            self.flush_before_end();
            let unsent = transport::take_unsent();
            self.dispatch(Input::Unload { unsent: &unsent });
            return;
        }
        let write = self
            .unload_write
            .try_borrow_mut()
            .ok()
            .and_then(|mut w| w.take());
        if let Some(write) = write {
            self.carry_out(write);
        }
        if let Some(batch) = self.beaconing.take() {
            self.dispatch(Input::BeaconCutOff { batch });
        }
    }

    /// `pagehide`: the page leaves (or goes into the back/forward cache).
    fn unload(self: &Rc<Self>) {
        self.in_unload.set(true);
        self.unload_handled.set(false);
        transport::hid();
        self.flush_before_end();
        let unsent = transport::take_unsent();
        let now = clock::now();
        if let Ok(mut engine) = self.engine.try_borrow_mut() {
            engine.handle(now, Input::Unload { unsent: &unsent });
            self.unload_handled.set(true);
        }
        self.settle(now);
        self.in_unload.set(false);
        if let Ok(mut w) = self.unload_write.try_borrow_mut() {
            w.take();
        }
    }

    /// The watchers report what they hold before the page view ends.
    #[inline(never)]
    fn flush_before_end(&self) {
        self.flushing.set(true);
        self.flush_observers();
        self.flushing.set(false);
    }

    pub(super) fn listen(self: &Rc<Self>) {
        let window: &web_sys::EventTarget = self.window.as_ref();
        let mut listeners = Vec::with_capacity(8);
        // Not through `on`: at `pagehide` itself, the note is this event's.
        let weak = Rc::downgrade(self);
        listeners.push(Listener::new(window, "pagehide", move |_| {
            if let Some(d) = weak.upgrade() {
                d.flushing.set(false);
                d.unload();
            }
        }));
        listeners.push(self.on(window, "online", |d, _| d.dispatch(Input::Online(true))));
        // Another tab decided on consent, or handed its outbox over (it
        // closed or navigated away).
        listeners.push(self.on(window, "storage", |d, event| {
            let key = environment::prop(&event, "key")
                .as_string()
                .unwrap_or_default();
            let value = environment::prop(&event, "newValue").as_string();
            if key == crate::core::tabs::PING_KEY {
                d.dispatch(Input::Ping);
            } else if key == KEY_CONSENT {
                let anonymous_id = d.storage.get(KEY_ANONYMOUS_ID);
                let fresh_id = d.random_id();
                d.dispatch(Input::ConsentRecord {
                    record: value.as_deref(),
                    anonymous_id: anonymous_id.as_deref(),
                    fresh_id,
                });
            } else {
                match crate::core::tabs::hand_over_in(&key, value.as_deref()) {
                    Some(0) => d.adopt(),
                    // The page is unloading: its beacons may still take
                    // these events; look again once it must be done.
                    Some(ms) => d.adopt_later(ms as u32),
                    // Another page beats: watch it (a tab may be closed
                    // without `pagehide`).
                    None if key.starts_with(crate::core::tabs::HEARTBEAT_PREFIX) => {
                        d.adopt_later(crate::core::tabs::WATCH_MS as u32)
                    }
                    None => {}
                }
            }
        }));
        // Back from the back/forward cache after handing over on pagehide:
        // another tab may have decided on consent meanwhile.
        listeners.push(self.on(window, "pageshow", |d, event| {
            if environment::prop(&event, "persisted").as_bool() == Some(true) {
                let record = d.consent_store.get(KEY_CONSENT);
                let anonymous_id = d.storage.get(KEY_ANONYMOUS_ID);
                let fresh_id = d.random_id();
                d.dispatch(Input::ConsentRecord {
                    record: record.as_deref(),
                    anonymous_id: anonymous_id.as_deref(),
                    fresh_id,
                });
                let fresh_tab = d.random_id();
                d.dispatch(Input::Resume { fresh_tab });
                d.adopt();
            }
        }));
        listeners.push(self.on(window, "offline", |d, _| d.dispatch(Input::Online(false))));
        // The Navigation API announces a navigation before the page starts
        // unloading (Chromium 102+); elsewhere `pagehide` alone does the job.
        let navigation = environment::prop(self.window.as_ref(), "navigation");
        {
            if let Some(target) = navigation.dyn_ref::<web_sys::EventTarget>() {
                listeners.push(self.on(target, "navigate", |d, event| {
                    if leaves_document(&event) {
                        d.dispatch(Input::Leaving);
                    }
                }));
            }
        }
        if let Some(document) = self.window.document() {
            listeners.push(self.on(document.as_ref(), "visibilitychange", |d, _| {
                let hidden = d.window.document().is_some_and(|doc| doc.hidden());
                if hidden {
                    d.flush_observers();
                }
                d.dispatch(if hidden {
                    Input::Hidden
                } else {
                    Input::Visible
                });
            }));
        }
        #[cfg(feature = "signals")]
        self.listen_signals(&mut listeners);
        #[cfg(feature = "errors")]
        if self.engine.try_borrow().is_ok_and(|e| e.config().errors) {
            for kind in ["error", "unhandledrejection"] {
                listeners.push(self.on(window, kind, |d, event| {
                    if let Some(e) = crate::browser::errors::read(&event) {
                        d.dispatch(Input::PageError(crate::core::errors::ErrorReport {
                            kind: e.kind,
                            message: &e.message,
                            source: &e.source,
                            line: e.line,
                            column: e.column,
                            stack: &e.stack,
                        }));
                    }
                }));
            }
        }
        if let Ok(mut l) = self.listeners.try_borrow_mut() {
            *l = listeners;
        }
    }

    pub(super) fn on(
        self: &Rc<Self>,
        target: &web_sys::EventTarget,
        kind: &'static str,
        f: impl Fn(&Rc<Driver>, JsValue) + 'static,
    ) -> Listener {
        let weak = Rc::downgrade(self);
        Listener::new(target, kind, move |event| {
            if let Some(d) = weak.upgrade() {
                d.enter();
                f(&d, event);
            }
        })
    }

    /// A listener of the browser's begins (not `pagehide`'s, whose note is
    /// its own event's): no watcher is reporting now; a `pagehide` noted by
    /// [`transport::hid`] that footfall's listener never began is taken in;
    /// what a listener the browser ended left undone is done. Read here,
    /// not in every API call: the browser dispatches the next event right
    /// after the `pagehide` it cut.
    #[inline(never)]
    fn enter(self: &Rc<Self>) {
        self.flushing.set(false);
        if transport::hid() && !self.in_unload.get() {
            self.in_unload.set(true);
            self.unload_handled.set(false);
        }
        self.recover();
    }
}

/// Whether a `navigate` event leads to another document (not a same-document
/// route change, not a download).
fn leaves_document(event: &JsValue) -> bool {
    let destination = environment::prop(event, "destination");
    let same_document = environment::prop(&destination, "sameDocument")
        .as_bool()
        .unwrap_or(true);
    let download = environment::prop(event, "downloadRequest");
    !same_document && (download.is_null() || download.is_undefined())
}
