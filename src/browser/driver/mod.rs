//! The driver: owns the engine, feeds it inputs with the time, carries out
//! its effects, and keeps one timer armed at its deadline.
//!
//! Every callback borrows the engine, handles one input, drains the effects
//! into a `Vec`, and releases the borrow before carrying them out: JavaScript
//! (fetch, storage, a user callback) is never called while the engine is
//! borrowed, so re-entry cannot fail.
//!
//! This file holds the driver's state, `start`, the way in (`call`,
//! `dispatch`) and the client's methods; each part has its file:
//! `effects` (carrying out the engine's effects, the timer), `lifecycle`
//! (the page's lifecycle listeners, recovery after a listener the browser
//! ended), `adoption` (other pages' outboxes), `signals` (the behaviour
//! signals' listeners), `datalayer` (the bridge, mirrored pushes, Consent
//! Mode).

mod adoption;
mod capabilities;
#[cfg(feature = "datalayer")]
mod datalayer;
mod effects;
mod lifecycle;
#[cfg(feature = "signals")]
mod signals;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsValue;

use crate::browser::dom::Listener;
use crate::browser::ids::RandomPool;
use crate::browser::storage::Storage;
use crate::browser::{clock, environment, transport};
#[cfg(feature = "attribution")]
use crate::core::attribution::session::{
    SessionBoot, KEY_FIRST_TOUCH, KEY_LAST_TOUCH, KEY_SESSION,
};
use crate::core::config::Config;
use crate::core::consent::{Signals, KEY_CONSENT};
use crate::core::engine::{Boot, Effect, Engine, Input, Stats};
use crate::core::keys::{KEY_ANONYMOUS_ID, KEY_USER_ID};
use crate::core::outbox::BatchId;
#[cfg(feature = "signals")]
use crate::core::signals::PageSignals;
use crate::core::time::WallMs;

#[cfg(feature = "datalayer")]
use datalayer::DataLayerGlue;
#[cfg(feature = "signals")]
use signals::SignalGlue;

thread_local! {
    /// Drivers of live clients. A page that never keeps the client returned
    /// by `init` still tracks: the driver lives here until `shutdown`.
    static LIVE: RefCell<Vec<Rc<Driver>>> = const { RefCell::new(Vec::new()) };
}

/// Longest time a `flush()` promise stays pending.
const FLUSH_DEADLINE_MS: u32 = 10_000;

/// Why the driver could not start.
pub const NO_WINDOW: &str = "footfall: no `window` here; footfall runs on a web page";

/// See the module documentation.
pub struct Driver {
    window: web_sys::Window,
    engine: RefCell<Engine>,
    /// Where footfall's records live: `localStorage`, or `sessionStorage` in
    /// cookieless mode (memory when neither works).
    storage: Storage,
    /// Where the consent record lives: always `localStorage`.
    consent_store: Storage,
    /// Gzip fetch bodies (the `compression: 'gzip'` option, where supported).
    gzip: bool,
    /// The beacon being sent: set just before `sendBeacon`, cleared when it
    /// returned. Still set at the next callback means the browser ended the
    /// listener inside the call (Firefox, closing a tab).
    beaconing: Cell<Option<BatchId>>,
    endpoint: String,
    random: RefCell<RandomPool>,
    /// Effects taken from the engine, not yet carried out (see `settle`).
    pending: RefCell<Vec<Effect>>,
    /// When the next look at other pages' outboxes is planned.
    next_look: Cell<Option<WallMs>>,
    /// The `pagehide` listener is running; still set at the next callback
    /// means the browser ended it midway (see `recover`).
    in_unload: Cell<bool>,
    /// The engine has taken in the `pagehide` of that listener (false
    /// while `in_unload` means the browser ended it before; see `recover`).
    unload_handled: Cell<bool>,
    /// The watchers are reporting what they hold as the page view ends:
    /// their reports are part of that end, not a later callback (cleared
    /// by the next listener, should the browser end this one).
    flushing: Cell<bool>,
    /// The storage write under way in the `pagehide` listener: the one the
    /// browser may have ended it in, done again by `recover`.
    unload_write: RefCell<Option<Effect>>,
    /// The armed `setTimeout`: its deadline and id.
    timer: Cell<Option<(WallMs, i32)>>,
    /// The timer callback, created once: it delivers [`Input::Tick`].
    tick: Closure<dyn FnMut(JsValue)>,
    listeners: RefCell<Vec<Listener>>,
    /// The microtask callback, created once: it delivers [`Input::Drain`].
    drain: Closure<dyn FnMut(JsValue)>,
    flushes: RefCell<Vec<(u32, js_sys::Function)>>,
    next_ticket: Cell<u32>,
    debug: bool,

    // Distribution (issue 7).
    /// The dataLayer: name, bridge, pushes.
    #[cfg(feature = "datalayer")]
    data_layer: DataLayerGlue,
    // Behaviour signals (issue 5).
    #[cfg(feature = "signals")]
    signals: SignalGlue,
    /// The forms being watched (`autocapture.forms`).
    #[cfg(feature = "forms")]
    forms: RefCell<Option<crate::browser::dom::Watch>>,
    /// The performance entries being observed (`autocapture.webVitals`).
    #[cfg(feature = "vitals")]
    vitals: RefCell<Option<crate::browser::dom::Watch>>,
    /// The clicks being watched (`autocapture.heatmap`).
    #[cfg(feature = "heatmap")]
    clicks: RefCell<Option<crate::browser::dom::Watch>>,
}

impl Driver {
    /// Reads storage and the environment, builds the engine and starts
    /// listening to the page.
    pub fn start(config: Config) -> Result<Rc<Driver>, &'static str> {
        let window = web_sys::window().ok_or(NO_WINDOW)?;
        transport::capture();
        let storage = if config.cookieless {
            Storage::session(&window)
        } else {
            Storage::local(&window)
        };
        let consent_store = Storage::local(&window);
        let consent_record = consent_store.get(KEY_CONSENT);
        let navigator = environment::prop(window.as_ref(), "navigator");
        let signals = Signals {
            gpc: environment::prop(&navigator, "globalPrivacyControl").as_bool() == Some(true),
            dnt: environment::prop(&navigator, "doNotTrack")
                .as_string()
                .as_deref()
                == Some("1"),
        };
        let mut random = RandomPool::new();
        let anonymous_id = storage.get(KEY_ANONYMOUS_ID);
        let user_id = storage.get(KEY_USER_ID);
        #[cfg(feature = "ecommerce")]
        let orders = storage.get(crate::core::keys::KEY_ORDERS);
        #[cfg(feature = "experiments")]
        let exposed = storage.get(crate::core::experiments::KEY_EXPOSED);
        let tab = crate::core::tabs::tab_id(random.take16());
        #[cfg(feature = "attribution")]
        let (session, first_touch, last_touch) = (
            storage.get(KEY_SESSION),
            storage.get(KEY_FIRST_TOUCH),
            storage.get(KEY_LAST_TOUCH),
        );
        let boot = Boot {
            anonymous_id: anonymous_id.as_deref(),
            user_id: user_id.as_deref(),
            fresh_id: random.take16(),
            tab: &tab,
            seed: random.take_u64(),
            online: window.navigator().on_line(),
            consent_record: consent_record.as_deref(),
            signals,
            #[cfg(feature = "ecommerce")]
            orders: orders.as_deref(),
            #[cfg(feature = "experiments")]
            exposed: exposed.as_deref(),
            #[cfg(feature = "attribution")]
            session: SessionBoot {
                now: clock::now(),
                session: session.as_deref(),
                first_touch: first_touch.as_deref(),
                last_touch: last_touch.as_deref(),
                fresh_id: random.take16(),
            },
        };
        let gzip = config.gzip;
        let debug = config.debug;
        let endpoint = config.endpoint.clone();
        #[cfg(feature = "datalayer")]
        let data_layer = DataLayerGlue::new(&config);
        #[cfg(feature = "signals")]
        let needs = PageSignals::needs(&config.autocapture);
        let engine = Engine::new(config, environment::read(window.as_ref()), boot);
        let driver = Rc::new_cyclic(|weak: &Weak<Driver>| {
            let on_tick = weak.clone();
            #[cfg(feature = "signals")]
            let signals = SignalGlue::new(&window, needs, weak.clone());
            let weak = weak.clone();
            Driver {
                window,
                engine: RefCell::new(engine),
                storage,
                consent_store,
                gzip,
                beaconing: Cell::new(None),
                endpoint,
                random: RefCell::new(random),
                pending: RefCell::new(Vec::new()),
                in_unload: Cell::new(false),
                unload_handled: Cell::new(false),
                flushing: Cell::new(false),
                next_look: Cell::new(None),
                unload_write: RefCell::new(None),
                timer: Cell::new(None),
                tick: Closure::new(move |_| {
                    if let Some(d) = on_tick.upgrade() {
                        d.timer.set(None);
                        d.call(Input::Tick);
                    }
                }),
                listeners: RefCell::new(Vec::new()),
                drain: Closure::new(move |_| {
                    if let Some(d) = weak.upgrade() {
                        d.call(Input::Drain);
                    }
                }),
                flushes: RefCell::new(Vec::new()),
                next_ticket: Cell::new(1),
                debug,
                #[cfg(feature = "datalayer")]
                data_layer,
                #[cfg(feature = "signals")]
                signals,
                #[cfg(feature = "forms")]
                forms: RefCell::new(None),
                #[cfg(feature = "vitals")]
                vitals: RefCell::new(None),
                #[cfg(feature = "heatmap")]
                clicks: RefCell::new(None),
            }
        });
        driver.listen();
        #[cfg(feature = "signals")]
        driver.start_signals();
        let id = driver.random_id();
        driver.dispatch(Input::Start { id });
        #[cfg(feature = "datalayer")]
        driver.bridge_data_layer();
        #[cfg(feature = "forms")]
        driver.watch_forms();
        #[cfg(feature = "vitals")]
        driver.watch_vitals();
        #[cfg(feature = "heatmap")]
        driver.watch_clicks();
        #[cfg(feature = "experiments")]
        {
            driver.tell_experiment_warnings();
            if let Some(document) = driver.window.document() {
                crate::browser::experiments::apply(&driver, document.as_ref());
            }
        }
        driver.settle(clock::now());
        let _ = LIVE.try_with(|live| {
            if let Ok(mut live) = live.try_borrow_mut() {
                live.push(driver.clone());
            }
        });
        driver.adopt();
        Ok(driver)
    }

    /// The page as the location says now.
    pub fn current_page(&self) -> crate::core::envelope::Page {
        environment::page(self.window.as_ref())
    }

    /// `getConsent()` as JSON text.
    pub fn consent_json(&self) -> String {
        self.engine
            .try_borrow()
            .map(|e| e.consent_json())
            .unwrap_or_default()
    }

    /// Sixteen random bytes for an id.
    pub fn random_id(&self) -> [u8; 16] {
        self.random
            .try_borrow_mut()
            .map(|mut r| r.take16())
            .unwrap_or_default()
    }

    /// Feeds one input from a callback of the page or the browser (a
    /// listener, a timer, an API call): picks up after a listener the
    /// browser ended midway, then dispatches.
    pub fn call(self: &Rc<Self>, input: Input) {
        self.call_at(clock::now(), input);
    }

    /// [`Driver::call`] at `now`, the time the caller already read.
    pub fn call_at(self: &Rc<Self>, now: WallMs, input: Input) {
        self.recover();
        self.dispatch_at(now, input);
    }

    /// Feeds one input to the engine and carries out what it asks.
    pub fn dispatch(self: &Rc<Self>, input: Input) {
        self.dispatch_at(clock::now(), input);
    }

    fn dispatch_at(self: &Rc<Self>, now: WallMs, input: Input) {
        {
            let Ok(mut engine) = self.engine.try_borrow_mut() else {
                return;
            };
            engine.handle(now, input);
        }
        self.settle(now);
    }

    /// `flush()`: a promise settled when everything queued now was answered.
    pub fn flush(self: &Rc<Self>) -> js_sys::Promise {
        let ticket = self.next_ticket.get();
        self.next_ticket.set(ticket.wrapping_add(1));
        let mut resolver = None;
        let promise = js_sys::Promise::new(&mut |resolve, _reject| resolver = Some(resolve));
        if self.is_stopped() {
            return js_sys::Promise::resolve(&JsValue::UNDEFINED);
        }
        if let (Some(resolve), Ok(mut flushes)) = (resolver, self.flushes.try_borrow_mut()) {
            // Settled within 10 s whatever the network does.
            transport::later(&resolve, FLUSH_DEADLINE_MS);
            flushes.push((ticket, resolve));
        }
        self.call(Input::Flush { ticket });
        promise
    }

    /// `shutdown()`: persists what is queued for a later page, removes every
    /// listener and the timer; later calls do nothing.
    pub fn shutdown(self: &Rc<Self>) {
        if self.is_stopped() {
            return;
        }
        self.call(Input::Shutdown);
        if let Ok(mut l) = self.listeners.try_borrow_mut() {
            l.clear();
        }
        #[cfg(feature = "datalayer")]
        self.unbridge_data_layer();
        #[cfg(feature = "forms")]
        if let Ok(mut forms) = self.forms.try_borrow_mut() {
            forms.take();
        }
        #[cfg(feature = "vitals")]
        if let Ok(mut vitals) = self.vitals.try_borrow_mut() {
            vitals.take();
        }
        #[cfg(feature = "heatmap")]
        if let Ok(mut clicks) = self.clicks.try_borrow_mut() {
            clicks.take();
        }
        if let Some((_, id)) = self.timer.take() {
            self.window.clear_timeout_with_handle(id);
        }
        #[cfg(feature = "signals")]
        self.stop_signals();
        let _ = LIVE.try_with(|live| {
            if let Ok(mut live) = live.try_borrow_mut() {
                live.retain(|d| !Rc::ptr_eq(d, self));
            }
        });
    }

    /// Whether `shutdown` was called.
    pub fn is_stopped(&self) -> bool {
        self.engine.try_borrow().is_ok_and(|e| e.is_stopped())
    }

    /// Number of listeners and history hooks attached (0 after `shutdown`).
    pub fn listener_count(&self) -> usize {
        let count = self.listeners.try_borrow().map_or(0, |l| l.len());
        #[cfg(feature = "signals")]
        let count = count + self.signal_hook_count();
        count
    }

    /// Counters for `stats()`.
    pub fn stats(&self) -> Stats {
        self.engine
            .try_borrow()
            .map(|e| e.stats())
            .unwrap_or_default()
    }

    /// The anonymous id.
    pub fn anonymous_id(&self) -> String {
        self.engine
            .try_borrow()
            .map(|e| e.anonymous_id().to_owned())
            .unwrap_or_default()
    }

    /// The current session id (empty in a build without attribution and
    /// sessions).
    pub fn session_id(&self) -> String {
        #[cfg(feature = "attribution")]
        return self
            .engine
            .try_borrow()
            .map(|e| e.session_id().to_owned())
            .unwrap_or_default();
        #[cfg(not(feature = "attribution"))]
        String::new()
    }

    /// `onExitIntent(callback)`: this build has no behaviour signals, so
    /// the callback is never called (a `debug` warning says so).
    #[cfg(not(feature = "signals"))]
    pub fn on_exit_intent(&self, _callback: js_sys::Function) {
        if self.debug {
            web_sys::console::warn_1(&JsValue::from_str(
                "footfall: onExitIntent ignored: this build of footfall leaves out the behaviour signals",
            ));
        }
    }

    /// The storage the driver writes to (for tests and diagnostics).
    pub fn storage(&self) -> &Storage {
        &self.storage
    }
}
