//! Tracking calls: validated, written once as JSON text with the shared
//! context, and queued (or kept until consent is decided); the shared
//! context itself; automatic page views, whose events take the same path.

use crate::core::engine::{CallOptions, Effect, Engine, Input, Invalid, Log};
use crate::core::envelope::{write_event, ContextCache, Environment, Fields, Kind, Page};
use crate::core::keys::{KEY_ANONYMOUS_ID, KEY_USER_ID};
use crate::core::outbox::Compact;
use crate::core::privacy::{clean_name, redact_if, redact_page};
use crate::core::sanitize::{sanitize_object, Refusal, StringLimits};
use crate::core::time::WallMs;
use crate::core::uuid::push_uuid_v4;

/// [`CallOptions`] resolved against the current page, held while the call
/// is handled.
#[derive(Debug)]
pub(super) struct CallOverride {
    pub(super) timestamp: Option<WallMs>,
    pub(super) page: Option<Page>,
}

impl Engine {
    /// `trackEvent(name, properties)`.
    pub(super) fn track(
        &mut self,
        now: WallMs,
        name: &str,
        properties: Option<&str>,
        id: [u8; 16],
    ) {
        if name.is_empty() {
            self.refuse(Invalid::NameEmpty);
        } else {
            self.accept(now, Kind::Track(name), properties, id);
        }
    }

    /// `page(name, properties)`, made with the location `current`.
    pub(super) fn page(
        &mut self,
        now: WallMs,
        name: Option<&str>,
        properties: Option<&str>,
        id: [u8; 16],
        current: Option<&Page>,
    ) {
        // A per-call `context.page` (a replayed call) wins; otherwise
        // the location at call time becomes the page when it moved.
        let page = match self.call.as_ref().and_then(|c| c.page.clone()) {
            Some(page) => page,
            None => {
                if let Some(current) = current {
                    let current = redact_page(current.clone(), &self.config.strip_query_params);
                    if current != self.env.page {
                        self.env.page = current;
                        self.rebuild_context();
                    }
                }
                self.env.page.clone()
            }
        };
        self.accept(now, Kind::Page(name, &page), properties, id);
    }

    /// `identify(userId, traits)`.
    pub(super) fn identify(
        &mut self,
        now: WallMs,
        user_id: Option<&str>,
        traits: Option<&str>,
        id: [u8; 16],
    ) {
        if let Some(user_id) = user_id {
            // Stored as sent: it is the userId of every later event.
            let user_id = redact_if(user_id, self.config.redact_emails).into_owned();
            if self.user_id.as_deref() != Some(&user_id) {
                self.store(KEY_USER_ID, user_id.clone());
                self.user_id = Some(user_id);
            }
        }
        self.accept(now, Kind::Identify, traits, id);
    }

    /// `group(groupId, traits)`.
    pub(super) fn group(
        &mut self,
        now: WallMs,
        group_id: &str,
        traits: Option<&str>,
        id: [u8; 16],
    ) {
        if group_id.is_empty() {
            return self.refuse(Invalid::IdNotString);
        }
        let group_id = redact_if(group_id, self.config.redact_emails);
        self.accept(now, Kind::Group(&group_id), traits, id);
    }

    /// `alias(userId, previousId)`: the current user id is unchanged
    /// (Segment's behaviour; `identify` sets it).
    pub(super) fn alias(
        &mut self,
        now: WallMs,
        user_id: &str,
        previous_id: Option<&str>,
        id: [u8; 16],
    ) {
        if user_id.is_empty() {
            return self.refuse(Invalid::IdNotString);
        }
        let redact = self.config.redact_emails;
        let user_id = redact_if(user_id, redact);
        let previous_id = previous_id
            .filter(|p| !p.is_empty())
            .map(|p| redact_if(p, redact));
        let kind = Kind::Alias {
            user_id: &user_id,
            previous_id: previous_id.as_deref(),
        };
        self.accept(now, kind, None, id);
    }

    /// `reset()`: forgets the user, starts a new anonymous id.
    pub(super) fn reset(&mut self, fresh_id: [u8; 16]) {
        if self.user_id.take().is_some() {
            self.effects.push(Effect::Remove {
                key: KEY_USER_ID.to_owned(),
            });
        }
        if self.consent.tracks() {
            self.new_anonymous_id(fresh_id);
        }
        #[cfg(feature = "experiments")]
        {
            self.reset_experiments();
            self.rebuild_context();
        }
    }

    /// A call with Segment's per-call options: handled with its own time
    /// and page.
    pub(super) fn with_options(&mut self, now: WallMs, call: &Input, options: CallOptions) {
        let strip = &self.config.strip_query_params;
        let page = options
            .page
            .map(|patch| redact_page(self.env.page.patched(patch), strip));
        self.call = Some(CallOverride {
            timestamp: options.timestamp,
            page,
        });
        self.handle(now, *call);
        self.call = None;
    }

    /// Validates, serializes once and queues an event (or keeps it waiting
    /// for a consent decision); false when refused.
    pub(super) fn accept(
        &mut self,
        now: WallMs,
        kind: Kind,
        properties: Option<&str>,
        id: [u8; 16],
    ) -> bool {
        // Names are the site's strings too: redacted, then cut, before they
        // wait for consent or are written.
        let (redact, max_chars) = (self.config.redact_emails, self.config.max_string_length);
        let (name, name_cut) = clean_name(kind.name().unwrap_or_default(), redact, max_chars);
        let kind = kind.renamed(&name);
        if !self.consent.tracks() {
            // Kept for later, or dropped: not tracked now either way.
            self.wait_for_consent(now, kind, properties, id);
            return false;
        }
        let limits = StringLimits {
            max_chars: self.config.max_string_length,
            redact_emails: self.config.redact_emails,
        };
        let sanitized = match properties.map(|raw| sanitize_object(raw, limits)) {
            None => None,
            Some(Ok(s)) => Some(s),
            Some(Err(Refusal::NotAnObject)) => {
                self.refuse(Invalid::PropertiesNotObject);
                return false;
            }
            Some(Err(Refusal::Malformed)) => {
                self.refuse(Invalid::PropertiesNotSerializable);
                return false;
            }
        };
        let truncated = sanitized.as_ref().map_or(0, |s| s.truncated) + u32::from(name_cut);
        let props = sanitized.as_ref().map_or("{}", |s| &s.json);
        #[cfg(feature = "attribution")]
        if self.visit.on_event(now, id) {
            self.rebuild_context();
        }
        // A call made on another page (Input::WithOptions) carries that
        // page's full context of its own and never goes in the compact form.
        let call = self.call.take();
        let own_page = call
            .as_ref()
            .and_then(|c| c.page.as_ref())
            .map(|page| self.context_for(page));
        let context = own_page.as_ref().unwrap_or(&self.context);
        let mut json = String::with_capacity(context.as_str().len() + props.len() + 256);
        let span = write_event(
            &mut json,
            &Fields {
                kind,
                properties: props,
                message_id: id,
                anonymous_id: &self.anonymous_id,
                user_id: self.user_id.as_deref(),
                timestamp: call.and_then(|c| c.timestamp).unwrap_or(now),
                context,
                own_context: "",
            },
        );
        let compact = own_page.is_none().then_some(Compact {
            context: self.context_id,
            cut: span.cut,
        });
        if json.len() > self.outbox.max_event_bytes() {
            self.refuse(Invalid::EventTooLarge);
            return false;
        }
        #[cfg(feature = "attribution")]
        if self.visit.on_event_accepted() {
            // The session's first event had `start`; later ones do not.
            self.rebuild_context();
        }
        if truncated > 0 {
            self.stats.truncated += truncated;
            self.log(Log::Truncated(truncated));
        }
        let dropped = self.outbox.push(json, compact, now);
        if dropped > 0 {
            self.stats.dropped += dropped;
            self.log(Log::QueueFull(dropped));
        }
        self.request_drain();
        true
    }

    pub(super) fn new_anonymous_id(&mut self, random: [u8; 16]) {
        let mut id = String::with_capacity(36);
        push_uuid_v4(&mut id, random);
        self.anonymous_id = id.clone();
        self.store(KEY_ANONYMOUS_ID, id);
    }

    /// Rebuilds the shared context (after the page or consent changed) and
    /// gives it a new id.
    pub(super) fn rebuild_context(&mut self) {
        let page = self.env.page.clone();
        self.context = self.context_for(&page);
        self.context_id = self.context_id.wrapping_add(1);
        self.outbox
            .register_context(self.context_id, self.context.as_str());
    }

    /// The shared context for an event on `page`, with the consent in force
    /// and the session's attribution (`campaign`, `clickIds`, `referrer`,
    /// `channel`, `session`), which belongs to the session, not to the page
    /// (without sessions, the landing's `campaign` and `clickIds`, which
    /// belong to the page load).
    pub(super) fn context_for(&self, page: &Page) -> ContextCache {
        let mut members = String::with_capacity(400);
        self.consent.push_context(&mut members);
        if self.config.anonymize_ip {
            members.push_str(",\"ip\":\"0.0.0.0\"");
        }
        #[cfg(feature = "attribution")]
        {
            members.push_str(&self.visit.attribution().context);
            self.visit.push_context(&mut members);
        }
        #[cfg(not(feature = "attribution"))]
        members.push_str(&self.campaign);
        #[cfg(feature = "experiments")]
        self.push_experiments_context(&mut members);
        if *page == self.env.page {
            return ContextCache::with_members(&self.env, &members);
        }
        let env = Environment {
            page: page.clone(),
            ..self.env.clone()
        };
        ContextCache::with_members(&env, &members)
    }

    /// The page changed without a page load (a route change in a single-page
    /// app): redacts `page`, keeps the session's attribution, and rebuilds
    /// the shared context.
    pub fn set_page(&mut self, page: Page) {
        self.env.page = redact_page(page, &self.config.strip_query_params);
        self.rebuild_context();
    }

    /// A page view began: its `page` event, when `autocapture.pageViews`.
    pub(super) fn page_view(&mut self, now: WallMs) {
        #[cfg(feature = "errors")]
        self.errors.begin();
        if self.config.page_views {
            let page = self.env.page.clone();
            self.emit_auto(now, Kind::Page(None, &page), None);
        }
    }

    /// The one path of automatic events (page views, behaviour signals,
    /// declarative clicks): a mirror to the dataLayer hooks in here.
    pub(super) fn emit_auto(&mut self, now: WallMs, kind: Kind, properties: Option<&str>) {
        let id = self.next_auto_id();
        if self.accept(now, kind, properties, id) {
            #[cfg(feature = "datalayer")]
            self.mirror(kind, properties);
        }
    }

    /// A message id for an automatic event: the random base from
    /// [`Input::Start`] with a counter in its last four bytes, so ids are
    /// distinct within the page and as random as a fresh one across pages.
    fn next_auto_id(&mut self) -> [u8; 16] {
        self.auto_ids.1 = self.auto_ids.1.wrapping_add(1);
        let mut id = self.auto_ids.0;
        for (b, c) in id.iter_mut().skip(12).zip(self.auto_ids.1.to_be_bytes()) {
            *b ^= c;
        }
        id
    }

    /// The driver listens: the first page view begins (with the `signals`
    /// feature, its signals began with `Input::SignalsStart`).
    pub(super) fn start(&mut self, now: WallMs, id: [u8; 16]) {
        self.auto_ids = (id, 0);
        self.page_view(now);
    }
}
