//! Sessions: when one ends and the next begins, and which attribution each
//! carries.
//!
//! [`SessionRules`] decides on plain times: a session ends after
//! `sessionTimeoutMin` of inactivity (default 30 minutes) and lasts at most
//! 24 hours. [`Visit`] applies the rules to a page load and the events that
//! follow, together with the stored state: the session (id, start, last
//! activity, attribution), the first touch (stored once) and the last
//! non-direct touch.
//!
//! Attribution follows GA4:
//! - a landing with a new campaign (a different source, medium or campaign
//!   name, or a click id the session does not have) starts a new session;
//! - internal navigation, reloads and direct visits inside a session keep the
//!   session and its attribution;
//! - a session that starts without a source (direct, or an internal page
//!   after the previous session expired) carries the last non-direct touch
//!   when it is at most [`LAST_TOUCH_LOOKBACK_MS`] old ("last non-direct
//!   click"), else it is Direct.

use crate::core::attribution::{Attribution, Touch};
use crate::core::json::push_u64;
use crate::core::time::WallMs;
use crate::core::uuid::{is_uuid, push_uuid_v4};

/// Default inactivity after which a session ends: 30 minutes (GA4's,
/// PostHog's and RudderStack's default).
pub const DEFAULT_IDLE_TIMEOUT_MIN: u64 = 30;
/// Longest session: 24 hours (PostHog's cap; GA4 has none, but a day-long
/// session is a tab left open, not a visit).
pub const MAX_SESSION_MS: u64 = 24 * 60 * 60 * 1000;
/// How long the last non-direct touch is carried into later direct
/// sessions: 90 days (GA4's longest acquisition lookback).
pub const LAST_TOUCH_LOOKBACK_MS: u64 = 90 * 24 * 60 * 60 * 1000;

/// Storage key of the current session: a record (one field per line, then
/// a checksum) of its id, start, last activity, and attribution key and
/// context.
pub const KEY_SESSION: &str = "footfall.session";
/// Storage key of the first touch (written once per browser): a record of
/// its time, attribution key and context.
pub const KEY_FIRST_TOUCH: &str = "footfall.touch.first";
/// Storage key of the last non-direct touch, stored like the first.
pub const KEY_LAST_TOUCH: &str = "footfall.touch.last";

/// Why a session started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartReason {
    /// There was none.
    First,
    /// The previous one saw no activity for the idle timeout.
    Idle,
    /// The previous one reached [`MAX_SESSION_MS`].
    MaxDuration,
    /// The landing brought a new campaign.
    NewCampaign,
}

/// What an activity means for the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    /// It belongs to the current session.
    Continue,
    /// It starts a new one.
    Start(StartReason),
}

/// The session timing rules, holding the current session's start and last
/// activity.
///
/// ```
/// use footfall::core::attribution::session::{Activity, SessionRules, StartReason};
/// use footfall::core::time::WallMs;
/// let mut rules = SessionRules::new(30 * 60_000);
/// assert_eq!(rules.on_activity(WallMs(0)), Activity::Start(StartReason::First));
/// assert_eq!(rules.on_activity(WallMs(29 * 60_000)), Activity::Continue);
/// assert_eq!(rules.on_activity(WallMs(60 * 60_000)), Activity::Start(StartReason::Idle));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionRules {
    /// Inactivity that ends a session (`sessionTimeoutMin`).
    pub idle_timeout_ms: u64,
    /// Longest session, [`MAX_SESSION_MS`].
    pub max_duration_ms: u64,
    /// (start, last activity) of the current session.
    span: Option<(WallMs, WallMs)>,
}

impl SessionRules {
    /// Rules with this idle timeout and the 24-hour cap, no session yet.
    pub fn new(idle_timeout_ms: u64) -> SessionRules {
        SessionRules {
            idle_timeout_ms,
            max_duration_ms: MAX_SESSION_MS,
            span: None,
        }
    }

    /// Resumes a stored session.
    pub fn restore(&mut self, start: WallMs, last: WallMs) {
        self.span = Some((start, last.max(start)));
    }

    /// The current session's start and last activity.
    pub fn span(&self) -> Option<(WallMs, WallMs)> {
        self.span
    }

    /// Records activity at `now`: continues the session, or starts a new one
    /// when there is none, when it was idle for the timeout or longer, or
    /// when it reached the cap. A clock that went back never ends a session.
    pub fn on_activity(&mut self, now: WallMs) -> Activity {
        let activity = match self.span {
            None => Activity::Start(StartReason::First),
            Some((_, last)) if now.since(last) >= self.idle_timeout_ms => {
                Activity::Start(StartReason::Idle)
            }
            Some((start, _)) if now.since(start) >= self.max_duration_ms => {
                Activity::Start(StartReason::MaxDuration)
            }
            Some((start, last)) => {
                self.span = Some((start, last.max(now)));
                return Activity::Continue;
            }
        };
        self.start(now);
        activity
    }

    /// Starts a new session at `now` (a new campaign).
    pub fn start(&mut self, now: WallMs) {
        self.span = Some((now, now));
    }
}

/// Stored state, time and randomness the driver reads at start (see
/// [`crate::core::engine::Boot`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct SessionBoot<'a> {
    /// When the page loaded.
    pub now: WallMs,
    /// The value under [`KEY_SESSION`].
    pub session: Option<&'a str>,
    /// The value under [`KEY_FIRST_TOUCH`].
    pub first_touch: Option<&'a str>,
    /// The value under [`KEY_LAST_TOUCH`].
    pub last_touch: Option<&'a str>,
    /// Random bytes for a new session id.
    pub fresh_id: [u8; 16],
}

/// FNV-1a (32 bits) of `text`: a stored record ends with it, so a record
/// that was cut or written by someone else is ignored rather than pasted
/// into events.
fn checksum(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// A stored record: `fields` one per line, then the checksum of the lines
/// before it. No field contains a line break.
fn record(fields: &[&str]) -> String {
    let mut out = String::new();
    for field in fields {
        out.push_str(field);
        out.push('\n');
    }
    let sum = checksum(&out);
    push_u64(&mut out, u64::from(sum));
    out
}

/// The fields of a stored record whose checksum matches.
fn read_record(stored: &str) -> Option<std::str::Split<'_, char>> {
    let body_end = crate::core::url::rfind_byte(stored, b'\n')? + 1;
    let (body, sum) = (stored.get(..body_end)?, stored.get(body_end..)?);
    (sum.parse::<u32>().ok()? == checksum(body)).then(|| body.split('\n'))
}

/// The next field of a record, as a time.
fn read_time(fields: &mut std::str::Split<'_, char>) -> Option<WallMs> {
    fields.next()?.parse().ok().map(WallMs)
}

/// The next two fields of a record, as an attribution (key, context).
fn read_attribution(fields: &mut std::str::Split<'_, char>) -> Option<Attribution> {
    Some(Attribution {
        key: fields.next()?.to_owned(),
        context: fields.next()?.to_owned(),
    })
}

/// A stored touch: when, and its attribution (`at`, key, context).
fn read_touch(stored: &str) -> Option<(Attribution, WallMs)> {
    let mut fields = read_record(stored)?;
    let at = read_time(&mut fields)?;
    Some((read_attribution(&mut fields)?, at))
}

/// A stored session: id, start, last activity, attribution.
fn read_session(stored: &str) -> Option<(&str, WallMs, WallMs, Attribution)> {
    let mut fields = read_record(stored)?;
    let id = fields.next().filter(|id| is_uuid(id))?;
    let start = read_time(&mut fields)?;
    let last = read_time(&mut fields)?;
    Some((id, start, last, read_attribution(&mut fields)?))
}

/// `attribution` stored with its time.
fn touch_record(attribution: &Attribution, at: WallMs) -> String {
    let mut time = String::new();
    push_u64(&mut time, at.0);
    record(&[&time, &attribution.key, &attribution.context])
}

/// The session and attribution of one page: decides at page load, follows
/// every event, and says what to store.
#[derive(Clone, Debug)]
pub struct Visit {
    rules: SessionRules,
    id: String,
    /// The next event is the session's first: it carries `"start":true`.
    start_pending: bool,
    /// The session's attribution.
    attribution: Attribution,
    /// The last non-direct touch and when it happened.
    last_touch: Option<(Attribution, WallMs)>,
    /// The first touch to store, when none was stored yet.
    pending_first: Option<String>,
    session_dirty: bool,
    last_touch_dirty: bool,
}

impl Visit {
    /// Decides the session of a page load at `now` whose landing is
    /// `landing` (see [`Touch::classify`]), from the stored state in `boot`.
    pub fn boot(now: WallMs, landing: &Touch, boot: SessionBoot, idle_timeout_ms: u64) -> Visit {
        let landing = landing.attribution();
        let mut visit = Visit {
            rules: SessionRules::new(idle_timeout_ms),
            id: String::new(),
            start_pending: false,
            attribution: Attribution::default(),
            last_touch: boot.last_touch.and_then(read_touch),
            pending_first: None,
            session_dirty: true,
            last_touch_dirty: false,
        };
        if let Some((id, start, last, attribution)) = boot.session.and_then(read_session) {
            visit.rules.restore(start, last);
            visit.id = id.to_owned();
            visit.attribution = attribution;
        }
        if boot.first_touch.is_none_or(|s| read_touch(s).is_none()) {
            visit.pending_first = Some(touch_record(&landing, now));
        }
        let mut start = visit.rules.on_activity(now) != Activity::Continue;
        if landing.is_direct() {
            if start {
                visit.start_session(now, boot.fresh_id, landing);
            }
            return visit;
        }
        if !start && landing.key != visit.attribution.key {
            visit.rules.start(now);
            start = true;
        }
        if start {
            visit.start_session(now, boot.fresh_id, landing.clone());
        }
        visit.last_touch = Some((landing, now));
        visit.last_touch_dirty = true;
        visit
    }

    /// Starts a session with a new id from `random`; a non-direct
    /// `attribution` is its own, a direct one gives way to the last
    /// non-direct touch when recent enough.
    fn start_session(&mut self, now: WallMs, random: [u8; 16], attribution: Attribution) {
        self.id.clear();
        push_uuid_v4(&mut self.id, random);
        self.start_pending = true;
        self.session_dirty = true;
        self.attribution = match &self.last_touch {
            Some((last, at))
                if attribution.is_direct() && now.since(*at) <= LAST_TOUCH_LOOKBACK_MS =>
            {
                last.clone()
            }
            _ => attribution,
        };
    }

    /// Records an event at `now`. When it starts a new session (idle
    /// timeout or cap), the new id is made from `random` (the event's message
    /// id bytes, each XORed with 0x5a, so the two ids differ) and this
    /// returns true: the shared context (session, attribution) must be
    /// rebuilt.
    pub fn on_event(&mut self, now: WallMs, random: [u8; 16]) -> bool {
        self.session_dirty = true;
        if self.rules.on_activity(now) == Activity::Continue {
            return false;
        }
        self.start_session(now, random.map(|b| b ^ 0x5a), Attribution::default());
        true
    }

    /// The session id.
    pub fn session_id(&self) -> &str {
        &self.id
    }

    /// The session's attribution.
    pub fn attribution(&self) -> &Attribution {
        &self.attribution
    }

    /// The current session's start and last activity.
    pub fn span(&self) -> Option<(WallMs, WallMs)> {
        self.rules.span()
    }

    /// Appends the context member `,"session":{"id":"...","start":true}`
    /// (`start` until an event of the session was accepted). It is part of
    /// the shared context: the id is the same for every event of a page view
    /// (a new session rebuilds the context), and the session's first event
    /// is written with a shared context of its own that has `start`.
    pub fn push_context(&self, out: &mut String) {
        out.push_str(",\"session\":{\"id\":\"");
        out.push_str(&self.id);
        out.push('"');
        if self.start_pending {
            out.push_str(",\"start\":true");
        }
        out.push('}');
    }

    /// An event was accepted: later ones do not start the session. Returns
    /// whether this one did (the shared context must be rebuilt without
    /// `start`).
    pub fn on_event_accepted(&mut self) -> bool {
        std::mem::take(&mut self.start_pending)
    }

    /// What changed since the last call, as (storage key, value): the
    /// session after any activity, the last touch after a new one, the first
    /// touch once.
    pub fn take_writes(&mut self) -> Vec<(&'static str, String)> {
        let mut writes = Vec::new();
        if let Some(first) = self.pending_first.take() {
            writes.push((KEY_FIRST_TOUCH, first));
        }
        if std::mem::take(&mut self.last_touch_dirty) {
            if let Some((attribution, at)) = &self.last_touch {
                writes.push((KEY_LAST_TOUCH, touch_record(attribution, *at)));
            }
        }
        if std::mem::take(&mut self.session_dirty) {
            if let Some((start, last)) = self.rules.span() {
                let (mut start_text, mut last_text) = (String::new(), String::new());
                push_u64(&mut start_text, start.0);
                push_u64(&mut last_text, last.0);
                let a = &self.attribution;
                let value = record(&[&self.id, &start_text, &last_text, &a.key, &a.context]);
                writes.push((KEY_SESSION, value));
            }
        }
        writes
    }
}

#[cfg(test)]
mod tests;
