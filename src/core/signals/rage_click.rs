//! Rage clicks: a burst of clicks on one spot, the mark of a visitor
//! fighting an element that does not answer.
//!
//! The rule (PostHog's defaults, 3 clicks, 1 s, 30 px, with its drift
//! removed): a burst becomes a rage burst when `clicks` of its clicks land
//! within `window_ms` of its **first** click and within `radius_px` of it.
//! Measuring from the first click, not the previous one, keeps a slow or
//! wandering sequence (a click every 600 ms, or each 20 px beyond the last)
//! from adding up to a burst. Once it is a rage burst, later clicks extend
//! it while they land within `radius_px` of its first click and within
//! `window_ms` of the burst's previous click; it ends at the first click that
//! does not, or `window_ms` after its last click. It is reported once, when
//! it ends, with the final count.
//!
//! Memory is bounded: before a burst qualifies at most `clicks` clicks are
//! kept; after, only its first click and a count, however long it goes on.

/// Rage-click settings (`autocapture.rageClick`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RageClickSettings {
    /// Clicks that make a burst a rage burst. Default 3; 0 or 1 turn the
    /// detector off (a single click is never a rage click); at most
    /// [`MAX_CLICKS`].
    pub clicks: u32,
    /// The window from the burst's first click. Default 1000 ms; 0 means the
    /// clicks must land in the same millisecond.
    pub window_ms: u64,
    /// Distance from the burst's first click, in CSS pixels. Default 30;
    /// 0 means the very same pixel.
    pub radius_px: u32,
}

impl Default for RageClickSettings {
    fn default() -> Self {
        RageClickSettings {
            clicks: 3,
            window_ms: 1000,
            radius_px: 30,
        }
    }
}

/// Most clicks a setting may ask for (and so the most clicks buffered).
pub const MAX_CLICKS: u32 = 100;

/// A finished rage burst.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RageBurst {
    /// Clicks in the burst.
    pub clicks: u32,
    /// Viewport x of its first click (CSS pixels).
    pub x: i32,
    /// Viewport y of its first click (CSS pixels).
    pub y: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Click {
    x: i32,
    y: i32,
    t: u64,
}

/// A rage burst in progress.
#[derive(Clone, Copy, Debug)]
struct Burst {
    first: Click,
    clicks: u32,
    last_t: u64,
}

/// See the module documentation.
///
/// ```
/// use footfall::core::signals::rage_click::{RageBurst, RageClickDetector, RageClickSettings};
/// let mut d = RageClickDetector::new(RageClickSettings::default());
/// assert!(!d.on_click(100, 200, 0));
/// assert!(!d.on_click(105, 198, 150));
/// assert!(d.on_click(98, 203, 300)); // the third click within 1 s and 30 px
/// assert_eq!(d.poll_burst(800), None); // it may still go on
/// assert_eq!(d.poll_timeout(), Some(1301));
/// assert_eq!(d.poll_burst(1301), Some(RageBurst { clicks: 3, x: 100, y: 200 }));
/// ```
#[derive(Clone, Debug)]
pub struct RageClickDetector {
    settings: RageClickSettings,
    /// The candidate burst: every click lies within the window and radius
    /// of the first. Never longer than `settings.clicks`.
    recent: Vec<Click>,
    burst: Option<Burst>,
    /// A burst ended by a click that did not fit it, not yet polled.
    ended: Option<RageBurst>,
}

impl RageClickDetector {
    /// A detector with `settings` (`clicks` capped at [`MAX_CLICKS`]).
    pub fn new(settings: RageClickSettings) -> RageClickDetector {
        let settings = RageClickSettings {
            clicks: settings.clicks.min(MAX_CLICKS),
            ..settings
        };
        RageClickDetector {
            settings,
            recent: Vec::new(),
            burst: None,
            ended: None,
        }
    }

    /// Whether the detector can fire at all (`clicks` >= 2).
    pub fn is_enabled(&self) -> bool {
        self.settings.clicks >= 2
    }

    /// A click at viewport position (`x`, `y`) at time `t` (ms). Returns
    /// true when the click belongs to a rage burst: the click that makes it
    /// one and each later click of it. Call [`poll_burst`](Self::poll_burst)
    /// afterwards: this click may have ended the previous burst.
    pub fn on_click(&mut self, x: i32, y: i32, t: u64) -> bool {
        if !self.is_enabled() {
            return false;
        }
        let click = Click { x, y, t };
        if let Some(burst) = self.burst.as_mut() {
            let gap = t.checked_sub(burst.last_t);
            if gap.is_some_and(|g| g <= self.settings.window_ms)
                && within(burst.first, click, self.settings.radius_px)
            {
                burst.clicks = burst.clicks.saturating_add(1);
                burst.last_t = t;
                return true;
            }
            self.ended = Some(report(*burst));
            self.burst = None;
        }
        if self.recent.capacity() == 0 {
            self.recent.reserve_exact(self.settings.clicks as usize);
        }
        self.recent.push(click);
        // Drop clicks from the front until every click fits the first.
        while let Some(&first) = self.recent.first() {
            if self.recent.iter().all(|c| self.fits(first, *c)) {
                break;
            }
            self.recent.remove(0);
        }
        if self.recent.len() < self.settings.clicks as usize {
            return false;
        }
        let first = self.recent.first().copied().unwrap_or(click);
        self.burst = Some(Burst {
            first,
            clicks: self.recent.len() as u32,
            last_t: t,
        });
        self.recent.clear();
        true
    }

    /// A burst that has ended by `now`: one cut short by a click that did not
    /// fit it, or one with no click for longer than `window_ms`.
    pub fn poll_burst(&mut self, now: u64) -> Option<RageBurst> {
        if let Some(ended) = self.ended.take() {
            return Some(ended);
        }
        let burst = self.burst?;
        if now.saturating_sub(burst.last_t) > self.settings.window_ms {
            self.burst = None;
            return Some(report(burst));
        }
        None
    }

    /// When the rage burst in progress ends if no click comes.
    pub fn poll_timeout(&self) -> Option<u64> {
        if self.ended.is_some() {
            return Some(0);
        }
        self.burst.map(|b| {
            b.last_t
                .saturating_add(self.settings.window_ms)
                .saturating_add(1)
        })
    }

    /// Ends the rage burst in progress now (the page view ends) and returns
    /// what was unreported; forgets candidate clicks.
    pub fn finish(&mut self) -> Option<RageBurst> {
        self.recent.clear();
        let burst = self.ended.take().or(self.burst.map(report));
        self.burst = None;
        burst
    }

    /// Whether a rage burst is in progress (recognized, not yet ended).
    pub fn in_burst(&self) -> bool {
        self.burst.is_some()
    }

    /// Clicks held while a burst is being recognized (at most `clicks`).
    pub fn buffered(&self) -> usize {
        self.recent.len()
    }

    /// Capacity of the click buffer (bounded by `clicks`).
    pub fn buffer_capacity(&self) -> usize {
        self.recent.capacity()
    }

    fn fits(&self, first: Click, c: Click) -> bool {
        c.t.checked_sub(first.t)
            .is_some_and(|dt| dt <= self.settings.window_ms)
            && within(first, c, self.settings.radius_px)
    }
}

fn report(b: Burst) -> RageBurst {
    RageBurst {
        clicks: b.clicks,
        x: b.first.x,
        y: b.first.y,
    }
}

/// Whether `c` lies within `radius` pixels of `first` (Euclidean).
fn within(first: Click, c: Click, radius: u32) -> bool {
    let dx = i64::from(c.x) - i64::from(first.x);
    let dy = i64::from(c.y) - i64::from(first.y);
    let r = i64::from(radius);
    dx * dx + dy * dy <= r * r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(clicks: u32, window_ms: u64, radius_px: u32) -> RageClickSettings {
        RageClickSettings {
            clicks,
            window_ms,
            radius_px,
        }
    }

    /// Feeds clicks `(x, y, t)`, then waits out the window; returns what each
    /// click returned and every burst reported (polled after each click and
    /// at the end).
    fn run(s: RageClickSettings, clicks: &[(i32, i32, u64)]) -> (Vec<bool>, Vec<RageBurst>) {
        let mut d = RageClickDetector::new(s);
        let mut fired = Vec::new();
        let mut bursts = Vec::new();
        for &(x, y, t) in clicks {
            fired.push(d.on_click(x, y, t));
            bursts.extend(d.poll_burst(t));
            assert!(d.buffered() <= s.clicks as usize);
        }
        let end = clicks.last().map_or(0, |c| c.2) + 100_000;
        bursts.extend(d.poll_burst(end));
        assert_eq!(d.poll_burst(end), None);
        (fired, bursts)
    }

    fn burst(clicks: u32, x: i32, y: i32) -> RageBurst {
        RageBurst { clicks, x, y }
    }

    #[test]
    fn table_of_click_sequences() {
        let d = RageClickSettings::default();
        #[allow(clippy::type_complexity)]
        let table: Vec<(
            &str,
            RageClickSettings,
            Vec<(i32, i32, u64)>,
            Vec<bool>,
            Vec<RageBurst>,
        )> = vec![
            (
                "three fast clicks on one spot",
                d,
                vec![(10, 10, 0), (12, 9, 200), (11, 11, 400)],
                vec![false, false, true],
                vec![burst(3, 10, 10)],
            ),
            (
                "the window is inclusive",
                d,
                vec![(0, 0, 0), (0, 0, 500), (0, 0, 1000)],
                vec![false, false, true],
                vec![burst(3, 0, 0)],
            ),
            (
                "three slow clicks (600 ms apart) are not rage",
                d,
                vec![(0, 0, 0), (0, 0, 600), (0, 0, 1200)],
                vec![false; 3],
                vec![],
            ),
            (
                "two clicks are not enough",
                d,
                vec![(0, 0, 0), (0, 0, 100)],
                vec![false; 2],
                vec![],
            ),
            (
                "the radius is inclusive, measured from the first click",
                d,
                vec![(0, 0, 0), (30, 0, 100), (0, 30, 200)],
                vec![false, false, true],
                vec![burst(3, 0, 0)],
            ),
            (
                "a burst that drifts 20 px per click never qualifies",
                d,
                vec![
                    (0, 0, 0),
                    (20, 0, 100),
                    (40, 0, 200),
                    (60, 0, 300),
                    (80, 0, 400),
                ],
                vec![false; 5],
                vec![],
            ),
            (
                "a late first click slides off: the next three make the burst",
                d,
                vec![(0, 0, 0), (0, 0, 800), (0, 0, 1100), (0, 0, 1300)],
                vec![false, false, false, true],
                vec![burst(3, 0, 0)],
            ),
            (
                "a click elsewhere restarts the count",
                d,
                vec![
                    (0, 0, 0),
                    (0, 0, 100),
                    (500, 500, 200),
                    (500, 500, 300),
                    (500, 500, 400),
                ],
                vec![false, false, false, false, true],
                vec![burst(3, 500, 500)],
            ),
            (
                "more clicks extend the burst: one event, final count",
                d,
                vec![
                    (0, 0, 0),
                    (1, 1, 100),
                    (2, 2, 200),
                    (3, 3, 300),
                    (4, 4, 1200),
                    (5, 5, 2100),
                ],
                vec![false, false, true, true, true, true],
                vec![burst(6, 0, 0)],
            ),
            (
                "a pause longer than the window ends it; a second burst follows",
                d,
                vec![
                    (0, 0, 0),
                    (0, 0, 100),
                    (0, 0, 200),
                    (0, 0, 1500),
                    (0, 0, 1600),
                    (0, 0, 1700),
                ],
                vec![false, false, true, false, false, true],
                vec![burst(3, 0, 0), burst(3, 0, 0)],
            ),
            (
                "a click outside the radius ends the burst at once",
                d,
                vec![(0, 0, 0), (0, 0, 100), (0, 0, 200), (100, 0, 300)],
                vec![false, false, true, false],
                vec![burst(3, 0, 0)],
            ),
            (
                "four clicks wanted",
                settings(4, 1000, 30),
                vec![(0, 0, 0), (0, 0, 10), (0, 0, 20), (0, 0, 30)],
                vec![false, false, false, true],
                vec![burst(4, 0, 0)],
            ),
            (
                "radius 0 means the very same pixel",
                settings(3, 1000, 0),
                vec![(5, 5, 0), (5, 5, 10), (5, 5, 20), (6, 5, 30)],
                vec![false, false, true, false],
                vec![burst(3, 5, 5)],
            ),
            (
                "radius 0: one pixel off is another spot",
                settings(3, 1000, 0),
                vec![(5, 5, 0), (6, 5, 10), (5, 6, 20)],
                vec![false; 3],
                vec![],
            ),
            (
                "window 0 means the same millisecond",
                settings(3, 0, 30),
                vec![(0, 0, 5), (0, 0, 5), (0, 0, 5)],
                vec![false, false, true],
                vec![burst(3, 0, 0)],
            ),
            (
                "window 0: a millisecond apart is too slow",
                settings(3, 0, 30),
                vec![(0, 0, 0), (0, 0, 1), (0, 0, 2)],
                vec![false; 3],
                vec![],
            ),
            (
                "clicks 0 turns the detector off",
                settings(0, 1000, 30),
                vec![(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 0, 3)],
                vec![false; 4],
                vec![],
            ),
            (
                "clicks 1 turns the detector off",
                settings(1, 1000, 30),
                vec![(0, 0, 0), (0, 0, 1)],
                vec![false; 2],
                vec![],
            ),
            (
                "a clock going backwards ends nothing early and counts nothing",
                d,
                vec![(0, 0, 1000), (0, 0, 900), (0, 0, 950), (0, 0, 960)],
                vec![false, false, false, true],
                vec![burst(3, 0, 0)],
            ),
        ];
        for (what, s, clicks, fired, bursts) in table {
            let (got_fired, got_bursts) = run(s, &clicks);
            assert_eq!(got_fired, fired, "{what}");
            assert_eq!(got_bursts, bursts, "{what}");
        }
    }

    #[test]
    fn a_thousand_click_burst_is_one_event_in_bounded_memory() {
        let mut d = RageClickDetector::new(RageClickSettings::default());
        for i in 0..1000u64 {
            d.on_click((i % 7) as i32, (i % 5) as i32, i * 5);
            assert_eq!(d.poll_burst(i * 5), None);
            assert!(d.buffer_capacity() <= 3, "{}", d.buffer_capacity());
        }
        assert_eq!(d.poll_timeout(), Some(999 * 5 + 1001));
        assert_eq!(d.poll_burst(999 * 5 + 1000), None);
        assert_eq!(d.poll_burst(999 * 5 + 1001), Some(burst(1000, 0, 0)));
        assert_eq!(d.poll_timeout(), None);
    }

    #[test]
    fn clicks_are_capped_and_finish_reports_the_burst_in_progress() {
        let mut d = RageClickDetector::new(settings(1_000_000, 1000, 30));
        for t in 0..MAX_CLICKS as u64 - 1 {
            assert!(!d.on_click(0, 0, t));
        }
        assert!(d.on_click(0, 0, 200));
        assert_eq!(d.finish(), Some(burst(MAX_CLICKS, 0, 0)));
        assert_eq!(d.finish(), None);
        assert_eq!(d.poll_timeout(), None);
        // A candidate (not yet rage) is forgotten, not reported.
        d.on_click(0, 0, 300);
        assert_eq!(d.finish(), None);
        assert_eq!(d.buffered(), 0);
    }

    #[test]
    fn an_ended_burst_waits_for_its_poll() {
        let mut d = RageClickDetector::new(RageClickSettings::default());
        for t in [0, 10, 20] {
            d.on_click(0, 0, t);
        }
        d.on_click(900, 900, 30);
        assert_eq!(d.poll_timeout(), Some(0), "due at once");
        assert_eq!(d.poll_burst(30), Some(burst(3, 0, 0)));
        assert_eq!(d.poll_timeout(), None);
    }
}
