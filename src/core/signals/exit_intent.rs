//! Exit intent: the moment a visitor is about to leave, while the page can
//! still answer (the seed use case: an offer modal).
//!
//! - **Desktop pointers**: the pointer leaves the document (`mouseout` with
//!   no `relatedTarget`) through the top edge (`clientY` < [`TOP_EDGE_PX`]),
//!   where the tabs, the address bar and the back button are. Chromium
//!   reports the position outside the viewport (a negative `clientY`), so
//!   leaving through the top is moving up.
//! - **Touch devices** (primary pointer coarse), with `touch` on: a fast
//!   upward scroll ([`FAST_SCROLL_PX_PER_MS`]) into the first screen after
//!   the visitor had read at least one screen down (mobile browsers bring
//!   back their address bar on that gesture), or the page becoming hidden
//!   (app or tab switch) without an exit intent before.
//!
//! Either fires only after `min_dwell_ms` on the page view, at most once per
//! page view, and, with `cooldown_ms`, never sooner than that after the
//! previous exit intent of this document (across single-page-app page views).

/// A pointer leaving with `clientY` below this left through the top edge.
pub const TOP_EDGE_PX: i32 = 10;

/// Upward speed of a "fast" scroll on touch devices, in px per ms
/// (2 px/ms = 2000 px/s; a fling is several times faster).
pub const FAST_SCROLL_PX_PER_MS: u64 = 2;

/// Scroll measurements further apart than this give no speed.
pub const MAX_SPEED_GAP_MS: u64 = 250;

/// Exit-intent settings (`autocapture.exitIntent`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitIntentSettings {
    /// Least time on the page view before an exit intent counts.
    /// Default 2000 ms; 0 means none.
    pub min_dwell_ms: u64,
    /// Least time between two exit intents of one document (across page
    /// views). Default 0: once per page view.
    pub cooldown_ms: u64,
    /// Use the touch heuristics on touch devices. Default true.
    pub touch: bool,
}

impl Default for ExitIntentSettings {
    fn default() -> Self {
        ExitIntentSettings {
            min_dwell_ms: 2000,
            cooldown_ms: 0,
            touch: true,
        }
    }
}

/// See the module documentation.
///
/// ```
/// use footfall::core::signals::exit_intent::{ExitIntentDetector, ExitIntentSettings};
/// let mut d = ExitIntentDetector::new(ExitIntentSettings::default(), false);
/// d.on_page_view(0);
/// assert!(!d.on_mouse_out(-3, true, 1500)); // too early
/// assert!(d.on_mouse_out(-3, true, 2500));
/// assert!(!d.on_mouse_out(-3, true, 9000)); // once per page view
/// ```
#[derive(Clone, Debug)]
pub struct ExitIntentDetector {
    settings: ExitIntentSettings,
    touch: bool,
    page_start: u64,
    fired: bool,
    last_fired: Option<u64>,
    /// Previous scroll measurement (offset, time), touch only.
    prev: Option<(u32, u64)>,
    /// Deepest offset of the page view, touch only.
    deepest: u32,
}

impl ExitIntentDetector {
    /// A detector; `touch_device` says whether the primary pointer is coarse.
    pub fn new(settings: ExitIntentSettings, touch_device: bool) -> ExitIntentDetector {
        ExitIntentDetector {
            settings,
            touch: touch_device && settings.touch,
            page_start: 0,
            fired: false,
            last_fired: None,
            prev: None,
            deepest: 0,
        }
    }

    /// Whether the primary pointer is coarse (touch heuristics apply when
    /// the settings allow them).
    pub fn set_touch_device(&mut self, touch_device: bool) {
        self.touch = touch_device && self.settings.touch;
    }

    /// A new page view starts at `t`.
    pub fn on_page_view(&mut self, t: u64) {
        self.page_start = t;
        self.fired = false;
        self.prev = None;
        self.deepest = 0;
    }

    /// Time on the page view at `t`.
    pub fn dwell_ms(&self, t: u64) -> u64 {
        t.saturating_sub(self.page_start)
    }

    /// The pointer left an element: at `client_y`, `left_window` when it
    /// left the document (`relatedTarget` null). True when it is an exit
    /// intent.
    pub fn on_mouse_out(&mut self, client_y: i32, left_window: bool, t: u64) -> bool {
        left_window && client_y < TOP_EDGE_PX && self.fire(t)
    }

    /// A scroll measurement: offset and viewport height. True when it is a
    /// touch exit intent (fast upward scroll into the first screen after
    /// reading at least one screen down).
    pub fn on_scroll(&mut self, scroll_y: u32, viewport_h: u32, t: u64) -> bool {
        if !self.touch {
            return false;
        }
        let prev = self.prev.replace((scroll_y, t));
        self.deepest = self.deepest.max(scroll_y);
        let Some((prev_y, prev_t)) = prev else {
            return false;
        };
        let (Some(up), Some(dt)) = (prev_y.checked_sub(scroll_y), t.checked_sub(prev_t)) else {
            return false;
        };
        let fast = dt <= MAX_SPEED_GAP_MS && u64::from(up) >= FAST_SCROLL_PX_PER_MS * dt.max(1);
        let read = viewport_h > 0 && self.deepest >= viewport_h;
        fast && read && scroll_y < viewport_h && self.fire(t)
    }

    /// The page became hidden. True when it is a touch exit intent (none
    /// fired before in this page view).
    pub fn on_hidden(&mut self, t: u64) -> bool {
        self.touch && self.fire(t)
    }

    fn fire(&mut self, t: u64) -> bool {
        let cooled = self
            .last_fired
            .is_none_or(|last| t.saturating_sub(last) >= self.settings.cooldown_ms);
        if self.fired || self.dwell_ms(t) < self.settings.min_dwell_ms || !cooled {
            return false;
        }
        self.fired = true;
        self.last_fired = Some(t);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug)]
    enum In {
        /// A new page view at t.
        View(u64),
        /// mouseout: (client_y, left_window, t).
        Out(i32, bool, u64),
        /// Scroll: (scroll_y, viewport_h, t).
        Scroll(u32, u32, u64),
        /// Hidden at t.
        Hidden(u64),
    }
    use In::*;

    fn run(settings: ExitIntentSettings, touch: bool, inputs: &[In]) -> Vec<u64> {
        let mut d = ExitIntentDetector::new(settings, touch);
        d.on_page_view(0);
        let mut fired = Vec::new();
        for i in inputs {
            let (hit, t) = match *i {
                View(t) => {
                    d.on_page_view(t);
                    (false, t)
                }
                Out(y, left, t) => (d.on_mouse_out(y, left, t), t),
                Scroll(y, v, t) => (d.on_scroll(y, v, t), t),
                Hidden(t) => (d.on_hidden(t), t),
            };
            if hit {
                fired.push(t);
            }
        }
        fired
    }

    #[test]
    fn desktop_table() {
        let d = ExitIntentSettings::default();
        let s = |min_dwell_ms, cooldown_ms| ExitIntentSettings {
            min_dwell_ms,
            cooldown_ms,
            touch: true,
        };
        #[allow(clippy::type_complexity)]
        let table: Vec<(&str, ExitIntentSettings, Vec<In>, Vec<u64>)> = vec![
            (
                "through the top after the dwell",
                d,
                vec![Out(-5, true, 2000)],
                vec![2000],
            ),
            (
                "before the dwell: nothing, and it stays armed",
                d,
                vec![Out(-5, true, 1999), Out(-5, true, 2500)],
                vec![2500],
            ),
            (
                "once per page view",
                d,
                vec![
                    Out(-5, true, 3000),
                    Out(-5, true, 4000),
                    Out(-1, true, 60_000),
                ],
                vec![3000],
            ),
            (
                "the top band counts, below it does not",
                d,
                vec![Out(10, true, 3000), Out(9, true, 3001)],
                vec![3001],
            ),
            (
                "through the bottom or a side: nothing",
                d,
                vec![Out(800, true, 3000), Out(200, true, 3001)],
                vec![],
            ),
            (
                "to another element (relatedTarget set): nothing",
                d,
                vec![Out(-5, false, 3000), Out(0, false, 3001)],
                vec![],
            ),
            (
                "a new page view re-arms it, with its own dwell",
                d,
                vec![
                    Out(-5, true, 3000),
                    View(5000),
                    Out(-5, true, 6000),
                    Out(-5, true, 7000),
                ],
                vec![3000, 7000],
            ),
            (
                "min dwell 0 means none",
                s(0, 0),
                vec![Out(-5, true, 0)],
                vec![0],
            ),
            (
                "a cooldown spans page views",
                s(0, 10_000),
                vec![
                    Out(-5, true, 100),
                    View(200),
                    Out(-5, true, 300),
                    View(10_050),
                    Out(-5, true, 10_100),
                ],
                vec![100, 10_100],
            ),
            (
                "cooldown 0: each page view may fire",
                s(0, 0),
                vec![Out(-5, true, 100), View(200), Out(-5, true, 300)],
                vec![100, 300],
            ),
            (
                "desktop ignores hidden and scrolls",
                d,
                vec![
                    Scroll(3000, 800, 2500),
                    Scroll(100, 800, 2516),
                    Hidden(5000),
                ],
                vec![],
            ),
        ];
        for (what, settings, inputs, want) in table {
            assert_eq!(run(settings, false, &inputs), want, "{what}");
        }
    }

    #[test]
    fn touch_table() {
        let d = ExitIntentSettings::default();
        let off = ExitIntentSettings { touch: false, ..d };
        #[allow(clippy::type_complexity)]
        let table: Vec<(&str, ExitIntentSettings, Vec<In>, Vec<u64>)> = vec![
            (
                "a fling up into the first screen after reading",
                d,
                vec![
                    Scroll(2000, 800, 2500),
                    Scroll(1000, 800, 2600),
                    Scroll(700, 800, 2616),
                ],
                vec![2616],
            ),
            (
                "a fling up that stays below the first screen: nothing",
                d,
                vec![Scroll(3000, 800, 2500), Scroll(2000, 800, 2516)],
                vec![],
            ),
            (
                "a slow scroll up (1 px/ms): nothing",
                d,
                vec![
                    Scroll(1600, 800, 2500),
                    Scroll(1000, 800, 3100),
                    Scroll(500, 800, 3600),
                ],
                vec![],
            ),
            (
                "without reading a screen first: nothing",
                d,
                vec![Scroll(700, 800, 2500), Scroll(0, 800, 2516)],
                vec![],
            ),
            (
                "measurements too far apart give no speed",
                d,
                vec![Scroll(2000, 800, 2500), Scroll(0, 800, 3000)],
                vec![],
            ),
            (
                "a fling before the dwell: nothing",
                d,
                vec![Scroll(2000, 800, 1000), Scroll(100, 800, 1016)],
                vec![],
            ),
            (
                "hidden after the dwell, no exit intent before",
                d,
                vec![Hidden(3000)],
                vec![3000],
            ),
            (
                "hidden before the dwell: nothing",
                d,
                vec![Hidden(1000)],
                vec![],
            ),
            (
                "hidden after a fling: once",
                d,
                vec![
                    Scroll(2000, 800, 2500),
                    Scroll(100, 800, 2516),
                    Hidden(4000),
                ],
                vec![2516],
            ),
            (
                "pointers still count on touch devices",
                d,
                vec![Out(-5, true, 2000), Hidden(4000)],
                vec![2000],
            ),
            (
                "touch: false turns the heuristics off",
                off,
                vec![
                    Scroll(2000, 800, 2500),
                    Scroll(100, 800, 2516),
                    Hidden(4000),
                ],
                vec![],
            ),
            (
                "a new page view forgets the depth read",
                d,
                vec![
                    Scroll(2000, 800, 2500),
                    View(2600),
                    Scroll(700, 800, 5000),
                    Scroll(0, 800, 5016),
                ],
                vec![],
            ),
        ];
        for (what, settings, inputs, want) in table {
            assert_eq!(run(settings, true, &inputs), want, "{what}");
        }
    }

    #[test]
    fn dwell_is_time_on_the_page_view() {
        let mut d = ExitIntentDetector::new(ExitIntentSettings::default(), false);
        d.on_page_view(1000);
        assert_eq!(d.dwell_ms(3500), 2500);
        assert_eq!(d.dwell_ms(500), 0, "a clock going backwards");
    }
}
