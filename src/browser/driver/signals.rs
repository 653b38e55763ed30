//! The behaviour signals in the browser: the listeners the configuration
//! needs (all of one closure type), one animation-frame callback that
//! measures scrolling, the history hooks, the last pressed element
//! (described only when a rage burst needs it) and the `onExitIntent`
//! callbacks. What the signals mean is decided in the core.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::dom::Listener;
use crate::browser::driver::Driver;
use crate::browser::environment;
use crate::browser::signals::{self as reads, HistoryHook};
use crate::core::engine::Input;
use crate::core::signals::page_view::RouteChange;
use crate::core::signals::{Needs, SignalEffect};

/// The browser side of the behaviour signals: what to listen to, the one
/// animation-frame callback that measures scrolling, the history hooks, the
/// last pressed element (described only when a rage burst needs it) and the
/// `onExitIntent` callbacks.
pub(super) struct SignalGlue {
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

impl SignalGlue {
    /// Listening to what the signals `needs`, nothing attached yet (see
    /// [`Driver::start_signals`]).
    pub(super) fn new(window: &web_sys::Window, needs: Needs, driver: Weak<Driver>) -> SignalGlue {
        let root = window.document().map_or(JsValue::UNDEFINED, |d| {
            environment::prop(d.as_ref(), "documentElement")
        });
        SignalGlue {
            needs,
            root,
            frame: Closure::new(move |_| {
                if let Some(d) = driver.upgrade() {
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
        }
    }
}

impl Driver {
    pub(super) fn listen_signals(self: &Rc<Self>, listeners: &mut Vec<Listener>) {
        let n = self.signals.needs;
        let window: &web_sys::EventTarget = self.window.as_ref();
        let mut add = |target: &web_sys::EventTarget, kind, signal, capture| {
            listeners.push(self.on_signal(target, kind, signal, capture));
        };
        if n.scroll {
            add(window, "scroll", Heard::Scroll, false);
        }
        if n.pointer_down {
            add(window, "pointerdown", Heard::PointerDown, true);
        }
        if n.activity {
            add(window, "pointermove", Heard::Activity, false);
            add(window, "keydown", Heard::Activity, false);
        }
        if n.mouse_out {
            if let Some(document) = self.window.document() {
                add(document.as_ref(), "mouseout", Heard::MouseOut, false);
            }
        }
        if n.click {
            add(window, "click", Heard::Click, true);
        }
        if n.history {
            add(window, "popstate", Heard::Route(RouteChange::Pop), false);
        }
        if n.hash_change {
            add(window, "hashchange", Heard::Route(RouteChange::Hash), false);
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
        heard: Heard,
        capture: bool,
    ) -> Listener {
        let weak = Rc::downgrade(self);
        let f = move |event: JsValue| {
            if let Some(d) = weak.upgrade() {
                d.recover();
                d.on_signal_event(heard, &event);
            }
        };
        if capture {
            Listener::capture(target, kind, f)
        } else {
            Listener::new(target, kind, f)
        }
    }

    fn on_signal_event(self: &Rc<Self>, heard: Heard, event: &JsValue) {
        match heard {
            Heard::Scroll => self.request_frame(true),
            Heard::PointerDown => self.pointer_down(event),
            Heard::Activity => self.dispatch(Input::Activity),
            Heard::MouseOut => {
                let related = environment::prop(event, "relatedTarget");
                if related.is_null() || related.is_undefined() {
                    self.dispatch(Input::MouseOut {
                        client_y: reads::coordinate(event, "clientY"),
                        left_window: true,
                    });
                }
            }
            Heard::Click => {
                let target = environment::prop(event, "target");
                if let Some((name, properties)) = reads::declared(&target) {
                    self.dispatch(Input::Declared {
                        name: &name,
                        properties: &properties,
                    });
                }
            }
            Heard::Route(change) => self.route(change),
        }
    }

    /// The first page view begins; the first screen is measured.
    pub(super) fn start_signals(self: &Rc<Self>) {
        let visible = self.window.document().is_none_or(|d| !d.hidden());
        self.dispatch(Input::SignalsStart {
            touch: reads::is_touch(self.window.as_ref()),
            visible,
        });
        if self.signals.needs.scroll {
            self.request_frame(false);
        }
    }

    pub(super) fn stop_signals(&self) {
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
            reads::measure_scroll(self.window.as_ref(), &self.signals.root);
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
            x: reads::coordinate(event, "clientX"),
            y: reads::coordinate(event, "clientY"),
        });
    }

    /// The location changed: reads the page and lets the engine decide.
    fn route(self: &Rc<Self>, change: RouteChange) {
        let page = environment::page(self.window.as_ref());
        self.flush_observers();
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

    /// Carries out what the signals ask of the page.
    pub(super) fn signal_effect(self: &Rc<Self>, effect: SignalEffect) {
        match effect {
            SignalEffect::DescribeTarget => self.describe_target(),
            SignalEffect::ExitIntent {
                dwell_ms,
                max_scroll_percent,
            } => self.exit_intent(dwell_ms, max_scroll_percent),
        }
    }

    /// Describes the element of the last pointer press and gives it to
    /// the engine (it asked, a rage burst began).
    fn describe_target(self: &Rc<Self>) {
        let target = self
            .signals
            .target
            .try_borrow()
            .map_or(JsValue::UNDEFINED, |t| t.clone());
        let (selector, text) = reads::describe(&target);
        self.dispatch(Input::RageTarget {
            selector: &selector,
            text: &text,
        });
    }

    /// History hooks attached (0 after `shutdown`).
    pub(super) fn signal_hook_count(&self) -> usize {
        self.signals.hooks.try_borrow().map_or(0, |h| h.len())
    }
}

/// What a signal listener heard.
#[derive(Clone, Copy)]
enum Heard {
    Scroll,
    PointerDown,
    Activity,
    MouseOut,
    Click,
    Route(RouteChange),
}
