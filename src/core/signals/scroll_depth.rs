//! Scroll depth: how far down the page a visitor has seen, and the
//! milestones (25, 50, 75, 90, 100 % by default) reached for the first time.
//!
//! Percent seen = (scroll offset + viewport height) / document height, so the
//! first screen already counts. A page no taller than the viewport is seen
//! whole (100 %) but reports no milestone unless `short_pages` is set: a
//! short page would otherwise send a burst of every milestone on load.
//! Milestones are reported from measurements taken on a scroll; a
//! measurement taken without one (load, route change) only records what is
//! seen, except for a short page with `short_pages`. The document height is
//! measured each time, so a page that grows (lazy content) is followed: the
//! same offset then means a smaller percent, and milestones already reached
//! stay reached.

/// Milestones by default, in percent (API.md).
pub const DEFAULT_MILESTONES: Milestones = Milestones::of(&[25, 50, 75, 90, 100]);

/// A set of milestones, 1 to 100 percent (a bit per percent: no
/// allocation, no sorting).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Milestones(u128);

impl Milestones {
    /// The set of `percents` (values outside 1 to 100 are ignored).
    pub const fn of(percents: &[u8]) -> Milestones {
        let mut bits = 0u128;
        let mut rest = percents;
        while let [p, tail @ ..] = rest {
            if *p >= 1 && *p <= 100 {
                bits |= 1 << *p;
            }
            rest = tail;
        }
        Milestones(bits)
    }

    /// Milestones from user input: floored, kept when 1 to 100.
    ///
    /// ```
    /// use footfall::core::signals::scroll_depth::Milestones;
    /// let m = Milestones::from_numbers(&[50.0, 10.5, 50.0, 0.0, 101.0, f64::NAN]);
    /// assert_eq!(m.percents(), vec![10, 50]);
    /// ```
    pub fn from_numbers(values: &[f64]) -> Milestones {
        let mut bits = 0u128;
        for v in values {
            if (1.0..101.0).contains(v) {
                bits |= 1 << (*v as u32);
            }
        }
        Milestones(bits)
    }

    /// The lowest milestone above `after` and at most `upto`.
    pub fn next(self, after: u8, upto: u8) -> Option<u8> {
        let above = self.0.checked_shr(u32::from(after) + 1)? << (u32::from(after) + 1);
        if above == 0 {
            return None;
        }
        let p = above.trailing_zeros();
        (p <= u32::from(upto)).then_some(p as u8)
    }

    /// The percents, ascending.
    pub fn percents(self) -> Vec<u8> {
        (1..=100u8).filter(|p| (self.0 >> p) & 1 == 1).collect()
    }

    /// Whether there are none.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A page whose bottom is within this many pixels of the viewport's bottom
/// counts as scrolled to 100 % (fractional offsets, zoom and rounding).
pub const BOTTOM_SLACK_PX: u32 = 2;

/// Scroll-depth settings (`autocapture.scrollDepth`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScrollSettings {
    /// Percentages to report. Default [`DEFAULT_MILESTONES`]; empty reports
    /// none.
    pub milestones: Milestones,
    /// Report every milestone for a page no taller than the viewport, on
    /// load. Default false.
    pub short_pages: bool,
}

impl Default for ScrollSettings {
    fn default() -> Self {
        ScrollSettings {
            milestones: DEFAULT_MILESTONES,
            short_pages: false,
        }
    }
}

/// The percent of the page seen, 0 to 100, or `None` when the page is no
/// taller than the viewport (nothing to scroll).
///
/// ```
/// use footfall::core::signals::scroll_depth::percent_seen;
/// assert_eq!(percent_seen(0, 800, 3200), Some(25));
/// assert_eq!(percent_seen(2399, 800, 3200), Some(100)); // within the slack
/// assert_eq!(percent_seen(0, 800, 800), None);
/// ```
pub fn percent_seen(scroll_y: u32, viewport_h: u32, doc_h: u32) -> Option<u8> {
    if doc_h <= viewport_h {
        return None;
    }
    let bottom = u64::from(scroll_y) + u64::from(viewport_h);
    if bottom + u64::from(BOTTOM_SLACK_PX) >= u64::from(doc_h) {
        return Some(100);
    }
    let percent = (bottom * 100).checked_div(u64::from(doc_h)).unwrap_or(100);
    Some(percent.min(100) as u8)
}

/// See the module documentation.
///
/// ```
/// use footfall::core::signals::scroll_depth::{ScrollMilestones, ScrollSettings};
/// let mut s = ScrollMilestones::new(&ScrollSettings::default());
/// // 4000 px page, 1000 px viewport: scrolled to 1000 px, 50 % seen.
/// assert_eq!(s.on_scroll(1000, 1000, 4000), Some(25));
/// assert_eq!(s.on_scroll(1000, 1000, 4000), Some(50));
/// assert_eq!(s.on_scroll(1000, 1000, 4000), None);
/// assert_eq!(s.max_percent(), 50);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ScrollMilestones {
    milestones: Milestones,
    short_pages: bool,
    /// The highest milestone reported (0: none).
    reported: u8,
    /// Deepest percent that counts for milestones.
    reached: u8,
    /// Deepest percent seen, for `max_scroll_percent`.
    seen: u8,
}

impl ScrollMilestones {
    /// Tracks `settings.milestones`.
    pub fn new(settings: &ScrollSettings) -> ScrollMilestones {
        ScrollMilestones {
            milestones: settings.milestones,
            short_pages: settings.short_pages,
            reported: 0,
            reached: 0,
            seen: 0,
        }
    }

    /// A measurement taken on a scroll: the scroll offset, the viewport's and
    /// the document's heights, in CSS pixels. Returns the lowest milestone
    /// reached for the first time in this page view, if any. A jump past
    /// several milestones reports them one per call, lowest first: call again
    /// (with the same or a later measurement) until it returns `None`.
    pub fn on_scroll(&mut self, scroll_y: u32, viewport_h: u32, doc_h: u32) -> Option<u8> {
        self.measure(scroll_y, viewport_h, doc_h, true)
    }

    /// A measurement taken without a scroll (on load or a route change):
    /// records what is seen; reports milestones only for a short page with
    /// `short_pages` set. Same calling convention as `on_scroll`.
    pub fn on_view(&mut self, scroll_y: u32, viewport_h: u32, doc_h: u32) -> Option<u8> {
        self.measure(scroll_y, viewport_h, doc_h, false)
    }

    fn measure(
        &mut self,
        scroll_y: u32,
        viewport_h: u32,
        doc_h: u32,
        scrolled: bool,
    ) -> Option<u8> {
        match percent_seen(scroll_y, viewport_h, doc_h) {
            Some(p) => {
                self.seen = self.seen.max(p);
                if scrolled {
                    self.reached = self.reached.max(p);
                }
            }
            // Nothing measured (no viewport): nothing seen.
            None if viewport_h == 0 => {}
            None => {
                self.seen = 100;
                if self.short_pages {
                    self.reached = 100;
                }
            }
        }
        let next = self.milestones.next(self.reported, self.reached)?;
        self.reported = next;
        Some(next)
    }

    /// The deepest percent seen in this page view (100 for a short page).
    pub fn max_percent(&self) -> u8 {
        self.seen
    }

    /// Starts a new page view: nothing reached, nothing seen.
    pub fn reset(&mut self) {
        self.reported = 0;
        self.reached = 0;
        self.seen = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug)]
    enum M {
        /// On a scroll: (scroll_y, viewport_h, doc_h).
        Scroll(u32, u32, u32),
        /// Without a scroll.
        View(u32, u32, u32),
    }
    use M::*;

    /// Every milestone reported per measurement, and the max seen at the end.
    fn run(settings: &ScrollSettings, ms: &[M]) -> (Vec<Vec<u8>>, u8) {
        let mut s = ScrollMilestones::new(settings);
        let out = ms
            .iter()
            .map(|m| {
                std::iter::from_fn(|| match *m {
                    Scroll(y, v, d) => s.on_scroll(y, v, d),
                    View(y, v, d) => s.on_view(y, v, d),
                })
                .collect()
            })
            .collect();
        (out, s.max_percent())
    }

    #[test]
    fn percent_table() {
        for (y, v, d, want) in [
            (0, 800, 8000, Some(10)),
            (800, 800, 8000, Some(20)),
            (7199, 800, 8000, Some(100)), // 1 px from the bottom
            (7198, 800, 8000, Some(100)), // 2 px from the bottom
            (7197, 800, 8000, Some(99)),
            (9000, 800, 8000, Some(100)), // overscroll
            (0, 800, 800, None),          // exactly one screen
            (0, 800, 300, None),          // short page
            (0, 0, 0, None),              // nothing measured
            (0, 0, 100, Some(0)),         // no viewport height
            (u32::MAX, u32::MAX, u32::MAX, None),
            (u32::MAX - 1, 1, u32::MAX, Some(100)),
        ] {
            assert_eq!(percent_seen(y, v, d), want, "{y} {v} {d}");
        }
    }

    #[test]
    fn milestones_table() {
        let d = ScrollSettings::default();
        let short = ScrollSettings {
            short_pages: true,
            ..ScrollSettings::default()
        };
        let custom = ScrollSettings {
            milestones: Milestones::of(&[10, 33]),
            short_pages: false,
        };
        let none = ScrollSettings {
            milestones: Milestones::default(),
            short_pages: true,
        };
        #[allow(clippy::type_complexity)]
        let table: Vec<(&str, &ScrollSettings, Vec<M>, Vec<Vec<u8>>, u8)> = vec![
            (
                "load alone reports nothing, but records what is seen",
                &d,
                vec![View(0, 1000, 4000)],
                vec![vec![]],
                25,
            ),
            (
                "the first scroll reports what the first screen already shows",
                &d,
                vec![View(0, 1000, 4000), Scroll(1, 1000, 4000)],
                vec![vec![], vec![25]],
                25,
            ),
            (
                "step by step, each once",
                &d,
                vec![
                    Scroll(1000, 1000, 4000),
                    Scroll(2000, 1000, 4000),
                    Scroll(2600, 1000, 4000),
                    Scroll(3000, 1000, 4000),
                ],
                vec![vec![25, 50], vec![75], vec![90], vec![100]],
                100,
            ),
            (
                "a jump to the bottom reports every milestone in order",
                &d,
                vec![Scroll(3000, 1000, 4000)],
                vec![vec![25, 50, 75, 90, 100]],
                100,
            ),
            (
                "scrolling back up and down again repeats nothing",
                &d,
                vec![
                    Scroll(1000, 1000, 4000),
                    Scroll(0, 1000, 4000),
                    Scroll(1000, 1000, 4000),
                    Scroll(1100, 1000, 4000),
                ],
                vec![vec![25, 50], vec![], vec![], vec![]],
                52,
            ),
            (
                "a short page: seen whole, no burst on load or scroll",
                &d,
                vec![View(0, 1000, 600), Scroll(0, 1000, 600)],
                vec![vec![], vec![]],
                100,
            ),
            (
                "a short page with shortPages: every milestone on load, once",
                &short,
                vec![View(0, 1000, 600), Scroll(0, 1000, 600)],
                vec![vec![25, 50, 75, 90, 100], vec![]],
                100,
            ),
            (
                "a page exactly one screen tall is short",
                &d,
                vec![Scroll(0, 1000, 1000)],
                vec![vec![]],
                100,
            ),
            (
                "a short page that grows: milestones come from scrolling",
                &d,
                vec![
                    View(0, 1000, 900),
                    Scroll(0, 1000, 4000),
                    Scroll(1000, 1000, 4000),
                ],
                vec![vec![], vec![25], vec![50]],
                100,
            ),
            (
                "a growing document: the same offset is a smaller percent",
                &d,
                vec![
                    Scroll(0, 1000, 2000),
                    Scroll(1000, 1000, 4000),
                    Scroll(1000, 1000, 8000),
                    Scroll(5000, 1000, 8000),
                ],
                vec![vec![25, 50], vec![], vec![], vec![75]],
                75,
            ),
            (
                "custom milestones",
                &custom,
                vec![Scroll(0, 1000, 4000), Scroll(3000, 1000, 4000)],
                vec![vec![10], vec![33]],
                100,
            ),
            (
                "no milestones: nothing reported, max still kept",
                &none,
                vec![View(0, 1000, 500), Scroll(3000, 1000, 4000)],
                vec![vec![], vec![]],
                100,
            ),
            (
                "no viewport measured: no short-page burst",
                &short,
                vec![View(0, 0, 0)],
                vec![vec![]],
                0,
            ),
        ];
        for (what, settings, ms, want, max) in table {
            let (got, got_max) = run(settings, &ms);
            assert_eq!(got, want, "{what}");
            assert_eq!(got_max, max, "{what}");
        }
    }

    #[test]
    fn reset_starts_a_new_page_view() {
        let mut s = ScrollMilestones::new(&ScrollSettings::default());
        assert_eq!(s.on_scroll(1000, 1000, 4000), Some(25));
        s.reset();
        assert_eq!(s.max_percent(), 0);
        assert_eq!(s.on_scroll(1000, 1000, 4000), Some(25));
        assert_eq!(s.on_scroll(1000, 1000, 4000), Some(50));
    }

    #[test]
    fn milestones_from_user_input() {
        assert_eq!(
            Milestones::from_numbers(&[100.0, 25.0, 99.9, 1.0, 0.99, -5.0, f64::INFINITY])
                .percents(),
            vec![1, 25, 99, 100]
        );
        let all: Vec<f64> = (0..300).map(f64::from).collect();
        assert_eq!(Milestones::from_numbers(&all).percents().len(), 100);
        assert!(Milestones::from_numbers(&[]).is_empty());
        assert_eq!(DEFAULT_MILESTONES.percents(), vec![25, 50, 75, 90, 100]);
        assert_eq!(Milestones::of(&[0, 7, 101, 7]).percents(), vec![7]);
    }

    #[test]
    fn next_milestone_table() {
        let m = Milestones::of(&[1, 25, 100]);
        for (after, upto, want) in [
            (0, 0, None),
            (0, 1, Some(1)),
            (1, 24, None),
            (1, 100, Some(25)),
            (25, 99, None),
            (25, 100, Some(100)),
            (100, 100, None),
            (100, 255, None),
            (0, 255, Some(1)),
            (127, 255, None),
            (255, 255, None),
        ] {
            assert_eq!(m.next(after, upto), want, "{after} {upto}");
        }
    }
}
