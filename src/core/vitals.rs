//! Web vitals (the `vitals` capability, `autocapture.webVitals`): LCP,
//! INP, CLS, FCP and TTFB of a page view, computed as Google's
//! `web-vitals` library computes them, and sent as one `web_vitals` event
//! when the page view ends (hidden, left, a route change).
//!
//! The browser layer reports what its `PerformanceObserver`s see (times in
//! milliseconds from the page's time origin, activation start already
//! subtracted); everything else is decided here:
//! - LCP is the last candidate before the first key press or click.
//! - CLS is the largest session window of layout shifts without recent
//!   input (a window ends after a 1 s gap or 5 s in all).
//! - INP is, of the 10 longest interactions (an interaction's longest
//!   event), the one at `min(9, count / 50)`: the 98th percentile.
//! - A metric the engine cannot measure is left out, never faked.
//!
//! A route change in a single-page app starts a page view of its own,
//! which measures CLS and INP only (loading metrics belong to documents);
//! a page back from the back/forward cache starts one in which TTFB is 0
//! and FCP and LCP are the time to its first frame, as `web-vitals` does.

use crate::core::json::{push_decimals, push_key, push_u64};

/// Interactions kept for INP.
const LONGEST: usize = 10;

/// What the browser measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measure {
    /// Time to first byte: the navigation's `responseStart`.
    Ttfb(f64),
    /// First contentful paint.
    Fcp(f64),
    /// A largest-contentful-paint candidate.
    Lcp(f64),
    /// The first key press or click: LCP is final.
    Input,
    /// The engine reports layout shifts (CLS is measured, 0 until a shift).
    LayoutShifts,
    /// A layout shift without recent input.
    Shift {
        /// `startTime`.
        start: f64,
        /// Its score.
        value: f64,
    },
    /// An event of an interaction.
    Interaction {
        /// `interactionId` (not 0).
        id: u64,
        /// `duration`.
        duration: f64,
    },
    /// `performance.interactionCount`: interactions since the document
    /// loaded, short ones included.
    Count(u32),
}

/// The vitals of the current page view.
#[derive(Debug, Default)]
pub struct PageVitals {
    ttfb: Option<f64>,
    fcp: Option<f64>,
    lcp: Option<f64>,
    lcp_final: bool,
    /// CLS: `Some` once the engine reports layout shifts.
    cls: Option<f64>,
    /// The open session window: (first start, last start, sum).
    window: Option<(f64, f64, f64)>,
    /// The longest interactions, in no order: (id, duration).
    longest: Vec<(u64, f64)>,
    /// `interactionCount` now and when the page view began.
    count: u32,
    count_base: u32,
    /// The page view's event was formed: nothing more until the next.
    ended: bool,
}

impl PageVitals {
    /// Takes in one measurement.
    pub fn on_measure(&mut self, measure: Measure) {
        if self.ended {
            if let Measure::Count(n) = measure {
                self.count = n;
            }
            return;
        }
        match measure {
            Measure::Ttfb(ms) => self.ttfb = Some(ms),
            Measure::Fcp(ms) => {
                self.fcp.get_or_insert(ms);
            }
            Measure::Lcp(ms) if !self.lcp_final => self.lcp = Some(ms),
            Measure::Lcp(_) => {}
            Measure::Input => self.lcp_final = true,
            Measure::LayoutShifts => {
                self.cls.get_or_insert(0.0);
            }
            Measure::Shift { start, value } => self.on_shift(start, value),
            Measure::Interaction { id, duration } => self.on_interaction(id, duration),
            Measure::Count(n) => self.count = n,
        }
    }

    fn on_shift(&mut self, start: f64, value: f64) {
        if !(value.is_finite() && value >= 0.0) {
            return;
        }
        let sum = match self.window {
            Some((first, last, sum)) if start - last < 1000.0 && start - first < 5000.0 => {
                self.window = Some((first, start, sum + value));
                sum + value
            }
            _ => {
                self.window = Some((start, start, value));
                value
            }
        };
        let cls = self.cls.get_or_insert(0.0);
        if sum > *cls {
            *cls = sum;
        }
    }

    fn on_interaction(&mut self, id: u64, duration: f64) {
        if id == 0 || !duration.is_finite() {
            return;
        }
        if let Some(known) = self.longest.iter_mut().find(|(i, _)| *i == id) {
            if duration > known.1 {
                known.1 = duration;
            }
        } else if self.longest.len() < LONGEST {
            self.longest.push((id, duration));
        } else if let Some(shortest) = self.longest.iter_mut().min_by(|a, b| a.1.total_cmp(&b.1)) {
            if duration > shortest.1 {
                *shortest = (id, duration);
            }
        }
    }

    /// INP: the longest interaction, or for pages with many, the one at
    /// the 98th percentile. (No sort: at most 10 are kept, and sorting
    /// code costs the module a kilobyte.)
    fn inp(&self) -> Option<f64> {
        let count = self.count.saturating_sub(self.count_base) as usize;
        let rank = (count / 50).min(self.longest.len().saturating_sub(1));
        let all = || self.longest.iter().enumerate();
        all()
            .find(|&(i, &(_, d))| {
                all()
                    .filter(|&(j, &(_, e))| e > d || (e == d && j < i))
                    .count()
                    == rank
            })
            .map(|(_, &(_, d))| d)
    }

    /// The page view ends: `web_vitals`' properties, if anything was
    /// measured. Once per page view.
    pub fn end(&mut self) -> Option<String> {
        if self.ended {
            return None;
        }
        self.ended = true;
        let metrics = [
            ("lcp", self.lcp, 0),
            ("fcp", self.fcp, 0),
            ("ttfb", self.ttfb, 0),
            ("inp", self.inp(), 0),
            ("cls", self.cls, 4),
        ];
        let mut out = String::with_capacity(160);
        let mut ratings = String::with_capacity(96);
        for (name, value, places) in metrics {
            let Some(value) = value.filter(|v| v.is_finite()).map(|v| v.max(0.0)) else {
                continue;
            };
            out.push(if out.is_empty() { '{' } else { ',' });
            push_key(&mut out, name);
            if places == 0 {
                push_u64(&mut out, (value + 0.5) as u64);
            } else {
                push_decimals(&mut out, value, places);
            }
            ratings.push(if ratings.is_empty() { '{' } else { ',' });
            push_key(&mut ratings, name);
            ratings.push('"');
            ratings.push_str(rating(name, value));
            ratings.push('"');
        }
        if out.is_empty() {
            return None;
        }
        out.push(',');
        push_key(&mut out, "rating");
        out.push_str(&ratings);
        out.push_str("}}");
        Some(out)
    }

    /// A new page view of the same document (a route change): CLS and INP
    /// are measured again from now; loading metrics are not.
    pub fn begin_route(&mut self) {
        *self = PageVitals {
            cls: self.cls.map(|_| 0.0),
            count: self.count,
            count_base: self.count,
            lcp_final: true,
            ..PageVitals::default()
        };
    }

    /// A new page view of a document back from the back/forward cache:
    /// TTFB is 0, FCP and LCP follow from the first frame (reported by the
    /// browser layer), CLS and INP are measured again.
    pub fn begin_restored(&mut self) {
        *self = PageVitals {
            ttfb: Some(0.0),
            cls: self.cls.map(|_| 0.0),
            count: self.count,
            count_base: self.count,
            ..PageVitals::default()
        };
    }
}

/// Google's rating of `value` for metric `name`: good up to the first
/// threshold, poor above the second.
fn rating(name: &str, value: f64) -> &'static str {
    let (good, poor) = match name.as_bytes().first() {
        Some(b'l') => (2500.0, 4000.0),
        Some(b'i') => (200.0, 500.0),
        Some(b'c') => (0.1, 0.25),
        Some(b'f') => (1800.0, 3000.0),
        _ => (800.0, 1800.0),
    };
    if value > poor {
        "poor"
    } else if value > good {
        "needs-improvement"
    } else {
        "good"
    }
}

#[cfg(test)]
mod tests;
