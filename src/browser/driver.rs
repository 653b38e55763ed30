//! The driver: owns the engine, feeds it inputs with the time, carries out
//! its effects, and keeps one timer armed at its deadline.
//!
//! Every callback borrows the engine, handles one input, drains the effects
//! into a `Vec`, and releases the borrow before carrying them out: JavaScript
//! (fetch, storage, a user callback) is never called while the engine is
//! borrowed, so re-entry cannot fail.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::datalayer::{self, Bridge};
use crate::browser::dom::{self, HistoryHook, Listener};
use crate::browser::ids::RandomPool;
use crate::browser::storage::Storage;
use crate::browser::{clock, environment, transport};
use crate::core::config::Config;
use crate::core::consent::{Signals, KEY_CONSENT};
use crate::core::engine::{Boot, Effect, Engine, Input, Stats};
use crate::core::keys::{KEY_ANONYMOUS_ID, KEY_PREFIX, KEY_USER_ID};
use crate::core::outbox::BatchId;
use crate::core::page_view::RouteChange;
use crate::core::session::{SessionBoot, KEY_FIRST_TOUCH, KEY_LAST_TOUCH, KEY_SESSION};
use crate::core::signals::{Needs, PageSignals};
use crate::core::time::WallMs;

thread_local! {
    /// Drivers of live clients. A page that never keeps the client returned
    /// by `init` still tracks: the driver lives here until `shutdown`.
    static LIVE: RefCell<Vec<Rc<Driver>>> = const { RefCell::new(Vec::new()) };
}

/// Most stored segments read in one adoption (a segment holds up to a
/// batch of events; the outbox keeps `maxQueueEvents` at most anyway).
const MAX_ADOPTED_SEGMENTS: usize = 256;

/// Longest time a `flush()` promise stays pending.
const FLUSH_DEADLINE_MS: u32 = 10_000;

/// How long the adoption lock is held after its storage writes.
const ADOPT_SETTLE_MS: i32 = 50;

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
    /// Pushes its `arguments` onto `this` (for gtag-style dataLayer pushes).
    push_arguments: js_sys::Function,
    data_layer_name: String,
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
    /// The `dataLayer.push` wrapper, while forwarding.
    bridge: RefCell<Option<Bridge>>,
    // Behaviour signals (issue 5).
    signals: SignalGlue,
}

/// The browser side of the behaviour signals: what to listen to, the one
/// animation-frame callback that measures scrolling, the history hooks, the
/// last pressed element (described only when a rage burst needs it) and the
/// `onExitIntent` callbacks.
struct SignalGlue {
    needs: Needs,
    /// `document.documentElement` (its `scrollHeight`).
    root: JsValue,
    /// The `requestAnimationFrame` callback, created once.
    frame: Closure<dyn FnMut(JsValue)>,
    /// The requested frame, if any.
    frame_id: Cell<Option<i32>>,
    /// A scroll happened since the last measurement.
    scrolled: Cell<bool>,
    /// A measurement without a scroll was asked for (load, route change).
    view: Cell<bool>,
    hooks: RefCell<Vec<HistoryHook>>,
    target: RefCell<JsValue>,
    exit_callbacks: RefCell<Vec<js_sys::Function>>,
}

impl Driver {
    /// Reads storage and the environment, builds the engine and starts
    /// listening to the page.
    pub fn start(
        config: Config,
        push_arguments: js_sys::Function,
    ) -> Result<Rc<Driver>, &'static str> {
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
        let tab = crate::core::tabs::tab_id(random.take16());
        let session = storage.get(KEY_SESSION);
        let first_touch = storage.get(KEY_FIRST_TOUCH);
        let last_touch = storage.get(KEY_LAST_TOUCH);
        let boot = Boot {
            anonymous_id: anonymous_id.as_deref(),
            user_id: user_id.as_deref(),
            fresh_id: random.take16(),
            tab: &tab,
            seed: random.take_u64(),
            online: window.navigator().on_line(),
            consent_record: consent_record.as_deref(),
            signals,
            session: SessionBoot {
                now: clock::now(),
                session: session.as_deref(),
                first_touch: first_touch.as_deref(),
                last_touch: last_touch.as_deref(),
                fresh_id: random.take16(),
            },
        };
        let data_layer_name = config.data_layer_name.clone();
        let gzip = config.gzip;
        let debug = config.debug;
        let endpoint = config.endpoint.clone();
        let data_layer = config.data_layer.clone();
        let needs = PageSignals::needs(&config.autocapture);
        let root = window.document().map_or(JsValue::UNDEFINED, |d| {
            environment::prop(d.as_ref(), "documentElement")
        });
        let engine = Engine::new(config, environment::read(window.as_ref()), boot);
        let driver = Rc::new_cyclic(|weak: &Weak<Driver>| {
            let on_tick = weak.clone();
            let on_frame = weak.clone();
            let weak = weak.clone();
            Driver {
                window,
                engine: RefCell::new(engine),
                storage,
                consent_store,
                push_arguments,
                data_layer_name,
                gzip,
                beaconing: Cell::new(None),
                endpoint,
                random: RefCell::new(random),
                pending: RefCell::new(Vec::new()),
                in_unload: Cell::new(false),
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
                signals: SignalGlue {
                    needs,
                    root,
                    frame: Closure::new(move |_| {
                        if let Some(d) = on_frame.upgrade() {
                            d.recover();
                            d.measure();
                        }
                    }),
                    frame_id: Cell::new(None),
                    scrolled: Cell::new(false),
                    view: Cell::new(false),
                    hooks: RefCell::new(Vec::new()),
                    target: RefCell::new(JsValue::UNDEFINED),
                    exit_callbacks: RefCell::new(Vec::new()),
                },
                bridge: RefCell::new(None),
            }
        });
        driver.listen();
        driver.start_signals();
        if data_layer.forward {
            let (weak, live) = (Rc::downgrade(&driver), Rc::downgrade(&driver));
            let bridge = Bridge::install(
                driver.window.as_ref(),
                &driver.data_layer_name,
                &data_layer,
                move || live.upgrade().is_some_and(|d| !d.is_stopped()),
                move |name, properties| {
                    if let Some(d) = weak.upgrade() {
                        let id = d.random_id();
                        d.call(Input::Track {
                            name,
                            properties: Some(properties),
                            id,
                        });
                    }
                },
            );
            if let Ok(mut slot) = driver.bridge.try_borrow_mut() {
                *slot = bridge;
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

    /// Adopts the outboxes of pages that are gone. Where the Web Locks API
    /// exists, inside an exclusive lock shared by every tab, held 50 ms past
    /// the storage writes so the next holder reads them: two tabs never
    /// adopt the same events. Elsewhere, at once.
    fn adopt(self: &Rc<Self>) {
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
    fn adopt_later(self: &Rc<Self>, ms: u32) {
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

    /// The storage area a record belongs in.
    fn store_for(&self, key: &str) -> &Storage {
        if key == KEY_CONSENT {
            &self.consent_store
        } else {
            &self.storage
        }
    }

    /// `window[dataLayerName]`, created as an array when missing; never
    /// replaced: a value that is not an object is left alone (`None`).
    fn data_layer(&self) -> Option<JsValue> {
        let name = JsValue::from_str(&self.data_layer_name);
        let layer = js_sys::Reflect::get(&self.window, &name).unwrap_or(JsValue::UNDEFINED);
        if layer.is_object() {
            return Some(layer);
        }
        if !layer.is_undefined() {
            return None;
        }
        let array: JsValue = js_sys::Array::new().into();
        let _ = js_sys::Reflect::set(&self.window, &name, &array);
        Some(array)
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
        self.recover();
        self.dispatch(input);
    }

    /// Feeds one input to the engine and carries out what it asks.
    pub fn dispatch(self: &Rc<Self>, input: Input) {
        let now = clock::now();
        {
            let Ok(mut engine) = self.engine.try_borrow_mut() else {
                return;
            };
            engine.handle(now, input);
        }
        self.settle(now);
    }

    /// Picks up after a listener the browser ended midway. Firefox, closing
    /// a tab, ends the `pagehide` listener a few milliseconds in, wherever
    /// it is (inside `setItem`, inside `sendBeacon`), and then dispatches
    /// `visibilitychange`: there, the storage write it was ended in is done
    /// again, a beacon it was ended in is reported as cut off (whether it
    /// left is unknown), and the effects it did not reach are carried out.
    pub fn recover(self: &Rc<Self>) {
        if !self.in_unload.replace(false) {
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
        let unsent = transport::take_unsent();
        self.dispatch(Input::Unload { unsent: &unsent });
        self.in_unload.set(false);
        if let Ok(mut w) = self.unload_write.try_borrow_mut() {
            w.take();
        }
    }

    /// Carries out pending effects, oldest first, then re-arms the timer.
    ///
    /// Effects wait in a queue and are taken one at a time: a browser may
    /// end a listener midway (Firefox ends a `pagehide` listener a few
    /// milliseconds into it when a tab closes), and what the listener did
    /// not get to is carried out by the next callback (in Firefox, the
    /// `visibilitychange` that follows).
    fn settle(self: &Rc<Self>, now: WallMs) {
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

    fn carry_out(self: &Rc<Self>, effect: Effect) {
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
            Effect::ConsentMode { command, state } => {
                let values = js_sys::Object::new();
                for (key, granted) in state {
                    let value = JsValue::from_str(if granted { "granted" } else { "denied" });
                    let _ = js_sys::Reflect::set(&values, &JsValue::from_str(key), &value);
                }
                let Some(layer) = self.data_layer() else {
                    if self.debug {
                        web_sys::console::warn_1(&JsValue::from_str(
                            "footfall: the dataLayer is not an array; it is left alone and Consent Mode commands are not pushed",
                        ));
                    }
                    return;
                };
                let _ = self.push_arguments.call3(
                    &layer,
                    &JsValue::from_str("consent"),
                    &JsValue::from_str(command),
                    &values,
                );
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
            Effect::DataLayerPush(entry) => {
                datalayer::push_entry(self.window.as_ref(), &self.data_layer_name, &entry);
            }
            Effect::DescribeTarget => {
                let target = self
                    .signals
                    .target
                    .try_borrow()
                    .map_or(JsValue::UNDEFINED, |t| t.clone());
                let (selector, text) = dom::describe(&target);
                self.dispatch(Input::RageTarget {
                    selector: &selector,
                    text: &text,
                });
            }
            Effect::ExitIntent {
                dwell_ms,
                max_scroll_percent,
            } => self.exit_intent(dwell_ms, max_scroll_percent),
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

    fn listen(self: &Rc<Self>) {
        let window: &web_sys::EventTarget = self.window.as_ref();
        let mut listeners = Vec::with_capacity(8);
        listeners.push(self.on(window, "pagehide", |d, _| d.unload()));
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
                d.dispatch(if hidden {
                    Input::Hidden
                } else {
                    Input::Visible
                });
            }));
        }
        self.listen_signals(&mut listeners);
        if let Ok(mut l) = self.listeners.try_borrow_mut() {
            *l = listeners;
        }
    }

    fn on(
        self: &Rc<Self>,
        target: &web_sys::EventTarget,
        kind: &'static str,
        f: impl Fn(&Rc<Driver>, JsValue) + 'static,
    ) -> Listener {
        let weak = Rc::downgrade(self);
        Listener::new(target, kind, move |event| {
            if let Some(d) = weak.upgrade() {
                d.recover();
                f(&d, event);
            }
        })
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
        if let Ok(mut bridge) = self.bridge.try_borrow_mut() {
            bridge.take();
        }
        if let Some((_, id)) = self.timer.take() {
            self.window.clear_timeout_with_handle(id);
        }
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
        self.listeners.try_borrow().map_or(0, |l| l.len())
            + self.signals.hooks.try_borrow().map_or(0, |h| h.len())
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

    /// The current session id.
    pub fn session_id(&self) -> String {
        self.engine
            .try_borrow()
            .map(|e| e.session_id().to_owned())
            .unwrap_or_default()
    }

    /// The storage the driver writes to (for tests and diagnostics).
    pub fn storage(&self) -> &Storage {
        &self.storage
    }
}

// Behaviour signals (issue 5).
impl Driver {
    fn listen_signals(self: &Rc<Self>, listeners: &mut Vec<Listener>) {
        let n = self.signals.needs;
        let window: &web_sys::EventTarget = self.window.as_ref();
        let mut add = |target: &web_sys::EventTarget, kind, signal, capture| {
            listeners.push(self.on_signal(target, kind, signal, capture));
        };
        if n.scroll {
            add(window, "scroll", Signal::Scroll, false);
        }
        if n.pointer_down {
            add(window, "pointerdown", Signal::PointerDown, true);
        }
        if n.activity {
            add(window, "pointermove", Signal::Activity, false);
            add(window, "keydown", Signal::Activity, false);
        }
        if n.mouse_out {
            if let Some(document) = self.window.document() {
                add(document.as_ref(), "mouseout", Signal::MouseOut, false);
            }
        }
        if n.click {
            add(window, "click", Signal::Click, true);
        }
        if n.history {
            add(window, "popstate", Signal::Route(RouteChange::Pop), false);
        }
        if n.hash_change {
            add(
                window,
                "hashchange",
                Signal::Route(RouteChange::Hash),
                false,
            );
        }
        if n.history {
            let history = environment::prop(self.window.as_ref(), "history");
            let mut hooks = Vec::with_capacity(2);
            for (method, change) in [
                ("pushState", RouteChange::Push),
                ("replaceState", RouteChange::Replace),
            ] {
                let weak = Rc::downgrade(self);
                hooks.extend(HistoryHook::install(&history, method, move || {
                    if let Some(d) = weak.upgrade() {
                        d.recover();
                        d.route(change);
                    }
                }));
            }
            if let Ok(mut h) = self.signals.hooks.try_borrow_mut() {
                *h = hooks;
            }
        }
    }

    /// A listener for a signal; every one shares one closure type (one copy
    /// of the glue in the wasm).
    fn on_signal(
        self: &Rc<Self>,
        target: &web_sys::EventTarget,
        kind: &'static str,
        signal: Signal,
        capture: bool,
    ) -> Listener {
        let weak = Rc::downgrade(self);
        let f = move |event: JsValue| {
            if let Some(d) = weak.upgrade() {
                d.recover();
                d.on_signal_event(signal, &event);
            }
        };
        if capture {
            Listener::capture(target, kind, f)
        } else {
            Listener::new(target, kind, f)
        }
    }

    fn on_signal_event(self: &Rc<Self>, signal: Signal, event: &JsValue) {
        match signal {
            Signal::Scroll => self.request_frame(true),
            Signal::PointerDown => self.pointer_down(event),
            Signal::Activity => self.dispatch(Input::Activity),
            Signal::MouseOut => {
                let related = environment::prop(event, "relatedTarget");
                if related.is_null() || related.is_undefined() {
                    self.dispatch(Input::MouseOut {
                        client_y: dom::coordinate(event, "clientY"),
                        left_window: true,
                    });
                }
            }
            Signal::Click => {
                let target = environment::prop(event, "target");
                if let Some((name, properties)) = dom::declared(&target) {
                    self.dispatch(Input::Declared {
                        name: &name,
                        properties: &properties,
                    });
                }
            }
            Signal::Route(change) => self.route(change),
        }
    }

    /// The first page view begins; the first screen is measured.
    fn start_signals(self: &Rc<Self>) {
        let visible = self.window.document().is_none_or(|d| !d.hidden());
        let id = self.random_id();
        self.dispatch(Input::Start {
            id,
            touch: dom::is_touch(self.window.as_ref()),
            visible,
        });
        if self.signals.needs.scroll {
            self.request_frame(false);
        }
    }

    fn stop_signals(&self) {
        if let Some(id) = self.signals.frame_id.take() {
            let _ = self.window.cancel_animation_frame(id);
        }
        if let Ok(mut hooks) = self.signals.hooks.try_borrow_mut() {
            hooks.clear();
        }
        if let Ok(mut callbacks) = self.signals.exit_callbacks.try_borrow_mut() {
            callbacks.clear();
        }
        if let Ok(mut target) = self.signals.target.try_borrow_mut() {
            *target = JsValue::UNDEFINED;
        }
    }

    /// Asks for one measurement at the next animation frame (however many
    /// scroll events come before it).
    fn request_frame(&self, scrolled: bool) {
        let flag = if scrolled {
            &self.signals.scrolled
        } else {
            &self.signals.view
        };
        flag.set(true);
        if self.signals.frame_id.get().is_none() {
            self.next_frame();
        }
    }

    fn next_frame(&self) {
        let callback = self.signals.frame.as_ref().unchecked_ref();
        self.signals
            .frame_id
            .set(self.window.request_animation_frame(callback).ok());
    }

    /// The animation frame: one scroll measurement, if anything asked for
    /// one. While scrolling goes on, the next frame is requested from here:
    /// `requestAnimationFrame` costs about 100 µs when called from a scroll
    /// listener (Chromium schedules a new frame then) and next to nothing from
    /// inside a frame, so a continuous scroll never calls it from the
    /// listener. The first frame without a scroll ends the loop.
    fn measure(self: &Rc<Self>) {
        self.signals.frame_id.set(None);
        let scrolled = self.signals.scrolled.replace(false);
        if !(scrolled | self.signals.view.replace(false)) {
            return;
        }
        let (scroll_y, viewport_h, doc_h) =
            dom::measure_scroll(self.window.as_ref(), &self.signals.root);
        self.dispatch(Input::Scroll {
            scroll_y,
            viewport_h,
            doc_h,
            scrolled,
        });
        if scrolled && self.signals.frame_id.get().is_none() && !self.is_stopped() {
            self.next_frame();
        }
    }

    fn pointer_down(self: &Rc<Self>, event: &JsValue) {
        let primary = environment::prop(event, "isPrimary").as_bool() != Some(false)
            && environment::prop(event, "button").as_f64() == Some(0.0);
        if !primary {
            return self.dispatch(Input::Activity);
        }
        if let Ok(mut target) = self.signals.target.try_borrow_mut() {
            *target = environment::prop(event, "target");
        }
        self.dispatch(Input::PointerDown {
            x: dom::coordinate(event, "clientX"),
            y: dom::coordinate(event, "clientY"),
        });
    }

    /// The location changed: reads the page and lets the engine decide.
    fn route(self: &Rc<Self>, change: RouteChange) {
        let page = environment::page(self.window.as_ref());
        self.dispatch(Input::Route {
            change,
            page: &page,
        });
        if self.signals.needs.scroll {
            self.request_frame(false);
        }
    }

    /// `onExitIntent(callback)`.
    pub fn on_exit_intent(&self, callback: js_sys::Function) {
        if self.is_stopped() {
            return;
        }
        if let Ok(mut callbacks) = self.signals.exit_callbacks.try_borrow_mut() {
            callbacks.push(callback);
        }
    }

    /// Calls the `onExitIntent` callbacks (the engine is not borrowed); one
    /// that throws is reported with `debug` and never stops the others.
    fn exit_intent(&self, dwell_ms: u64, max_scroll_percent: u8) {
        let callbacks = self
            .signals
            .exit_callbacks
            .try_borrow()
            .map(|c| c.clone())
            .unwrap_or_default();
        if callbacks.is_empty() {
            return;
        }
        let detail = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&detail, &"dwellMs".into(), &JsValue::from(dwell_ms as f64));
        let _ = js_sys::Reflect::set(
            &detail,
            &"maxScrollPercent".into(),
            &JsValue::from(max_scroll_percent),
        );
        for callback in callbacks {
            if let Err(error) = callback.call1(&JsValue::UNDEFINED, &detail) {
                if self.debug {
                    web_sys::console::warn_2(
                        &JsValue::from_str("footfall: an onExitIntent callback threw:"),
                        &error,
                    );
                }
            }
        }
    }
}

/// What a signal listener heard.
#[derive(Clone, Copy)]
enum Signal {
    Scroll,
    PointerDown,
    Activity,
    MouseOut,
    Click,
    Route(RouteChange),
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
