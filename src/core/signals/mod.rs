//! Behaviour signals of one page view, together (the `signals` capability):
//! the detectors the engine owns, fed with plain inputs, and the automatic
//! events they produce.
//!
//! Each detector stands alone in its file with plain arguments and is
//! tested with tables: [`scroll_depth`], [`rage_click`], [`exit_intent`],
//! [`engagement`] (engaged time), [`page_view`] (which route changes of a
//! single-page app are page views) and [`element`] (what a clicked element
//! is: a short selector, its visible text, its `data-ff-*` attributes).
//!
//! [`PageSignals`] holds the per-page detectors (scroll milestones, rage clicks,
//! exit intent, engaged time) and the single-page-app route rules. Its
//! `on_*` methods take what the browser layer measured; [`PageSignals::poll_auto`]
//! yields what to do, in order: automatic track events (name and properties
//! as JSON text), exit-intent callbacks, and requests to describe a rage
//! click's target. The engine turns each into an event through its one
//! automatic-event path.
//!
//! A page view ends (route change, `pagehide`, hidden) with the rage burst
//! in progress and then `page_leave`. After a `page_leave` on hidden, a page
//! that becomes visible again continues the same page view, and its next end
//! sends another `page_leave` with the engaged time since the previous one,
//! so the `engaged_ms` of a page view's `page_leave` events add up.

pub mod element;
pub mod engagement;
pub mod exit_intent;
pub mod page_view;
pub mod rage_click;
pub mod scroll_depth;

use crate::core::config::Autocapture;
use crate::core::json::{push_str, push_u64};
use crate::core::signals::element::{clean_text, MAX_TEXT_BYTES};
use crate::core::signals::engagement::EngagedTime;
use crate::core::signals::exit_intent::ExitIntentDetector;
use crate::core::signals::page_view::{RouteChange, RouteRules};
use crate::core::signals::rage_click::{RageBurst, RageClickDetector, RageClickSettings};
use crate::core::signals::scroll_depth::{Milestones, ScrollMilestones, ScrollSettings};
use crate::core::time::WallMs;

/// What the behaviour signals ask of the page (in
/// [`Effect::Signal`](crate::core::engine::Effect::Signal)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignalEffect {
    /// Describe the target of the last pointer press (a short CSS selector
    /// and its text) and answer with
    /// [`Input::RageTarget`](crate::core::engine::Input::RageTarget).
    DescribeTarget,
    /// Call the `onExitIntent` callbacks.
    ExitIntent {
        /// Time on the page view.
        dwell_ms: u64,
        /// Deepest percent of the page seen.
        max_scroll_percent: u8,
    },
}

/// Something the engine must do for the signals, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auto {
    /// Record the automatic track event `name` with `properties` (a JSON object).
    Track(&'static str, String),
    /// Call the `onExitIntent` callbacks.
    ExitIntent {
        /// Time on the page view.
        dwell_ms: u64,
        /// Deepest percent of the page seen.
        max_scroll_percent: u8,
    },
    /// Describe the target of the click that made a rage burst (answered
    /// with [`PageSignals::on_target`]).
    DescribeTarget,
}

/// What the browser layer needs to listen to, from the configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// Scroll measurements (milestones, max scroll for `page_leave` and
    /// `exit_intent`, touch exit intent).
    pub scroll: bool,
    /// `pointerdown` (rage clicks, engaged time).
    pub pointer_down: bool,
    /// Pointer moves and keys (engaged time).
    pub activity: bool,
    /// `mouseout` (exit intent).
    pub mouse_out: bool,
    /// `click` (declarative clicks).
    pub click: bool,
    /// `history` wrappers and `popstate`.
    pub history: bool,
    /// `hashchange`.
    pub hash_change: bool,
}

/// See the module documentation.
#[derive(Clone, Debug)]
pub struct PageSignals {
    page_leave: bool,
    scroll: ScrollMilestones,
    rage: RageClickDetector,
    /// Selector and text of the rage burst in progress.
    rage_target: Option<(String, String)>,
    exit: Option<ExitIntentDetector>,
    engaged: EngagedTime,
    routes: RouteRules,
    visible: bool,
    /// `page_leave` was sent and the page has not been visible since.
    left: bool,
    /// Exit intent is on and the device is touch (its scroll heuristic).
    touch_exit: bool,
    /// [`start`](Self::start) was called: a page view is under way.
    started: bool,
    out: Vec<Auto>,
}

impl PageSignals {
    /// PageSignals for `autocapture` on a page at `url` / `path`. Inert until
    /// [`start`](Self::start).
    pub fn new(autocapture: &Autocapture, url: &str, path: &str) -> PageSignals {
        let no_milestones = ScrollSettings {
            milestones: Milestones::default(),
            short_pages: false,
        };
        let off = RageClickSettings {
            clicks: 0,
            ..RageClickSettings::default()
        };
        PageSignals {
            page_leave: autocapture.page_leave,
            scroll: ScrollMilestones::new(
                autocapture.scroll_depth.as_ref().unwrap_or(&no_milestones),
            ),
            rage: RageClickDetector::new(autocapture.rage_click.unwrap_or(off)),
            rage_target: None,
            exit: autocapture
                .exit_intent
                .map(|s| ExitIntentDetector::new(s, false)),
            engaged: EngagedTime::default(),
            routes: RouteRules::new(autocapture.hash_change, url, path),
            visible: false,
            left: false,
            touch_exit: false,
            started: false,
            out: Vec::new(),
        }
    }

    /// What the browser layer must listen to for `autocapture`.
    pub fn needs(a: &Autocapture) -> Needs {
        let rage = a.rage_click.is_some_and(|r| r.clicks >= 2);
        Needs {
            scroll: a.scroll_depth.is_some() || a.page_leave || a.exit_intent.is_some(),
            pointer_down: rage || a.page_leave,
            activity: a.page_leave,
            mouse_out: a.exit_intent.is_some(),
            click: a.clicks,
            history: a.history,
            hash_change: a.history && a.hash_change,
        }
    }

    /// The first page view starts at `now`; `touch`: the primary pointer is
    /// coarse; `visible`: the page is visible.
    pub fn start(&mut self, now: WallMs, touch: bool, visible: bool) {
        if let Some(exit) = self.exit.as_mut() {
            exit.set_touch_device(touch);
        }
        self.touch_exit = touch && self.exit.is_some();
        self.visible = visible;
        self.started = true;
        self.begin(now);
    }

    /// Whether a route change makes a new page view (see
    /// [`RouteRules`]); remembers the location either way.
    pub fn on_route(&mut self, change: RouteChange, url: &str, path: &str) -> bool {
        self.routes.on_route(change, url, path)
    }

    /// A new page view starts at `now`: every per-page detector restarts.
    pub fn begin(&mut self, now: WallMs) {
        self.scroll.reset();
        self.rage.finish();
        self.rage_target = None;
        if let Some(exit) = self.exit.as_mut() {
            exit.on_page_view(now.0);
        }
        self.engaged = EngagedTime::new(now.0, self.visible);
        self.left = false;
    }

    /// The page view ends at `now` (a route change): the rage burst in
    /// progress, then `page_leave`.
    pub fn end(&mut self, now: WallMs) {
        self.finish_rage();
        self.leave(now);
    }

    /// A scroll measurement: offset, viewport and document heights in CSS
    /// pixels; `scrolled` when a scroll caused it (else load or route
    /// change). Scrolling is an input.
    pub fn on_scroll(
        &mut self,
        now: WallMs,
        scroll_y: u32,
        viewport_h: u32,
        doc_h: u32,
        scrolled: bool,
    ) {
        loop {
            let milestone = if scrolled {
                self.scroll.on_scroll(scroll_y, viewport_h, doc_h)
            } else {
                self.scroll.on_view(scroll_y, viewport_h, doc_h)
            };
            let Some(percent) = milestone else { break };
            let mut props = String::new();
            push_number(&mut props, "{\"percent\":", percent.into());
            props.push('}');
            self.out.push(Auto::Track("scroll_depth", props));
        }
        if scrolled {
            self.engaged.on_input(now.0);
            let fired = self.touch_exit
                && self
                    .exit
                    .as_mut()
                    .is_some_and(|e| e.on_scroll(scroll_y, viewport_h, now.0));
            if fired {
                self.exit_intent(now);
            }
        }
    }

    /// A primary pointer press at viewport (`x`, `y`): an input, and a click
    /// for the rage detector.
    pub fn on_pointer_down(&mut self, now: WallMs, x: i32, y: i32) {
        self.engaged.on_input(now.0);
        let was_rage = self.rage.in_burst();
        let rage = self.rage.on_click(x, y, now.0);
        self.poll_rage(now);
        if rage && !was_rage {
            self.rage_target = None;
            self.out.push(Auto::DescribeTarget);
        }
    }

    /// The selector and text of the rage burst's target (after
    /// [`Auto::DescribeTarget`]); the text is cleaned and cut here.
    pub fn on_target(&mut self, selector: &str, text: &str) {
        if self.rage.in_burst() {
            self.rage_target = Some((selector.to_owned(), clean_text(text, MAX_TEXT_BYTES)));
        }
    }

    /// The pointer left an element (`left_window`: it left the document).
    pub fn on_mouse_out(&mut self, now: WallMs, client_y: i32, left_window: bool) {
        if self
            .exit
            .as_mut()
            .is_some_and(|e| e.on_mouse_out(client_y, left_window, now.0))
        {
            self.exit_intent(now);
        }
    }

    /// An input (pointer move, key press, declarative click).
    pub fn on_input(&mut self, now: WallMs) {
        self.engaged.on_input(now.0);
    }

    /// The page became hidden: the rage burst in progress, a touch exit
    /// intent, then `page_leave`.
    pub fn on_hidden(&mut self, now: WallMs) {
        self.finish_rage();
        if self.exit.as_mut().is_some_and(|e| e.on_hidden(now.0)) {
            self.exit_intent(now);
        }
        self.engaged.on_hidden(now.0);
        self.visible = false;
        self.leave(now);
    }

    /// The page became visible again: the page view goes on.
    pub fn on_visible(&mut self, now: WallMs) {
        self.engaged.on_visible(now.0);
        self.visible = true;
        self.left = false;
    }

    /// `pagehide`: the rage burst in progress, then `page_leave` unless
    /// hidden already sent it.
    pub fn on_unload(&mut self, now: WallMs) {
        self.finish_rage();
        self.leave(now);
    }

    /// `shutdown()`: reports the rage burst in progress.
    pub fn on_shutdown(&mut self) {
        self.finish_rage();
    }

    /// The deadline from [`poll_timeout`](Self::poll_timeout) passed.
    pub fn on_tick(&mut self, now: WallMs) {
        self.poll_rage(now);
    }

    /// When to call [`on_tick`](Self::on_tick): the end of a rage burst.
    pub fn poll_timeout(&self) -> Option<WallMs> {
        self.rage.poll_timeout().map(WallMs)
    }

    /// The next thing to do, in order.
    pub fn poll_auto(&mut self) -> Option<Auto> {
        if self.out.is_empty() {
            return None;
        }
        Some(self.out.remove(0))
    }

    /// The deepest percent of the page seen in this page view.
    pub fn max_scroll_percent(&self) -> u8 {
        self.scroll.max_percent()
    }

    fn poll_rage(&mut self, now: WallMs) {
        if let Some(burst) = self.rage.poll_burst(now.0) {
            self.rage_click(burst);
        }
    }

    fn finish_rage(&mut self) {
        if let Some(burst) = self.rage.finish() {
            self.rage_click(burst);
        }
    }

    fn rage_click(&mut self, b: RageBurst) {
        let (selector, text) = self.rage_target.take().unwrap_or_default();
        let mut p = String::with_capacity(64 + selector.len() + text.len());
        push_number(&mut p, "{\"clicks\":", b.clicks.into());
        push_number(&mut p, ",\"x\":", b.x.into());
        push_number(&mut p, ",\"y\":", b.y.into());
        p.push_str(",\"selector\":");
        push_str(&mut p, &selector);
        p.push_str(",\"text\":");
        push_str(&mut p, &text);
        p.push('}');
        self.out.push(Auto::Track("rage_click", p));
    }

    fn exit_intent(&mut self, now: WallMs) {
        let dwell_ms = self.exit.as_ref().map_or(0, |e| e.dwell_ms(now.0));
        let max_scroll_percent = self.max_scroll_percent();
        self.out.push(Auto::ExitIntent {
            dwell_ms,
            max_scroll_percent,
        });
        self.out.push(Auto::Track(
            "exit_intent",
            ms_and_percent("{\"dwell_ms\":", dwell_ms, max_scroll_percent),
        ));
    }

    fn leave(&mut self, now: WallMs) {
        if !self.page_leave || self.left || !self.started {
            return;
        }
        self.left = true;
        let engaged_ms = self.engaged.take(now.0);
        self.out.push(Auto::Track(
            "page_leave",
            ms_and_percent("{\"engaged_ms\":", engaged_ms, self.max_scroll_percent()),
        ));
    }
}

/// `{"<key>":<ms>,"max_scroll_percent":<percent>}`; `head` is `{"<key>":`.
fn ms_and_percent(head: &str, ms: u64, percent: u8) -> String {
    let mut p = String::with_capacity(48);
    push_number(&mut p, head, ms.min(i64::MAX as u64) as i64);
    push_number(&mut p, ",\"max_scroll_percent\":", percent.into());
    p.push('}');
    p
}

/// Appends `prefix` then `n` in decimal.
fn push_number(out: &mut String, prefix: &str, n: i64) {
    out.push_str(prefix);
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

#[cfg(test)]
mod tests;
