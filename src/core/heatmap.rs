//! Click maps (the `heatmap` capability, `autocapture.heatmap`): each
//! click of a page view as a point, `[x, y, kind]`, with `x` the fraction
//! of the viewport's width (3 decimals) and `y` the page y in CSS pixels,
//! sent as `heatmap` events with the normal delivery: one per 10 s of
//! activity, and what is pending when the page is hidden or the page view
//! ends. At most [`MAX_POINTS`] points per page view.
//!
//! Kinds:
//! - `rage`: one of a burst of clicks, [`RageClickSettings::clicks`] or
//!   more within its window and radius of each other (3 in 1 s within
//!   30 px by default, as the behaviour signals count them);
//! - `dead`: a click on a non-interactive element that changed nothing
//!   (no DOM change, navigation or selection) within 1 s, as the browser
//!   layer observed;
//! - `click`: any other.

use crate::core::json::{push_decimal, push_key, push_str, push_u64};
use crate::core::signals::rage_click::RageClickSettings;
use crate::core::time::WallMs;

/// Most points per page view.
pub const MAX_POINTS: u32 = 500;

/// How long a point waits for the points that follow it before they leave
/// together.
pub const BATCH_MS: u64 = 10_000;

/// Clicks remembered for the rage rule: a burst counts at most this many.
const RECENT: usize = 16;

/// A click, as the browser layer saw it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Click {
    /// `clientX`, CSS pixels.
    pub client_x: f64,
    /// `clientY`, CSS pixels.
    pub client_y: f64,
    /// `scrollY` at the click.
    pub scroll_y: f64,
    /// `innerWidth`.
    pub width: u32,
    /// `innerHeight`.
    pub height: u32,
    /// The target (or an ancestor) is a link, a control, or has a click
    /// role or handler attribute.
    pub interactive: bool,
    /// The DOM, the location or the selection changed within 1 s (always
    /// true for an interactive target: it is not watched).
    pub changed: bool,
    /// How long ago the click happened, in ms (the browser reports a
    /// non-interactive click after watching it for 1 s).
    pub age_ms: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Click,
    Rage,
    Dead,
}

#[derive(Clone, Copy, Debug)]
struct Point {
    /// x as thousandths of the viewport's width.
    x: u32,
    y: u32,
    kind: Kind,
}

/// A click remembered for the rage rule.
#[derive(Clone, Copy, Debug)]
struct Recent {
    x: f64,
    y: f64,
    t: u64,
    /// Its point among the pending ones, while pending.
    pending: Option<usize>,
}

/// The click map of the current page view.
#[derive(Debug, Default)]
pub struct PageHeatmap {
    pending: Vec<Point>,
    /// When the first pending point was recorded.
    since: Option<WallMs>,
    /// The last clicks, a ring ([`RECENT`] slots, `next` the oldest).
    recent: [Option<Recent>; RECENT],
    next: usize,
    /// Points recorded in this page view.
    total: u32,
    viewport: (u32, u32),
}

impl PageHeatmap {
    /// Records a click (nothing past [`MAX_POINTS`] in a page view).
    pub fn on_click(&mut self, now: WallMs, click: &Click, rage: RageClickSettings) {
        if self.total >= MAX_POINTS || click.width == 0 {
            return;
        }
        self.total += 1;
        let t = now.0.saturating_sub(click.age_ms);
        let fraction = (click.client_x / f64::from(click.width)).clamp(0.0, 1.0);
        let y = (click.client_y + click.scroll_y).max(0.0) + 0.5;
        let kind = if !click.interactive && !click.changed {
            Kind::Dead
        } else {
            Kind::Click
        };
        self.pending.push(Point {
            x: (fraction * 1000.0 + 0.5) as u32,
            y: y.min(f64::from(u32::MAX)) as u32,
            kind,
        });
        self.since.get_or_insert(now);
        self.viewport = (click.width, click.height);
        let here = Recent {
            x: click.client_x,
            y: click.client_y,
            t,
            pending: self.pending.len().checked_sub(1),
        };
        self.rage(here, rage);
    }

    /// Marks `here` and the clicks it bursts with as rage clicks when
    /// they are enough.
    fn rage(&mut self, here: Recent, settings: RageClickSettings) {
        let radius = f64::from(settings.radius_px);
        let near = |r: &Recent| {
            here.t.abs_diff(r.t) <= settings.window_ms
                && (r.x - here.x).hypot(r.y - here.y) <= radius
        };
        let burst = 1 + self.recent.iter().flatten().filter(|r| near(r)).count() as u32;
        if settings.clicks > 1 && burst >= settings.clicks {
            for r in self
                .recent
                .iter()
                .flatten()
                .filter(|r| near(r))
                .chain([&here])
            {
                if let Some(point) = r.pending.and_then(|i| self.pending.get_mut(i)) {
                    point.kind = Kind::Rage;
                }
            }
        }
        if let Some(slot) = self.recent.get_mut(self.next) {
            *slot = Some(here);
        }
        self.next = (self.next + 1) % RECENT;
    }

    /// When the pending points are due to leave.
    pub fn poll_timeout(&self) -> Option<WallMs> {
        self.since.map(|t| WallMs(t.0.saturating_add(BATCH_MS)))
    }

    /// The pending points as a `heatmap` event's properties (page `path`),
    /// if any; they are no longer pending.
    pub fn take(&mut self, path: &str) -> Option<String> {
        if self.pending.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(48 + path.len() + 16 * self.pending.len());
        out.push('{');
        push_key(&mut out, "path");
        push_str(&mut out, path);
        out.push(',');
        push_key(&mut out, "viewport");
        out.push('[');
        push_u64(&mut out, u64::from(self.viewport.0));
        out.push(',');
        push_u64(&mut out, u64::from(self.viewport.1));
        out.push_str("],");
        push_key(&mut out, "points");
        out.push('[');
        for (i, p) in self.pending.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('[');
            push_decimal(&mut out, f64::from(p.x) / 1000.0);
            out.push(',');
            push_u64(&mut out, u64::from(p.y));
            out.push_str(match p.kind {
                Kind::Click => ",\"click\"]",
                Kind::Rage => ",\"rage\"]",
                Kind::Dead => ",\"dead\"]",
            });
        }
        out.push_str("]}");
        self.pending.clear();
        self.since = None;
        for r in self.recent.iter_mut().flatten() {
            r.pending = None;
        }
        Some(out)
    }

    /// A new page view: no points yet.
    pub fn begin(&mut self) {
        *self = PageHeatmap::default();
    }
}

#[cfg(test)]
mod tests;
