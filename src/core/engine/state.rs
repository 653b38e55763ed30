//! What the engine tells its owner about itself: consent, configuration,
//! ids, counters, state.

#[cfg(feature = "attribution")]
use crate::core::attribution::Attribution;
use crate::core::config::Config;
use crate::core::engine::{Engine, Stats};

impl Engine {
    /// `getConsent()` as a JSON object.
    pub fn consent_json(&self) -> String {
        self.consent.describe()
    }

    /// The resolved configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The anonymous id events carry.
    pub fn anonymous_id(&self) -> &str {
        &self.anonymous_id
    }

    /// The user id set by `identify`, if any.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// The current session id.
    #[cfg(feature = "attribution")]
    pub fn session_id(&self) -> &str {
        self.visit.session_id()
    }

    /// The session's attribution, as events carry it.
    #[cfg(feature = "attribution")]
    pub fn attribution(&self) -> &Attribution {
        self.visit.attribution()
    }

    /// Current counters (`queued` includes events waiting for consent).
    pub fn stats(&self) -> Stats {
        Stats {
            queued: (self.outbox.len() + self.pending.len()) as u32,
            ..self.stats
        }
    }

    /// Whether `shutdown` was called.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// This page's id, naming its storage records.
    pub fn tab(&self) -> &str {
        &self.tab
    }
}
