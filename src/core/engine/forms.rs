//! Form analytics in the engine: [`core::forms`](crate::core::forms)
//! decides; its events are automatic events. The page view ends (a route
//! change, `pagehide`) before the unload beacons are formed, so that
//! `form_abandoned` leaves with them.

use crate::core::engine::Engine;
use crate::core::envelope::Kind;
use crate::core::time::WallMs;

impl Engine {
    /// An input in a form's field, or its submit.
    pub(super) fn form(&mut self, now: WallMs, submit: bool, form: &str, fields: u32, field: &str) {
        if !self.config.forms {
            return;
        }
        let (name, properties) = if submit {
            ("form_submitted", self.forms.on_submit(now, form, fields))
        } else {
            (
                "form_started",
                self.forms.on_input(now, form, fields, field),
            )
        };
        if let Some(properties) = properties {
            self.emit_auto(now, Kind::Track(name), Some(&properties));
        }
    }

    /// The page view ends: the forms started and not submitted are abandoned.
    pub(super) fn forms_end(&mut self, now: WallMs) {
        for properties in self.forms.end(now) {
            self.emit_auto(now, Kind::Track("form_abandoned"), Some(&properties));
        }
    }
}
