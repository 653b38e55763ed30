//! The GTM dataLayer in the engine: automatic events mirrored as pushes,
//! and Google Consent Mode commands. What an entry holds is
//! [`core::datalayer`](crate::core::datalayer)'s decision.

use crate::core::datalayer::{mirror_entry, DataLayerEffect};
use crate::core::engine::{Effect, Engine};
use crate::core::envelope::Kind;

impl Engine {
    /// Pushes an automatic event to the dataLayer, when `dataLayer.mirror`.
    pub(super) fn mirror(&mut self, kind: Kind, properties: Option<&str>) {
        if self.config.data_layer.mirror {
            if let Some(entry) = mirror_entry(kind, properties) {
                self.effects
                    .push(Effect::DataLayer(DataLayerEffect::Push(entry)));
            }
        }
    }

    /// Pushes a Consent Mode command (`default` at start, `update` after a
    /// decision) with the state in force, when `dataLayer.consentMode`.
    pub(super) fn consent_mode(&mut self, command: &'static str) {
        if self.config.consent_mode_bridge {
            let state = self.consent.consent_mode();
            self.effects
                .push(Effect::DataLayer(DataLayerEffect::ConsentMode {
                    command,
                    state,
                }));
        }
    }
}
