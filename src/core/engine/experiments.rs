//! Experiments in the engine: [`core::experiments`](crate::core::experiments)
//! decides; the engine supplies the visitor's ids, consent and session,
//! stores the sticky assignments and the session's exposures, tracks
//! `Experiment Viewed` and keeps `context.experiments` on later events.
//!
//! Both records are read by the caller from storage at each `variant()`
//! (another tab may have written them since this page loaded), so a
//! session's exposure is tracked once across its tabs.

use crate::core::engine::Engine;
use crate::core::envelope::Kind;
use crate::core::experiments::{
    exposure_properties, Exposures, Ids, Sticky, Warning, EXPOSURE_EVENT, KEY_EXPOSED, KEY_STICKY,
};
use crate::core::time::WallMs;

/// The experiment records as stored now.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExperimentRecords<'a> {
    /// [`KEY_STICKY`]'s value.
    pub sticky: Option<&'a str>,
    /// [`KEY_EXPOSED`]'s value.
    pub exposed: Option<&'a str>,
}

impl Engine {
    /// `variant(key)`: the variant to show (the first variant when the
    /// visitor is not in the experiment, has not consented, or the key is
    /// unknown: then `""`). Records the assignment and the session's
    /// exposure as the contract says.
    pub fn variant(&mut self, now: WallMs, key: &str, stored: ExperimentRecords) -> String {
        let consent = self.consent.tracks();
        let mut sticky = Sticky::parse(stored.sticky.unwrap_or_default());
        let ids = Ids {
            anonymous_id: Some(self.anonymous_id.as_str()).filter(|_| consent),
            user_id: self.user_id.as_deref(),
        };
        let decision =
            match self
                .config
                .experiments
                .decide(key, ids, consent, &self.forced, &mut sticky)
            {
                Ok(decision) => decision,
                Err(warning) => {
                    self.warn(warning);
                    return String::new();
                }
            };
        let Some(experiment) = self.config.experiments.get(key) else {
            return String::new();
        };
        let variant = experiment.variant(decision.variant_index).to_owned();
        let properties = decision
            .record
            .then(|| exposure_properties(experiment, decision.variant_index, decision.forced));
        if decision.stored {
            self.store(KEY_STICKY, sticky.serialize());
        }
        if let Some(properties) = properties {
            let session = self.experiment_session();
            let before = self.exposures.context(&session);
            self.exposures = Exposures::parse(stored.exposed.unwrap_or_default());
            if self.exposures.expose(&session, key, &variant) {
                self.store(KEY_EXPOSED, self.exposures.serialize());
                self.emit_auto(now, Kind::Track(EXPOSURE_EVENT), Some(&properties));
            }
            // A page calling variant() on every render registers no new
            // context while nothing changed.
            if self.exposures.context(&session) != before {
                self.rebuild_context();
            }
        }
        variant
    }

    /// The session exposures belong to: the session, or this page in a
    /// build without sessions.
    pub(super) fn experiment_session(&self) -> String {
        #[cfg(feature = "attribution")]
        return self.session_id().to_owned();
        #[cfg(not(feature = "attribution"))]
        self.tab.clone()
    }

    /// `context.experiments` (`"experiments":{...}`) for the members of
    /// the shared context, when the session exposed any.
    pub(super) fn push_experiments_context(&self, members: &mut String) {
        if let Some(context) = self.exposures.context(&self.experiment_session()) {
            members.push_str(",\"experiments\":");
            members.push_str(&context);
        }
    }

    /// The warnings about experiments not yet told (options, `ff_variant`,
    /// unknown keys), for the debug log.
    pub fn take_experiment_warnings(&mut self) -> Vec<Warning> {
        std::mem::take(&mut self.experiment_warnings)
    }

    fn warn(&mut self, warning: Warning) {
        if self.config.debug && self.experiment_warnings.len() < 50 {
            self.experiment_warnings.push(warning);
        }
    }

    /// `reset()`: the assignments and exposures belong to the visitor
    /// who leaves.
    pub(super) fn reset_experiments(&mut self) {
        self.exposures = Exposures::default();
        for key in [KEY_STICKY, KEY_EXPOSED] {
            self.effects.push(crate::core::engine::Effect::Remove {
                key: key.to_owned(),
            });
        }
    }
}
