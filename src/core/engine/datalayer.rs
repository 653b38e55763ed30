//! The GTM dataLayer in the engine: automatic events mirrored as pushes,
//! and Google Consent Mode commands. What an entry holds is
//! [`core::datalayer`](crate::core::datalayer)'s decision.

use crate::core::datalayer::{mirror_entry, DataLayerEffect, Route};
use crate::core::engine::{Effect, Engine};
use crate::core::envelope::Kind;
use crate::core::privacy::clean_name;
use crate::core::sanitize::{sanitize_object, StringLimits};
use crate::core::time::WallMs;

impl Engine {
    /// A push the bridge read: forwarded as `trackEvent(event, properties)`,
    /// or mapped when it is a GA4 ecommerce event and `ecommerce` is on.
    pub(super) fn data_layer_push(
        &mut self,
        now: WallMs,
        event: &str,
        properties: &str,
        id: [u8; 16],
    ) {
        match self.config.data_layer.route(event) {
            Route::Ignore => {}
            Route::Forward => self.track(now, event, Some(properties), id),
            #[cfg(feature = "ecommerce")]
            Route::Ecommerce => self.ecommerce(now, event, properties, id),
            #[cfg(not(feature = "ecommerce"))]
            Route::Ecommerce => {}
        }
    }

    /// Pushes an automatic event to the dataLayer, when `dataLayer.mirror`.
    pub(super) fn mirror(&mut self, kind: Kind, properties: Option<&str>) {
        if !self.config.data_layer.mirror {
            return;
        }
        // GTM's tags may send on what is pushed: the name and properties
        // are redacted and cut as in the event sent.
        let limits = StringLimits {
            max_chars: self.config.max_string_length,
            redact_emails: self.config.redact_emails,
        };
        let (name, _) = clean_name(
            kind.name().unwrap_or_default(),
            limits.redact_emails,
            limits.max_chars,
        );
        let clean = properties.and_then(|raw| sanitize_object(raw, limits).ok());
        if let Some(entry) =
            mirror_entry(kind.renamed(&name), clean.as_ref().map(|s| s.json.as_ref()))
        {
            self.effects
                .push(Effect::DataLayer(DataLayerEffect::Push(entry)));
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
