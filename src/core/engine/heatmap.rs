//! Click maps in the engine: [`core::heatmap`](crate::core::heatmap)
//! records; the points leave as automatic `heatmap` events 10 s after the
//! first pending one (a timer), and whatever is pending when the page is
//! hidden or the page view ends, before the beacons are formed.

use crate::core::engine::Engine;
use crate::core::envelope::Kind;
use crate::core::heatmap::Click;
use crate::core::time::WallMs;

impl Engine {
    /// A click on the page.
    pub(super) fn click(&mut self, now: WallMs, click: &Click) {
        if !self.config.heatmap {
            return;
        }
        let rage = self.config.autocapture.rage_click.unwrap_or_default();
        self.heatmap.on_click(now, click, rage);
        self.heatmap_due(now);
    }

    /// Sends the pending points if they have waited long enough.
    pub(super) fn heatmap_due(&mut self, now: WallMs) {
        if self.heatmap.poll_timeout().is_some_and(|at| now >= at) {
            self.heatmap_send(now);
        }
    }

    /// Sends the pending points now (the page is hidden, or the page view
    /// ends).
    pub(super) fn heatmap_send(&mut self, now: WallMs) {
        if let Some(properties) = self.heatmap.take(&self.env.page.path) {
            self.emit_auto(now, Kind::Track("heatmap"), Some(&properties));
        }
    }
}
