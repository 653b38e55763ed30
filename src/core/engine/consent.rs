//! Consent in the engine: a decision made here (`setConsent`) or in
//! another tab (the stored record), what it starts or stops, and the
//! events that wait for it (opt-in), written only once analytics is
//! granted. The decisions themselves are [`core::consent`](crate::core::consent)'s.

use crate::core::consent::{Action, Choice, KEY_CONSENT};
use crate::core::engine::{Effect, Engine, Invalid, Log};
use crate::core::envelope::{write_event, ContextCache, Fields, Kind, Page};
use crate::core::keys::KEY_USER_ID;
use crate::core::sanitize::{sanitize_object, Refusal, StringLimits};
use crate::core::time::WallMs;
use crate::core::uuid::is_uuid;

use super::adoption::Beat;

/// An event tracked before the visitor decided: it is written (with the
/// identifiers and consent of that moment) only if analytics is granted.
#[derive(Debug)]
pub(super) struct Pending {
    kind: PendingKind,
    properties: Option<String>,
    id: [u8; 16],
    at: WallMs,
    page: Page,
    user_id: Option<String>,
}

#[derive(Debug)]
enum PendingKind {
    Track(String),
    Page(Option<String>),
    Identify,
    Group(String),
    Alias {
        user_id: String,
        previous_id: Option<String>,
    },
}

impl Engine {
    /// Keeps an event for later while the visitor has not decided (opt-in);
    /// drops it when analytics is denied.
    pub(super) fn wait_for_consent(
        &mut self,
        now: WallMs,
        kind: Kind,
        properties: Option<&str>,
        id: [u8; 16],
    ) {
        if !self.consent.is_pending() {
            return self.log(Log::NoConsent);
        }
        let limits = StringLimits {
            max_chars: self.config.max_string_length,
            redact_emails: self.config.redact_emails,
        };
        let properties = match properties.map(|raw| sanitize_object(raw, limits)) {
            None => None,
            Some(Ok(s)) => Some(s.json.into_owned()),
            Some(Err(Refusal::NotAnObject)) => return self.refuse(Invalid::PropertiesNotObject),
            Some(Err(Refusal::Malformed)) => {
                return self.refuse(Invalid::PropertiesNotSerializable)
            }
        };
        // A call with options keeps its own time and page while it waits.
        let call = self.call.take();
        let at = call.as_ref().and_then(|c| c.timestamp).unwrap_or(now);
        let page_now = call
            .and_then(|c| c.page)
            .unwrap_or_else(|| self.env.page.clone());
        let (kind, page) = match kind {
            Kind::Track(name) => (PendingKind::Track(name.to_owned()), page_now),
            Kind::Page(name, page) => (PendingKind::Page(name.map(str::to_owned)), page.clone()),
            Kind::Identify => (PendingKind::Identify, page_now),
            Kind::Group(group_id) => (PendingKind::Group(group_id.to_owned()), page_now),
            Kind::Alias {
                user_id,
                previous_id,
            } => (
                PendingKind::Alias {
                    user_id: user_id.to_owned(),
                    previous_id: previous_id.map(str::to_owned),
                },
                page_now,
            ),
        };
        if self.pending.len() >= self.config.max_queue_events {
            let excess = self.pending.len() + 1 - self.config.max_queue_events;
            self.pending.drain(..excess.min(self.pending.len()));
            self.stats.dropped += excess as u32;
            self.log(Log::ConsentBufferFull(excess as u32));
        }
        self.pending.push(Pending {
            kind,
            properties,
            id,
            at,
            page,
            user_id: self.user_id.clone(),
        });
    }

    /// `setConsent`: records the decision, stores it (a necessary record),
    /// and starts or stops tracking.
    pub(super) fn decide(&mut self, now: WallMs, choice: Choice, fresh_id: [u8; 16]) {
        let action = self.consent.decide(choice, now);
        // The anonymous id before the record: another tab that sees the
        // record takes the stored id, so the visitor stays one visitor.
        if action == Action::Start && self.anonymous_id.is_empty() {
            self.new_anonymous_id(fresh_id);
        }
        if let Some(record) = self.consent.record() {
            self.effects.push(Effect::Store {
                key: KEY_CONSENT.to_owned(),
                value: record,
            });
        }
        self.follow(now, action, fresh_id, true);
    }

    /// The consent record changed in another tab (or may have, while this
    /// page was in the back/forward cache): its decision is this page's too.
    pub(super) fn on_consent_record(
        &mut self,
        now: WallMs,
        record: Option<&str>,
        anonymous_id: Option<&str>,
        fresh_id: [u8; 16],
    ) {
        let before = self.consent.decision().cloned();
        let action = self.consent.on_record(record);
        if action == Action::Start && self.anonymous_id.is_empty() {
            if let Some(id) = anonymous_id.filter(|id| is_uuid(id)) {
                self.anonymous_id = id.to_owned();
            }
        }
        if self.consent.decision() != before.as_ref() {
            self.follow(now, action, fresh_id, false);
            self.sync(now);
        }
    }

    /// Carries out what a consent decision means (`action`), made here
    /// (`announce`: `consent_updated` is tracked) or in another tab.
    fn follow(&mut self, now: WallMs, action: Action, fresh_id: [u8; 16], announce: bool) {
        self.rebuild_context();
        #[cfg(feature = "datalayer")]
        self.consent_mode("update");
        match action {
            Action::Start => {
                if self.anonymous_id.is_empty() {
                    self.new_anonymous_id(fresh_id);
                }
                if let Some(user_id) = self.user_id.clone() {
                    self.store(KEY_USER_ID, user_id);
                }
                self.release(now);
            }
            Action::Stop => {
                self.pending.clear();
                self.outbox.clear();
                self.anonymous_id.clear();
                self.user_id = None;
                self.beat = Beat::Off;
                self.effects.push(Effect::Purge);
                return self.settle_tickets();
            }
            Action::None => {}
        }
        if announce && self.consent.tracks() {
            let properties = self.consent.properties();
            self.accept(
                now,
                Kind::Track("consent_updated"),
                Some(&properties),
                fresh_id_for_update(fresh_id),
            );
            self.sync(now);
        }
    }

    /// Writes the events that waited for consent, in order, with their own
    /// timestamps and pages, and the identifiers and consent now in force.
    fn release(&mut self, now: WallMs) {
        let pending = std::mem::take(&mut self.pending);
        let mut cache: Option<(Page, ContextCache)> = None;
        for p in pending {
            if cache.as_ref().is_none_or(|(page, _)| *page != p.page) {
                let context = self.context_for(&p.page);
                cache = Some((p.page.clone(), context));
            }
            // Each event that waited is session activity when it happened.
            #[cfg(feature = "attribution")]
            if self.visit.on_event(p.at, p.id) {
                let context = self.context_for(&p.page);
                cache = Some((p.page.clone(), context));
            }
            let Some((_, context)) = &cache else { continue };
            let kind = match &p.kind {
                PendingKind::Track(name) => Kind::Track(name),
                PendingKind::Page(name) => Kind::Page(name.as_deref(), &p.page),
                PendingKind::Identify => Kind::Identify,
                PendingKind::Group(group_id) => Kind::Group(group_id),
                PendingKind::Alias {
                    user_id,
                    previous_id,
                } => Kind::Alias {
                    user_id,
                    previous_id: previous_id.as_deref(),
                },
            };
            let mut json = String::with_capacity(context.as_str().len() + 256);
            write_event(
                &mut json,
                &Fields {
                    kind,
                    properties: p.properties.as_deref().unwrap_or("{}"),
                    message_id: p.id,
                    anonymous_id: &self.anonymous_id,
                    user_id: p.user_id.as_deref(),
                    timestamp: p.at,
                    context,
                    own_context: "",
                },
            );
            if json.len() > self.outbox.max_event_bytes() {
                self.refuse(Invalid::EventTooLarge);
                continue;
            }
            #[cfg(feature = "attribution")]
            if self.visit.on_event_accepted() {
                cache = None;
            }
            self.stats.dropped += self.outbox.push(json, None, now);
        }
        // The session (its start) may have moved on with these events.
        self.rebuild_context();
        self.request_drain();
    }
}

/// The message id of `consent_updated`: derived from the bytes given with
/// the decision (whose first use may be a new anonymous id).
fn fresh_id_for_update(mut bytes: [u8; 16]) -> [u8; 16] {
    for b in bytes.iter_mut() {
        *b = b.rotate_left(3) ^ 0x5a;
    }
    bytes
}
