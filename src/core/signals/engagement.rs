//! Engaged time: how long a visitor actually spent with the page, for
//! `page_leave`'s `engaged_ms`.
//!
//! A moment counts as engaged when the page is **visible** and the visitor is
//! **active**: an input came within the last [`ACTIVE_WINDOW_MS`]. Inputs are
//! pointer moves and presses, key presses, scrolling, and the page becoming
//! visible (arriving on it, or coming back to its tab). So each input credits
//! the time until the next one, up to 5 s; a hidden page credits nothing.
//! A visitor reading without touching anything for longer than 5 s stops
//! counting until the next input: this under-counts a slow reader rather than
//! crediting a tab left open on a second screen.
//!
//! Everything is in integer milliseconds on the caller's clock.

/// How long an input keeps the visitor active.
pub const ACTIVE_WINDOW_MS: u64 = 5_000;

/// See the module documentation.
///
/// ```
/// use footfall::core::signals::engagement::EngagedTime;
/// let mut e = EngagedTime::new(0, true); // arrives, visible
/// e.on_input(3_000);                     // 3 s credited
/// e.on_hidden(20_000);                   // 5 s more (then idle)
/// e.on_visible(60_000);                  // hidden time is not counted
/// assert_eq!(e.engaged_ms(61_000), 9_000);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngagedTime {
    /// Credited before `last_input`.
    total: u64,
    /// The last input while visible; `None` while hidden.
    last_input: Option<u64>,
    /// What [`take`](Self::take) reported so far.
    reported: u64,
}

impl EngagedTime {
    /// Accounting that starts at `t` (a page view begins: an input when the
    /// page is `visible`).
    pub fn new(t: u64, visible: bool) -> EngagedTime {
        EngagedTime {
            total: 0,
            last_input: visible.then_some(t),
            reported: 0,
        }
    }

    /// An input at `t` (ignored while hidden).
    pub fn on_input(&mut self, t: u64) {
        if let Some(last) = self.last_input {
            self.total += credit(last, t);
            self.last_input = Some(t.max(last));
        }
    }

    /// The page became hidden at `t`.
    pub fn on_hidden(&mut self, t: u64) {
        if let Some(last) = self.last_input.take() {
            self.total += credit(last, t);
        }
    }

    /// The page became visible at `t` (an input).
    pub fn on_visible(&mut self, t: u64) {
        if self.last_input.is_none() {
            self.last_input = Some(t);
        } else {
            self.on_input(t);
        }
    }

    /// Engaged time from the start to `t`.
    pub fn engaged_ms(&self, t: u64) -> u64 {
        self.total + self.last_input.map_or(0, |last| credit(last, t))
    }

    /// Engaged time to `t` not reported by an earlier `take`.
    pub fn take(&mut self, t: u64) -> u64 {
        let now = self.engaged_ms(t).max(self.reported);
        let delta = now - self.reported;
        self.reported = now;
        delta
    }
}

/// Time credited to an input at `from` when the next comes at `to`.
fn credit(from: u64, to: u64) -> u64 {
    to.saturating_sub(from).min(ACTIVE_WINDOW_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug)]
    enum E {
        Input(u64),
        Hidden(u64),
        Visible(u64),
        /// take(t), expecting the value.
        Take(u64, u64),
    }
    use E::*;

    #[test]
    fn accounting_table() {
        #[allow(clippy::type_complexity)]
        let table: Vec<(&str, bool, Vec<E>, u64, u64)> = vec![
            (
                "arrival alone credits up to 5 s",
                true,
                vec![],
                60_000,
                5_000,
            ),
            (
                "steady input every second",
                true,
                (1..=30).map(|s| Input(s * 1000)).collect(),
                30_000,
                30_000,
            ),
            (
                "idle gaps credit 5 s each",
                true,
                vec![Input(20_000), Input(21_000)],
                21_500,
                5_000 + 1_000 + 500,
            ),
            (
                "hidden periods count nothing",
                true,
                vec![
                    Input(1_000),
                    Hidden(2_000),
                    Input(30_000),
                    Visible(50_000),
                    Input(51_000),
                ],
                52_000,
                1_000 + 1_000 + 1_000 + 1_000,
            ),
            (
                "loaded hidden (a background tab): nothing until visible",
                false,
                vec![Input(1_000), Visible(10_000)],
                12_000,
                2_000,
            ),
            (
                "hidden twice in a row, visible twice in a row",
                true,
                vec![Hidden(1_000), Hidden(2_000), Visible(3_000), Visible(4_000)],
                4_500,
                1_000 + 1_000 + 500,
            ),
            (
                "a clock going backwards credits nothing",
                true,
                vec![Input(5_000), Input(4_000), Input(6_000)],
                6_000,
                5_000 + 1_000,
            ),
        ];
        for (what, visible, events, at, want) in table {
            let mut e = EngagedTime::new(0, visible);
            for ev in events {
                match ev {
                    Input(t) => e.on_input(t),
                    Hidden(t) => e.on_hidden(t),
                    Visible(t) => e.on_visible(t),
                    Take(..) => unreachable!(),
                }
            }
            assert_eq!(e.engaged_ms(at), want, "{what}");
        }
    }

    #[test]
    fn take_reports_each_millisecond_once() {
        let mut e = EngagedTime::new(0, true);
        for ev in [
            Input(2_000),
            Take(3_000, 3_000),
            Hidden(4_000),
            Take(4_000, 1_000),
            Take(9_000, 0),
            Visible(10_000),
            Input(12_000),
            Take(12_500, 2_500),
            Take(12_500, 0),
        ] {
            match ev {
                Input(t) => e.on_input(t),
                Hidden(t) => e.on_hidden(t),
                Visible(t) => e.on_visible(t),
                Take(t, want) => assert_eq!(e.take(t), want, "take at {t}"),
            }
        }
        assert_eq!(e.engaged_ms(12_500), 6_500);
    }
}
