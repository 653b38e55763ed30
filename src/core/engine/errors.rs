//! Uncaught errors in the engine: [`core::errors`](crate::core::errors)
//! decides what is sent; sent as automatic `error` events. The page view's
//! counts end in its `page_leave` (see `engine/signals.rs`).

use crate::core::engine::Engine;
use crate::core::envelope::Kind;
use crate::core::errors::ErrorReport;
use crate::core::time::WallMs;

impl Engine {
    /// An error the page did not handle.
    pub(super) fn page_error(&mut self, now: WallMs, report: &ErrorReport) {
        if !self.config.errors {
            return;
        }
        if let Some(properties) = self
            .errors
            .on_error(report, &self.config.strip_query_params)
        {
            self.emit_auto(now, Kind::Track("error"), Some(&properties));
        }
    }
}
