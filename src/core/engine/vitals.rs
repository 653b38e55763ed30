//! Web vitals in the engine: [`core::vitals`](crate::core::vitals)
//! computes; the page view's `web_vitals` event is an automatic event,
//! formed when the page view ends (hidden, `pagehide`, a route change)
//! before the beacons that take it are formed.

use crate::core::engine::Engine;
use crate::core::envelope::Kind;
use crate::core::time::WallMs;
use crate::core::vitals::Measure;

impl Engine {
    /// A measurement of the browser's.
    pub(super) fn vital(&mut self, measure: Measure) {
        if self.config.vitals {
            self.vitals.on_measure(measure);
        }
    }

    /// The page view ends: its `web_vitals` event, once.
    pub(super) fn vitals_end(&mut self, now: WallMs) {
        if !self.config.vitals {
            return;
        }
        if let Some(properties) = self.vitals.end() {
            self.emit_auto(now, Kind::Track("web_vitals"), Some(&properties));
        }
    }
}
