//! The sans-IO engine: inputs in, effects out, one deadline.
//!
//! The browser layer feeds it what happened ([`Input`]) with the current time,
//! carries out what it asks for ([`Effect`]), and wakes it at
//! [`Engine::poll_timeout`]. Nothing here reads a clock, storage or a global.

use crate::core::config::Config;
use crate::core::consent::{Action, Choice, Consent, Signals, KEY_CONSENT};
use crate::core::datalayer::mirror_entry;
use crate::core::element::declared_name;
use crate::core::envelope::{
    write_event, ContextCache, Environment, Fields, Kind, Page, PagePatch,
};
use crate::core::json::push_str;
use crate::core::keys::{KEY_ANONYMOUS_ID, KEY_USER_ID};
use crate::core::outbox::{BatchId, Compact, Limits, Outbox, StoreOp};
use crate::core::page_view::RouteChange;
use crate::core::retry::{parse_retry_after, Jitter, Verdict};
use crate::core::sanitize::{sanitize_object, Refusal, StringLimits};
use crate::core::signals::{Auto, PageSignals};
use crate::core::tabs::{self, heartbeat_key, segment_key, CLOSED, HEARTBEAT_MS};
use crate::core::time::{push_iso8601, WallMs};
use crate::core::uuid::{is_uuid, push_uuid_v4};

use crate::core::attribution::{Attribution, Touch};
use crate::core::privacy::{clean_name, redact_if, redact_page};
use crate::core::session::{SessionBoot, Visit};

/// How long fetches wait after the page announced a navigation away: long
/// enough for `pagehide` to come, short enough that a cancelled navigation
/// (a download, a 204) only delays sending a little.
pub const LEAVING_HOLD_MS: u64 = 1000;

/// Why a call was refused at the door (counted in `stats().invalid`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalid {
    /// The event name is not a string.
    NameNotString,
    /// The event name is empty.
    NameEmpty,
    /// The properties could not be serialized (cyclic, BigInt, throwing getter).
    PropertiesNotSerializable,
    /// The properties are not an object.
    PropertiesNotObject,
    /// The event is larger than one request may carry.
    EventTooLarge,
    /// `identify` without a string user id or a traits object.
    UserIdNotString,
    /// `setConsent` without an object of categories.
    ConsentNotObject,
    /// `onExitIntent` with something other than a function.
    CallbackNotFunction,
}

impl Invalid {
    /// A sentence for the debug log.
    pub fn as_str(self) -> &'static str {
        match self {
            Invalid::NameNotString => "event dropped: the name must be a string",
            Invalid::NameEmpty => "event dropped: the name is empty",
            Invalid::PropertiesNotSerializable => {
                "event dropped: properties cannot be serialized (cyclic object, BigInt or throwing getter)"
            }
            Invalid::PropertiesNotObject => "event dropped: properties must be a plain object",
            Invalid::EventTooLarge => "event dropped: larger than maxBatchBytes once serialized",
            Invalid::UserIdNotString => "identify ignored: the user id must be a string",
            Invalid::ConsentNotObject => {
                "setConsent ignored: expected an object such as { analytics: true, marketing: false }"
            }
            Invalid::CallbackNotFunction => "onExitIntent ignored: the callback must be a function",
        }
    }
}

/// Something worth telling a developer who turned `debug` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Log {
    /// A call was refused.
    Refused(Invalid),
    /// Strings longer than `maxStringLength` were cut (how many).
    Truncated(u32),
    /// The queue was full: the oldest events were dropped (how many).
    QueueFull(u32),
    /// The collector refused a batch for good (status); its events are dropped.
    Rejected(u16),
    /// A send failed (status, 0 for a network error); it will be retried.
    Retrying(u16),
    /// A beacon was refused by the browser (quota); retrying smaller.
    BeaconRefused,
    /// The browser ended the listener inside `sendBeacon` (a closing tab):
    /// whether it left is unknown, and its events are sent again.
    BeaconCutOff,
    /// Analytics consent is denied: the event was not recorded.
    NoConsent,
    /// The consent buffer was full: the oldest waiting events were dropped.
    ConsentBufferFull(u32),
    /// Stored lines that are not footfall's own events were ignored (how many).
    ForeignRecord(u32),
    /// An option was out of its range and was clamped (its name).
    Clamped(&'static str),
}

impl Log {
    /// A sentence for the debug log.
    pub fn as_str(self) -> &'static str {
        match self {
            Log::Refused(i) => i.as_str(),
            Log::Truncated(_) => "strings longer than maxStringLength were truncated:",
            Log::QueueFull(_) => "queue full (maxQueueEvents): oldest events dropped:",
            Log::Rejected(_) => "the collector refused a batch; its events are dropped. Status:",
            Log::Retrying(_) => "send failed; retrying with backoff. Status (0 = network error):",
            Log::BeaconRefused => {
                "the browser refused a beacon (keepalive quota); retrying smaller"
            }
            Log::BeaconCutOff => {
                "the browser ended the page's listener inside a beacon; its events are sent again"
            }
            Log::NoConsent => "analytics consent is denied: event not recorded",
            Log::ConsentBufferFull(_) => {
                "events waiting for consent exceed maxQueueEvents: oldest dropped:"
            }
            Log::ForeignRecord(_) => {
                "stored records that are not footfall's own events were ignored:"
            }
            Log::Clamped(_) => "an option out of its range was clamped (see the README's Options):",
        }
    }

    /// The option name that goes with the sentence, if any.
    pub fn name(self) -> Option<&'static str> {
        match self {
            Log::Clamped(name) => Some(name),
            _ => None,
        }
    }

    /// The number that goes with the sentence, if any.
    pub fn detail(self) -> Option<u32> {
        match self {
            Log::Truncated(n)
            | Log::QueueFull(n)
            | Log::ConsentBufferFull(n)
            | Log::ForeignRecord(n) => Some(n),
            Log::Rejected(s) | Log::Retrying(s) => Some(u32::from(s)),
            Log::Refused(_)
            | Log::BeaconRefused
            | Log::BeaconCutOff
            | Log::NoConsent
            | Log::Clamped(_) => None,
        }
    }
}

/// What the browser layer reports to the engine.
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    /// `trackEvent(name, properties)`; `properties` is `JSON.stringify` output.
    Track {
        /// Event name.
        name: &'a str,
        /// Properties as JSON text, if given.
        properties: Option<&'a str>,
        /// Random bytes for the message id.
        id: [u8; 16],
    },
    /// `page(name, properties)`.
    Page {
        /// Page name, if given.
        name: Option<&'a str>,
        /// Properties as JSON text, if given.
        properties: Option<&'a str>,
        /// Random bytes for the message id.
        id: [u8; 16],
        /// The location at the time of the call (a single-page app may have
        /// moved since the last page view the engine saw).
        current: Option<&'a Page>,
    },
    /// `identify(userId, traits)`.
    Identify {
        /// The user id (`None`: keep the current one, traits only).
        user_id: Option<&'a str>,
        /// Traits as JSON text, if given.
        traits: Option<&'a str>,
        /// Random bytes for the message id.
        id: [u8; 16],
    },
    /// `reset()`: forget the user and start a new anonymous id.
    Reset {
        /// Random bytes for the new anonymous id.
        fresh_id: [u8; 16],
    },
    /// A call refused before reaching the engine (wrong types).
    Refused(Invalid),
    /// The end of the current task: persist and send what accumulated.
    Drain,
    /// The deadline from [`Engine::poll_timeout`] has passed.
    Tick,
    /// `flush()`: report [`Effect::FlushDone`] with this ticket when settled.
    Flush {
        /// Chosen by the caller.
        ticket: u32,
    },
    /// A fetch ended: its HTTP status (0 for a network error) and `Retry-After`.
    Response {
        /// The batch.
        batch: BatchId,
        /// HTTP status, or 0.
        status: u16,
        /// The `Retry-After` header, if any.
        retry_after: Option<&'a str>,
        /// The window was closing when it ended (`window.closed`): a network
        /// error then means the browser cut the request off, not that the
        /// collector failed.
        closing: bool,
    },
    /// `sendBeacon` returned.
    BeaconResult {
        /// The batch.
        batch: BatchId,
        /// Whether the browser queued it.
        accepted: bool,
    },
    /// A `sendBeacon` call never returned: the browser ended the listener
    /// inside it (Firefox, closing a tab). Whether it left is unknown: its
    /// events are sent again (a duplicate at worst, never a loss).
    BeaconCutOff {
        /// The batch.
        batch: BatchId,
    },
    /// The page became hidden.
    Hidden,
    /// The page became visible again.
    Visible,
    /// `pagehide`: the page is being unloaded (or frozen into the bfcache).
    Unload {
        /// Fetch batches that never reached the network (their bodies were
        /// still being compressed): taken back, to leave by beacon or stay
        /// stored.
        unsent: &'a [BatchId],
    },
    /// The page announced a navigation to another document (Navigation
    /// API `navigate` event): hold fetches so the unload beacons get the
    /// whole keepalive quota.
    Leaving,
    /// Outboxes of pages that are gone (see [`Engine::orphans`]), read from
    /// storage: `(key, value)` of each segment, oldest first. They are
    /// re-stored under this page's id, their records removed, and sent.
    Adopt {
        /// Tabs adopted (their heartbeat records are removed too).
        tabs: &'a [&'a str],
        /// Their segments.
        segments: &'a [(&'a str, &'a str)],
    },
    /// The page came back from the back/forward cache after handing its
    /// outbox over on `pagehide`.
    Resume {
        /// Random bytes for the page's new id: what it handed over is
        /// another page's now, adopted like any other.
        fresh_tab: [u8; 16],
    },
    /// `setConsent(categories)`.
    Consent {
        /// The categories given.
        choice: Choice,
        /// Random bytes for an anonymous id, used if tracking starts.
        fresh_id: [u8; 16],
    },
    /// The consent record changed in another tab of the site (a `storage`
    /// event), or may have while this page was in the back/forward cache:
    /// its decision is this page's too.
    ConsentRecord {
        /// The record's new value.
        record: Option<&'a str>,
        /// The stored anonymous id (the deciding tab stores it first).
        anonymous_id: Option<&'a str>,
        /// Random bytes for an anonymous id, used if tracking starts and
        /// none is stored.
        fresh_id: [u8; 16],
    },
    /// Another page asked whether this one lives ([`tabs::PING_KEY`]).
    Ping,
    /// `navigator.onLine` changed.
    Online(bool),
    /// `shutdown()`.
    Shutdown,

    // Behaviour signals (issue 5).
    /// The driver listens: the first page view begins, with a `page` event
    /// when `autocapture.pageViews`.
    Start {
        /// Random bytes from which automatic events' message ids derive.
        id: [u8; 16],
        /// The primary pointer is coarse (a touch device).
        touch: bool,
        /// The page is visible.
        visible: bool,
    },
    /// The location changed (`pushState`, `replaceState`, `popstate`,
    /// `hashchange`): a new page view when the route rules say so.
    Route {
        /// How it changed.
        change: RouteChange,
        /// The page now (location, title, referrer).
        page: &'a Page,
    },
    /// A scroll measurement (at most one per animation frame), CSS pixels.
    Scroll {
        /// `scrollY`.
        scroll_y: u32,
        /// `innerHeight`.
        viewport_h: u32,
        /// The document's `scrollHeight`.
        doc_h: u32,
        /// A scroll caused it (else load or a route change).
        scrolled: bool,
    },
    /// A primary pointer press at viewport coordinates.
    PointerDown {
        /// `clientX`.
        x: i32,
        /// `clientY`.
        y: i32,
    },
    /// The target of the press that made a rage burst, described (answers
    /// [`Effect::DescribeTarget`]).
    RageTarget {
        /// A short CSS selector.
        selector: &'a str,
        /// Its text (cleaned and cut by the engine).
        text: &'a str,
    },
    /// `mouseout`.
    MouseOut {
        /// `clientY`.
        client_y: i32,
        /// The pointer left the document (`relatedTarget` null).
        left_window: bool,
    },
    /// An input that shows the visitor is there (pointer move, key press).
    Activity,
    /// A click on an element carrying `data-ff-event`.
    Declared {
        /// The attribute's value (blank: `element_clicked`).
        name: &'a str,
        /// Its `data-ff-prop-*` attributes as a JSON object.
        properties: &'a str,
    },

    // Distribution (issue 7).
    /// A `Track`, `Page` or `Identify` call with Segment's per-call
    /// `options`: when it was made and on which page (the script-tag loader
    /// replays calls recorded before footfall loaded this way).
    WithOptions {
        /// The call.
        call: &'a Input<'a>,
        /// Its options.
        options: CallOptions<'a>,
    },
}

/// Segment's per-call `options` (the argument after the properties), as far
/// as footfall uses them.
#[derive(Clone, Copy, Debug, Default)]
pub struct CallOptions<'a> {
    /// `options.timestamp`: when the call was made (default: now).
    pub timestamp: Option<WallMs>,
    /// `options.context.page`: the page it was made on, field by field over
    /// the current page. An event whose page differs carries its own full
    /// context (never the compact form's shared one).
    pub page: Option<&'a PagePatch>,
}

/// What the engine asks the browser layer to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// POST `body` to the endpoint with a keepalive fetch; report the result.
    Send {
        /// Reported back in [`Input::Response`].
        batch: BatchId,
        /// The request body.
        body: String,
    },
    /// `navigator.sendBeacon(endpoint, body)`; report [`Input::BeaconResult`].
    Beacon {
        /// Reported back in [`Input::BeaconResult`].
        batch: BatchId,
        /// The request body.
        body: String,
    },
    /// `localStorage.setItem(key, value)`.
    Store {
        /// Storage key.
        key: String,
        /// Value.
        value: String,
    },
    /// `localStorage.removeItem(key)`.
    Remove {
        /// Storage key.
        key: String,
    },
    /// Settle the `flush()` promise with this ticket.
    FlushDone(u32),
    /// Call `handle(Input::Drain)` once the current task's work is done
    /// (a microtask): sending and storage happen off the tracking call.
    Defer,
    /// Write to the console, when `debug` is on.
    Log(Log),

    // Behaviour signals (issue 5).
    /// Describe the target of the last pointer press (a short CSS selector
    /// and its text) and answer with [`Input::RageTarget`].
    DescribeTarget,
    /// Call the `onExitIntent` callbacks.
    ExitIntent {
        /// Time on the page view.
        dwell_ms: u64,
        /// Deepest percent of the page seen.
        max_scroll_percent: u8,
    },
    /// Remove every `footfall.` storage record but the consent record
    /// (analytics was denied).
    Purge,
    /// Push a Google Consent Mode command to the dataLayer, in gtag's form:
    /// `['consent', command, { key: 'granted' | 'denied', ... }]`.
    ConsentMode {
        /// `default` (at start) or `update`.
        command: &'static str,
        /// The state, in gtag's vocabulary.
        state: [(&'static str, bool); 7],
    },

    // Distribution (issue 7).
    /// `dataLayer.push(JSON.parse(entry))` on the configured dataLayer
    /// (created when missing): a mirrored automatic event.
    DataLayerPush(String),
}

/// Counters reported by `stats()`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events held now (waiting or in flight).
    pub queued: u32,
    /// Events the collector acknowledged or a beacon carried.
    pub sent: u32,
    /// Events given up on: refused by the collector, or pushed out of a full queue.
    pub dropped: u32,
    /// Events whose send failed and was scheduled again (once per attempt).
    pub retried: u32,
    /// Calls refused for bad input.
    pub invalid: u32,
    /// Strings cut to `maxStringLength`.
    pub truncated: u32,
}

/// Values read from storage and randomness, given to [`Engine::new`].
#[derive(Clone, Copy, Debug)]
pub struct Boot<'a> {
    /// The stored anonymous id, if any.
    pub anonymous_id: Option<&'a str>,
    /// The stored user id, if any.
    pub user_id: Option<&'a str>,
    /// Random bytes for a new anonymous id, used when none is stored.
    pub fresh_id: [u8; 16],
    /// This page's id, naming its outbox keys.
    pub tab: &'a str,
    /// Seed for retry jitter.
    pub seed: u64,
    /// `navigator.onLine`.
    pub online: bool,
    /// The stored consent record, if any.
    pub consent_record: Option<&'a str>,
    /// Global Privacy Control and Do Not Track.
    pub signals: Signals,
    /// Stored session and attribution state, and the time of the page load.
    pub session: SessionBoot<'a>,
}

/// The tracking engine. See the module documentation.
#[derive(Debug)]
pub struct Engine {
    config: Config,
    env: Environment,
    context: ContextCache,
    /// Id of the current shared context (changes with each page view).
    context_id: u32,
    anonymous_id: String,
    user_id: Option<String>,
    tab: String,
    outbox: Outbox,
    jitter: Jitter,
    stats: Stats,
    effects: Vec<Effect>,
    tickets: Vec<(u32, (u64, u64))>,
    drain_pending: bool,
    unloading: bool,
    stopped: bool,

    // Behaviour signals (issue 5).
    signals: PageSignals,
    /// Base of automatic events' message ids, and how many derived so far.
    auto_ids: ([u8; 16], u32),
    /// This page's heartbeat record.
    beat: Beat,
    /// `pagehide` came (and no `pageshow` since): what this page stores
    /// belongs to whichever page adopts it.
    left: bool,
    /// Records were handed over since the page left (its heartbeat then
    /// stays `closed`).
    handed_over: bool,
    /// When this page last asked the others whether they live.
    pinged_at: Option<WallMs>,
    /// The session and its attribution.
    visit: Visit,
    consent: Consent,
    /// Events waiting for a consent decision (opt-in), not yet serialized.
    pending: Vec<Pending>,

    // Distribution (issue 7).
    /// The options of the call being handled (see [`Input::WithOptions`]).
    call: Option<CallOverride>,
}

/// The state of this page's heartbeat record (`footfall.hb.<tab>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Beat {
    /// No record: this page stores no events.
    Off,
    /// Beating; the next beat is due at this time.
    Live(WallMs),
    /// `leaving:<time>`: the page is unloading; its beacons may still take
    /// what it stored (other pages wait a moment before adopting it).
    Leaving,
    /// `closed`: the page left, what it stored may be adopted at once.
    Closed,
}

/// An event tracked before the visitor decided: it is written (with the
/// identifiers and consent of that moment) only if analytics is granted.
#[derive(Debug)]
struct Pending {
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
}

/// [`CallOptions`] resolved against the current page, held while the call
/// is handled.
#[derive(Debug)]
struct CallOverride {
    timestamp: Option<WallMs>,
    page: Option<Page>,
}

impl Engine {
    /// A new engine for one page. Stores a fresh anonymous id when `boot`
    /// has none.
    pub fn new(config: Config, mut env: Environment, boot: Boot) -> Engine {
        // Attribution reads the landing URL before it is redacted: campaign
        // values and click ids are kept, the page URL loses what it must.
        let landing = Touch::classify(&env.page.url, &env.page.referrer, &config.internal_domains);
        let visit = Visit::boot(
            boot.session.now,
            &landing,
            boot.session,
            config.session_timeout_ms,
        );
        env.page = redact_page(env.page, &config.strip_query_params);
        let frame = body_frame(&config).len();
        let limits = Limits {
            flush_at: config.flush_at,
            flush_interval_ms: config.flush_interval_ms,
            max_batch_bytes: config.max_batch_bytes,
            max_queue_events: config.max_queue_events,
        };
        let signals = PageSignals::new(&config.autocapture, &env.page.url, &env.page.path);
        let consent = Consent::new(config.consent.clone(), boot.signals, boot.consent_record);
        let tracks = consent.tracks();
        let mut engine = Engine {
            context: ContextCache::default(),
            context_id: 1,
            env,
            anonymous_id: String::new(),
            user_id: None,
            tab: boot.tab.to_owned(),
            outbox: Outbox::new(limits, frame),
            jitter: Jitter::new(boot.seed),
            stats: Stats::default(),
            effects: Vec::new(),
            tickets: Vec::new(),
            drain_pending: false,
            unloading: false,
            stopped: false,
            signals,
            auto_ids: ([0; 16], 0),
            beat: Beat::Off,
            left: false,
            handed_over: false,
            pinged_at: None,
            consent,
            pending: Vec::new(),
            call: None,
            config,
            visit,
        };
        engine.rebuild_context();
        engine.outbox.set_online(boot.online, WallMs(0));
        for name in engine.config.clamped.clone() {
            engine.log(Log::Clamped(name));
        }
        if tracks {
            let redact = engine.config.redact_emails;
            engine.user_id = boot
                .user_id
                .filter(|u| !u.is_empty())
                .map(|u| redact_if(u, redact).into_owned());
            match boot.anonymous_id.filter(|id| is_uuid(id)) {
                Some(id) => engine.anonymous_id = id.to_owned(),
                None => engine.new_anonymous_id(boot.fresh_id),
            }
        } else if !engine.consent.is_pending() {
            // Denied: whatever an earlier page left goes.
            engine.effects.push(Effect::Purge);
        }
        if engine.config.consent_mode_bridge {
            let state = engine.consent.consent_mode();
            engine.effects.push(Effect::ConsentMode {
                command: "default",
                state,
            });
        }
        engine
    }

    /// Rebuilds the shared context (after the page or consent changed) and
    /// gives it a new id.
    fn rebuild_context(&mut self) {
        let page = self.env.page.clone();
        self.context = self.context_for(&page);
        self.context_id = self.context_id.wrapping_add(1);
        self.outbox
            .register_context(self.context_id, self.context.as_str());
    }

    /// The shared context for an event on `page`, with the consent in force
    /// and the session's attribution (`campaign`, `clickIds`, `referrer`,
    /// `channel`), which belongs to the session, not to the page.
    fn context_for(&self, page: &Page) -> ContextCache {
        let mut members = String::with_capacity(400);
        self.consent.push_context(&mut members);
        if self.config.anonymize_ip {
            members.push_str(",\"ip\":\"0.0.0.0\"");
        }
        members.push_str(&self.visit.attribution().context);
        self.visit.push_context(&mut members);
        if *page == self.env.page {
            return ContextCache::with_members(&self.env, &members);
        }
        let env = Environment {
            page: page.clone(),
            ..self.env.clone()
        };
        ContextCache::with_members(&env, &members)
    }

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
    pub fn session_id(&self) -> &str {
        self.visit.session_id()
    }

    /// The session's attribution, as events carry it.
    pub fn attribution(&self) -> &Attribution {
        self.visit.attribution()
    }

    /// The page changed without a page load (a route change in a single-page
    /// app): redacts `page`, keeps the session's attribution, and rebuilds
    /// the shared context.
    pub fn set_page(&mut self, page: Page) {
        self.env.page = redact_page(page, &self.config.strip_query_params);
        self.rebuild_context();
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

    /// Takes the next effect to carry out.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        if self.effects.is_empty() {
            return None;
        }
        Some(self.effects.remove(0))
    }

    /// When to deliver [`Input::Tick`] next (a time in the past means now).
    pub fn poll_timeout(&self) -> Option<WallMs> {
        if self.stopped || self.unloading {
            return None;
        }
        let next_beat = match self.beat {
            Beat::Live(at) => Some(at),
            _ => None,
        };
        [next_beat, self.signals.poll_timeout()].into_iter().fold(
            self.outbox.poll_timeout(),
            |at, t| match (at, t) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        )
    }

    /// This page's id, naming its storage records.
    pub fn tab(&self) -> &str {
        &self.tab
    }

    /// Looks at the other pages' outboxes among `keys` (every `footfall.`
    /// storage key; `heartbeat` reads a heartbeat record): which may be
    /// adopted now, and when to look again. When some look alive, asks
    /// them to answer (a [`tabs::PING_KEY`] record, with analytics consent).
    pub fn survey<'k>(
        &mut self,
        keys: &[&'k str],
        heartbeat: impl Fn(&str) -> Option<String>,
        now: WallMs,
    ) -> tabs::Survey<'k> {
        let survey = tabs::survey(&self.tab, keys, heartbeat, now, self.pinged_at);
        if survey.ping && self.consent.tracks() {
            let mut value = String::with_capacity(13);
            crate::core::json::push_u64(&mut value, now.0);
            self.store(tabs::PING_KEY, value);
            self.pinged_at = Some(now);
        }
        survey
    }

    /// Processes one input at time `now`.
    pub fn handle(&mut self, now: WallMs, input: Input) {
        if self.stopped {
            return;
        }
        match input {
            Input::Track {
                name,
                properties,
                id,
            } => {
                if name.is_empty() {
                    self.refuse(Invalid::NameEmpty);
                } else {
                    self.accept(now, Kind::Track(name), properties, id);
                }
            }
            Input::Page {
                name,
                properties,
                id,
                current,
            } => {
                // A per-call `context.page` (a replayed call) wins; otherwise
                // the location at call time becomes the page when it moved.
                let page = match self.call.as_ref().and_then(|c| c.page.clone()) {
                    Some(page) => page,
                    None => {
                        if let Some(current) = current {
                            let current =
                                redact_page(current.clone(), &self.config.strip_query_params);
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
            Input::Identify {
                user_id,
                traits,
                id,
            } => {
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
            Input::Reset { fresh_id } => {
                if self.user_id.take().is_some() {
                    self.effects.push(Effect::Remove {
                        key: KEY_USER_ID.to_owned(),
                    });
                }
                if self.consent.tracks() {
                    self.new_anonymous_id(fresh_id);
                }
            }
            Input::Refused(why) => self.refuse(why),
            Input::Drain => {
                self.drain_pending = false;
                self.sync(now);
            }
            Input::Adopt { .. } if !self.consent.tracks() => {}
            Input::Adopt { tabs, segments } => {
                let max_bytes = self.outbox.max_event_bytes();
                let (lines, foreign): (Vec<&str>, Vec<&str>) = segments
                    .iter()
                    .flat_map(|(_, value)| value.split('\n'))
                    .filter(|l| !l.is_empty())
                    .partition(|l| is_event_line(l, max_bytes));
                if !foreign.is_empty() {
                    // Not one of footfall's own events, or too large to
                    // ever be sent: never sent, never in the way.
                    self.stats.dropped += foreign.len() as u32;
                    self.log(Log::ForeignRecord(foreign.len() as u32));
                }
                self.stats.dropped += self.outbox.restore(lines.into_iter(), now);
                // Store them under this page first, then remove the orphans'
                // records: there is never a moment with no copy.
                self.persist(now);
                for (key, _) in segments {
                    self.effects.push(Effect::Remove {
                        key: (*key).to_owned(),
                    });
                }
                for tab in tabs {
                    self.effects.push(Effect::Remove {
                        key: heartbeat_key(tab),
                    });
                }
                self.sync(now);
            }
            Input::Resume { fresh_tab } => {
                self.unloading = false;
                self.left = false;
                self.handed_over = false;
                // What this page handed over is another page's records now:
                // a new id, and the adoption that follows takes them back.
                self.tab = tabs::tab_id(fresh_tab);
                self.beat = Beat::Off;
                self.outbox.on_visible();
                self.outbox.resume(now);
                // Back from the back/forward cache: the visitor navigated
                // here again, a new page view (its last one ended with the
                // pagehide).
                self.signals.begin(now);
                self.page_view(now);
                self.sync(now);
            }
            Input::Consent { choice, fresh_id } => self.decide(now, choice, fresh_id),
            Input::Ping => {
                // Another page asks whether this one lives: a heartbeat now.
                if matches!(self.beat, Beat::Live(_)) && !self.left {
                    self.beat(now);
                }
            }
            Input::ConsentRecord {
                record,
                anonymous_id,
                fresh_id,
            } => {
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
            Input::Tick => {
                if matches!(self.beat, Beat::Live(at) if now >= at) {
                    self.beat(now);
                }
                self.signals.on_tick(now);
                self.emit_signals(now);
                self.sync(now);
            }
            Input::Flush { ticket } => {
                if self.outbox.is_empty() {
                    self.effects.push(Effect::FlushDone(ticket));
                } else {
                    let t = self.outbox.start_flush();
                    self.tickets.push((ticket, t));
                    self.sync(now);
                }
            }
            Input::Response {
                batch,
                status,
                retry_after,
                closing,
            } => {
                let retry_after_ms = retry_after.and_then(parse_retry_after);
                let answer = self.outbox.on_response(
                    batch,
                    status,
                    retry_after_ms,
                    now,
                    self.jitter.next_u32(),
                    closing || self.left,
                );
                self.stats.sent += answer.tally.sent;
                self.stats.dropped += answer.tally.dropped;
                self.stats.retried += answer.tally.retried;
                match answer.verdict {
                    Verdict::Drop => self.log(Log::Rejected(status)),
                    Verdict::Retry | Verdict::Split => self.log(Log::Retrying(status)),
                    Verdict::Ack | Verdict::Unknown => {}
                }
                if self.left {
                    // An answer after the page left: storage is all that
                    // counts now, and what it holds is anyone's.
                    self.persist(now);
                    self.give_up_records();
                    self.settle_tickets();
                } else {
                    self.sync(now);
                }
            }
            Input::BeaconResult { batch, accepted } => {
                self.stats.sent += self.outbox.on_beacon(batch, accepted, now);
                if !accepted {
                    self.log(Log::BeaconRefused);
                }
                // Storage follows each beacon at once: if the browser ends
                // this listener inside the next one, what left is not
                // stored any more.
                self.persist(now);
                self.next_beacon(now);
            }
            Input::BeaconCutOff { batch } => {
                // Reported by the next callback (Firefox's `visibilitychange`
                // after `pagehide`): whether the beacon left is unknown, so
                // its events go again now, and the collector deduplicates.
                self.outbox.on_beacon_unknown(batch, now);
                self.log(Log::BeaconCutOff);
                self.next_beacon(now);
            }
            Input::Hidden => {
                self.signals.on_hidden(now);
                self.emit_signals(now);
                self.persist(now);
                self.next_beacon(now);
            }
            Input::Visible => {
                self.signals.on_visible(now);
                self.outbox.on_visible();
                self.sync(now);
            }
            Input::Unload { unsent } => {
                self.signals.on_unload(now);
                self.emit_signals(now);
                for &batch in unsent {
                    self.outbox.reclaim(batch);
                }
                self.unloading = true;
                self.left = true;
                // The heartbeat first, then storage, network last: a
                // browser may end this listener anywhere (Firefox, closing a
                // tab, a millisecond or two in). `leaving` first, one small
                // write, lets the next page (or another tab) adopt what is
                // left 2 s later whatever happens after it; before any
                // beacon, storage holds exactly what is not known to be
                // delivered (fetches in flight are left to the browser
                // while the collector is healthy).
                if self.outbox.has_segments() && matches!(self.beat, Beat::Live(_) | Beat::Off) {
                    self.store(&heartbeat_key(&self.tab), tabs::leaving(now));
                    self.beat = Beat::Leaving;
                }
                self.outbox.release_in_flight();
                self.persist(now);
                self.next_beacon(now);
            }
            Input::Leaving => {
                self.outbox.hold(now.plus(LEAVING_HOLD_MS));
            }
            Input::Online(online) => {
                self.outbox.set_online(online, now);
                self.sync(now);
            }
            Input::Shutdown => {
                self.signals.on_shutdown();
                self.emit_signals(now);
                self.hand_over(now);
                self.stopped = true;
                self.settle_tickets();
            }
            Input::Start { id, touch, visible } => {
                self.auto_ids = (id, 0);
                self.signals.start(now, touch, visible);
                self.page_view(now);
            }
            Input::Route { change, page } => {
                if self.config.autocapture.history
                    && self.signals.on_route(change, &page.url, &page.path)
                {
                    self.signals.end(now);
                    self.emit_signals(now);
                    self.set_page(page.clone());
                    self.signals.begin(now);
                    self.page_view(now);
                }
            }
            Input::Scroll {
                scroll_y,
                viewport_h,
                doc_h,
                scrolled,
            } => {
                self.signals
                    .on_scroll(now, scroll_y, viewport_h, doc_h, scrolled);
                self.emit_signals(now);
            }
            Input::PointerDown { x, y } => {
                self.signals.on_pointer_down(now, x, y);
                self.emit_signals(now);
            }
            Input::RageTarget { selector, text } => self.signals.on_target(selector, text),
            Input::MouseOut {
                client_y,
                left_window,
            } => {
                self.signals.on_mouse_out(now, client_y, left_window);
                self.emit_signals(now);
            }
            Input::Activity => self.signals.on_input(now),
            Input::Declared { name, properties } => {
                if self.config.autocapture.clicks {
                    self.signals.on_input(now);
                    // Redacted here so the dataLayer mirror gets the same name.
                    let name = redact_if(declared_name(name), self.config.redact_emails);
                    self.emit_auto(now, Kind::Track(&name), Some(properties));
                }
            }
            Input::WithOptions { call, options } => {
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
        }
    }

    /// Pushes an automatic event to the dataLayer, when `dataLayer.mirror`.
    fn mirror(&mut self, kind: Kind, properties: Option<&str>) {
        if self.config.data_layer.mirror {
            if let Some(entry) = mirror_entry(kind, properties) {
                self.effects.push(Effect::DataLayerPush(entry));
            }
        }
    }

    /// A page view began: its `page` event, when `autocapture.pageViews`.
    fn page_view(&mut self, now: WallMs) {
        if self.config.autocapture.page_views {
            let page = self.env.page.clone();
            self.emit_auto(now, Kind::Page(None, &page), None);
        }
    }

    /// The one path of automatic events (page views, behaviour signals,
    /// declarative clicks): a mirror to the dataLayer hooks in here.
    fn emit_auto(&mut self, now: WallMs, kind: Kind, properties: Option<&str>) {
        let id = self.next_auto_id();
        if self.accept(now, kind, properties, id) {
            self.mirror(kind, properties);
        }
    }

    /// Carries out what the signals asked for, in order.
    fn emit_signals(&mut self, now: WallMs) {
        while let Some(auto) = self.signals.poll_auto() {
            match auto {
                Auto::Track(name, properties) => {
                    self.emit_auto(now, Kind::Track(name), Some(&properties))
                }
                Auto::ExitIntent {
                    dwell_ms,
                    max_scroll_percent,
                } => self.effects.push(Effect::ExitIntent {
                    dwell_ms,
                    max_scroll_percent,
                }),
                Auto::DescribeTarget => self.effects.push(Effect::DescribeTarget),
            }
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

    fn refuse(&mut self, why: Invalid) {
        self.stats.invalid += 1;
        self.log(Log::Refused(why));
    }

    fn log(&mut self, what: Log) {
        if self.config.debug {
            self.effects.push(Effect::Log(what));
        }
    }

    /// Stores a record, when consent allows storage at all.
    fn store(&mut self, key: &str, value: String) {
        if self.consent.tracks() {
            self.effects.push(Effect::Store {
                key: key.to_owned(),
                value,
            });
        }
    }

    fn new_anonymous_id(&mut self, random: [u8; 16]) {
        let mut id = String::with_capacity(36);
        push_uuid_v4(&mut id, random);
        self.anonymous_id = id.clone();
        self.store(KEY_ANONYMOUS_ID, id);
    }

    /// Validates, serializes once and queues an event (or keeps it waiting
    /// for a consent decision); false when refused.
    fn accept(&mut self, now: WallMs, kind: Kind, properties: Option<&str>, id: [u8; 16]) -> bool {
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

    /// Keeps an event for later while the visitor has not decided (opt-in);
    /// drops it when analytics is denied.
    fn wait_for_consent(
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
    fn decide(&mut self, now: WallMs, choice: Choice, fresh_id: [u8; 16]) {
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

    /// Carries out what a consent decision means (`action`), made here
    /// (`announce`: `consent_updated` is tracked) or in another tab.
    fn follow(&mut self, now: WallMs, action: Action, fresh_id: [u8; 16], announce: bool) {
        self.rebuild_context();
        if self.config.consent_mode_bridge {
            let state = self.consent.consent_mode();
            self.effects.push(Effect::ConsentMode {
                command: "update",
                state,
            });
        }
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
            if self.visit.on_event(p.at, p.id) {
                let context = self.context_for(&p.page);
                cache = Some((p.page.clone(), context));
            }
            let Some((_, context)) = &cache else { continue };
            let kind = match &p.kind {
                PendingKind::Track(name) => Kind::Track(name),
                PendingKind::Page(name) => Kind::Page(name.as_deref(), &p.page),
                PendingKind::Identify => Kind::Identify,
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
            if self.visit.on_event_accepted() {
                cache = None;
            }
            self.stats.dropped += self.outbox.push(json, None, now);
        }
        // The session (its start) may have moved on with these events.
        self.rebuild_context();
        self.request_drain();
    }

    fn request_drain(&mut self) {
        if !self.drain_pending {
            self.drain_pending = true;
            self.effects.push(Effect::Defer);
        }
    }

    /// Persists what changed, sends what is due, settles flushes.
    fn sync(&mut self, now: WallMs) {
        if !self.consent.tracks() {
            return self.settle_tickets();
        }
        self.persist(now);
        while let Some(batch) = self.outbox.take_fetch(now) {
            let body = self.body(batch, now);
            self.effects.push(Effect::Send { batch, body });
        }
        self.settle_tickets();
    }

    fn settle_tickets(&mut self) {
        let outbox = &self.outbox;
        let stopped = self.stopped;
        let effects = &mut self.effects;
        self.tickets.retain(|&(ticket, t)| {
            let settled = stopped || outbox.is_settled(t);
            if settled {
                effects.push(Effect::FlushDone(ticket));
            }
            !settled
        });
    }

    /// Sends the next beacon while hidden or unloading; when none is left,
    /// finishes the unload by handing the rest over to storage.
    fn next_beacon(&mut self, now: WallMs) {
        if !self.consent.tracks() {
            self.unloading = false;
            return self.settle_tickets();
        }
        if let Some(batch) = self.outbox.take_beacon() {
            let body = self.body(batch, now);
            self.effects.push(Effect::Beacon { batch, body });
            return;
        }
        self.persist(now);
        if self.unloading {
            self.give_up_records();
            self.unloading = false;
        }
        self.settle_tickets();
    }

    /// After the page left and persisted: what it stored is anyone's now,
    /// and its heartbeat says `closed`; when it never handed any record
    /// over, the heartbeat record goes.
    fn give_up_records(&mut self) {
        self.handed_over |= self.outbox.has_segments();
        self.outbox.hand_over();
        if self.handed_over {
            if self.beat != Beat::Closed {
                self.store(&heartbeat_key(&self.tab), CLOSED.to_owned());
                self.beat = Beat::Closed;
            }
        } else if self.beat != Beat::Off {
            self.effects.push(Effect::Remove {
                key: heartbeat_key(&self.tab),
            });
            self.beat = Beat::Off;
        }
    }

    /// The page is shut down: keepalive fetches in flight are left to the
    /// browser, everything else stays in storage, and the heartbeat says
    /// "closed" so the next page adopts it at once.
    fn hand_over(&mut self, now: WallMs) {
        self.left = true;
        self.outbox.release_in_flight();
        self.persist(now);
        self.give_up_records();
    }

    /// Writes this page's heartbeat.
    fn beat(&mut self, now: WallMs) {
        let mut value = String::with_capacity(16);
        crate::core::json::push_u64(&mut value, now.0);
        self.store(&heartbeat_key(&self.tab), value);
        self.beat = Beat::Live(now.plus(HEARTBEAT_MS));
    }

    /// Writes what changed to storage, and keeps the heartbeat record in
    /// step: present (and beating) exactly while this page has records.
    fn persist(&mut self, now: WallMs) {
        let mut ops = Vec::new();
        self.outbox.persist(self.config.max_batch_bytes, &mut ops);
        for op in ops {
            let effect = match op {
                StoreOp::Write { segment, value } => Effect::Store {
                    key: segment_key(&self.tab, segment),
                    value,
                },
                StoreOp::Delete { segment } => Effect::Remove {
                    key: segment_key(&self.tab, segment),
                },
            };
            self.effects.push(effect);
        }
        let held = self.outbox.has_segments();
        match self.beat {
            Beat::Off | Beat::Live(_) if held && self.unloading => {
                self.store(&heartbeat_key(&self.tab), tabs::leaving(now));
                self.beat = Beat::Leaving;
            }
            Beat::Off | Beat::Live(_) | Beat::Leaving if held && self.left && !self.unloading => {
                self.store(&heartbeat_key(&self.tab), CLOSED.to_owned());
                self.beat = Beat::Closed;
            }
            Beat::Off if held => self.beat(now),
            Beat::Live(_) if !held => {
                self.effects.push(Effect::Remove {
                    key: heartbeat_key(&self.tab),
                });
                self.beat = Beat::Off;
            }
            // Closed stays closed until the page comes back: what it
            // stored is anyone's, even once it holds nothing itself.
            _ => {}
        }
        self.persist_session();
    }

    /// Writes the session and the touches when they changed: the one place
    /// attribution state reaches storage, at most once per task.
    fn persist_session(&mut self) {
        for (key, value) in self.visit.take_writes() {
            self.store(key, value);
        }
    }

    fn body(&self, batch: BatchId, now: WallMs) -> String {
        let mut body = String::with_capacity(self.outbox.batch_bytes(batch));
        body.push_str("{\"batch\":[");
        self.outbox.write_events(batch, &mut body);
        body.push(']');
        if let Some(context) = self.outbox.batch_context(batch) {
            body.push_str(",\"context\":{");
            body.push_str(context);
            body.push('}');
        }
        push_body_tail(&mut body, &self.config, now);
        body
    }
}

/// A body with no events: its length is the per-request overhead.
fn body_frame(config: &Config) -> String {
    let mut frame = String::from("{\"batch\":[]");
    push_body_tail(&mut frame, config, WallMs(0));
    frame
}

fn push_body_tail(body: &mut String, config: &Config, now: WallMs) {
    body.push_str(",\"sentAt\":\"");
    push_iso8601(body, now);
    body.push('"');
    if let Some(key) = &config.write_key {
        body.push_str(",\"writeKey\":");
        push_str(body, key);
    }
    body.push('}');
}

/// The message id of `consent_updated`: derived from the bytes given with
/// the decision (whose first use may be a new anonymous id).
fn fresh_id_for_update(mut bytes: [u8; 16]) -> [u8; 16] {
    for b in bytes.iter_mut() {
        *b = b.rotate_left(3) ^ 0x5a;
    }
    bytes
}

/// Whether a stored line is an event this crate wrote: a well-formed JSON
/// object of a type it writes, with a message id, that fits a request.
fn is_event_line(line: &str, max_bytes: usize) -> bool {
    line.len() <= max_bytes
        && [
            "{\"type\":\"track\",",
            "{\"type\":\"page\",",
            "{\"type\":\"identify\",",
        ]
        .iter()
        .any(|p| line.starts_with(p))
        && crate::core::json::has_top_level_key(line, "messageId")
        && crate::core::json::is_object(line)
}

#[cfg(test)]
#[path = "engine_unload_tests.rs"]
mod unload_tests;

#[cfg(test)]
#[path = "engine_consent_tests.rs"]
mod consent_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::Options;
    use crate::core::consent::Signals;
    use crate::core::envelope::{Page, Screen};
    use serde_json::Value;

    fn config(f: impl FnOnce(&mut Options)) -> Config {
        let mut o = Options {
            endpoint: Some("/collect".into()),
            write_key: Some("WK".into()),
            ..Options::default()
        };
        f(&mut o);
        Config::resolve(o).unwrap()
    }

    fn env() -> Environment {
        Environment {
            page: Page {
                url: "https://shop.example/".into(),
                path: "/".into(),
                title: "Shop".into(),
                ..Page::default()
            },
            user_agent: "UA".into(),
            locale: "de-DE".into(),
            timezone: "Europe/Berlin".into(),
            screen: Screen {
                width: 800,
                height: 600,
                density: 2.0,
            },
        }
    }

    const AID: &str = "11111111-1111-4111-8111-111111111111";

    pub(super) fn engine(f: impl FnOnce(&mut Options)) -> Engine {
        let boot = Boot {
            anonymous_id: Some(AID),
            user_id: None,
            fresh_id: [9; 16],
            tab: "tab1",
            seed: 5,
            online: true,
            consent_record: None,
            signals: Default::default(),
            session: SessionBoot::default(),
        };
        Engine::new(config(f), env(), boot)
    }

    pub(super) fn drain(e: &mut Engine) -> Vec<Effect> {
        std::iter::from_fn(|| e.poll_effect()).collect()
    }

    pub(super) fn track(e: &mut Engine, now: u64, name: &str, props: Option<&str>, n: u8) {
        e.handle(
            WallMs(now),
            Input::Track {
                name,
                properties: props,
                id: [n; 16],
            },
        );
    }

    pub(super) fn sends(effects: &[Effect]) -> Vec<(BatchId, Value)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Send { batch, body } | Effect::Beacon { batch, body } => {
                    Some((*batch, serde_json::from_str(body).expect("valid JSON body")))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_tracked_event_reaches_the_wire_with_every_envelope_field() {
        let mut e = engine(|o| o.flush_at = Some(1.0));
        track(
            &mut e,
            1_795_348_800_000,
            "quote_requested",
            Some(r#"{"service":"iphone_screen","price":129}"#),
            3,
        );
        assert_eq!(drain(&mut e), vec![Effect::Defer]);
        e.handle(WallMs(1_795_348_800_005), Input::Drain);
        let effects = drain(&mut e);
        let sent = sends(&effects);
        assert_eq!(sent.len(), 1);
        let body = &sent[0].1;
        assert_eq!(body["writeKey"], "WK");
        assert_eq!(body["sentAt"], "2026-11-22T12:00:00.005Z");
        let ev = &body["batch"][0];
        assert_eq!(ev["type"], "track");
        assert_eq!(ev["event"], "quote_requested");
        assert_eq!(ev["properties"]["price"], 129);
        assert_eq!(ev["messageId"], "03030303-0303-4303-8303-030303030303");
        assert_eq!(ev["anonymousId"], AID);
        assert!(ev.get("userId").is_none());
        assert_eq!(ev["timestamp"], "2026-11-22T12:00:00.000Z");
        let c = &ev["context"];
        assert_eq!(c["library"]["name"], "footfall");
        assert_eq!(c["library"]["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(c["page"]["url"], "https://shop.example/");
        assert_eq!(c["page"]["title"], "Shop");
        assert_eq!(c["userAgent"], "UA");
        assert_eq!(c["locale"], "de-DE");
        assert_eq!(c["timezone"], "Europe/Berlin");
        assert_eq!(c["screen"]["density"], 2);
        // Persisted before the first send attempt.
        let store = effects
            .iter()
            .position(|e| matches!(e, Effect::Store { key, .. } if key == "footfall.q.tab1.1"));
        let send = effects
            .iter()
            .position(|e| matches!(e, Effect::Send { .. }));
        assert!(store.unwrap() < send.unwrap(), "{effects:?}");
    }

    #[test]
    fn a_new_visitor_gets_a_stored_anonymous_id() {
        for stored in [None, Some("not-a-uuid")] {
            let boot = Boot {
                anonymous_id: stored,
                user_id: None,
                fresh_id: [0xab; 16],
                tab: "t",
                seed: 1,
                online: true,
                consent_record: None,
                signals: Default::default(),
                session: SessionBoot::default(),
            };
            let mut e = Engine::new(config(|_| {}), env(), boot);
            let id = "abababab-abab-4bab-abab-abababababab";
            assert_eq!(e.anonymous_id(), id);
            assert_eq!(
                drain(&mut e),
                vec![Effect::Store {
                    key: KEY_ANONYMOUS_ID.into(),
                    value: id.into()
                }]
            );
        }
        let mut e = engine(|_| {});
        assert_eq!(e.anonymous_id(), AID);
        assert!(
            drain(&mut e).is_empty(),
            "a stored id is kept, nothing written"
        );
    }

    #[test]
    fn batching_by_count_interval_and_bytes() {
        // Count: the third event makes a batch.
        let mut e = engine(|o| o.flush_at = Some(3.0));
        for n in 0..3 {
            track(&mut e, 0, "e", None, n);
        }
        assert_eq!(drain(&mut e), vec![Effect::Defer], "one drain per burst");
        e.handle(WallMs(0), Input::Drain);
        let sent = sends(&drain(&mut e));
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].1["batch"].as_array().unwrap().len(), 3);

        // Interval: one event leaves at 3000 ms.
        let mut e = engine(|_| {});
        track(&mut e, 1000, "e", None, 1);
        e.handle(WallMs(1000), Input::Drain);
        assert!(sends(&drain(&mut e)).is_empty());
        assert_eq!(e.poll_timeout(), Some(WallMs(4000)));
        e.handle(WallMs(4000), Input::Tick);
        let sent = sends(&drain(&mut e));
        assert_eq!(sent.len(), 1);
        assert_eq!(
            e.poll_timeout(),
            Some(WallMs(11_000)),
            "in flight, still stored: only the heartbeat is due"
        );
        e.handle(
            WallMs(4005),
            Input::Response {
                batch: sent[0].0,
                status: 200,
                retry_after: None,
                closing: false,
            },
        );
        let effects = drain(&mut e);
        assert!(effects.contains(&Effect::Remove {
            key: "footfall.hb.tab1".into()
        }));
        assert_eq!(e.poll_timeout(), None, "nothing stored: no heartbeat");

        // Bytes: bodies never exceed maxBatchBytes, and all events leave.
        let mut e = engine(|o| {
            o.max_batch_bytes = Some(4000.0);
            o.flush_at = Some(1000.0);
        });
        let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(600));
        for n in 0..20 {
            track(&mut e, 0, "e", Some(&big), n);
        }
        e.handle(WallMs(0), Input::Drain);
        let mut total = 0;
        let mut now = 0;
        loop {
            let mut effects = drain(&mut e);
            if !effects.iter().any(|e| matches!(e, Effect::Send { .. })) {
                if let Some(at) = e.poll_timeout() {
                    now = now.max(at.0);
                    e.handle(WallMs(now), Input::Tick);
                    effects = drain(&mut e);
                }
            }
            let batch: Vec<_> = effects
                .iter()
                .filter_map(|e| match e {
                    Effect::Send { batch, body } => Some((*batch, body.len())),
                    _ => None,
                })
                .collect();
            if batch.is_empty() {
                break;
            }
            for (id, len) in batch {
                assert!(len <= 4000, "{len}");
                total += 1;
                now += 10;
                e.handle(
                    WallMs(now),
                    Input::Response {
                        batch: id,
                        status: 200,
                        retry_after: None,
                        closing: false,
                    },
                );
            }
        }
        assert!(total >= 4);
        assert_eq!(e.stats().sent, 20);
        assert_eq!(e.stats().queued, 0);
    }

    #[test]
    fn bad_input_is_counted_not_thrown() {
        let mut e = engine(|o| {
            o.debug = Some(true);
            o.max_string_length = Some(5.0);
        });
        track(&mut e, 0, "", None, 1);
        track(&mut e, 0, "e", Some("[1,2]"), 2);
        track(&mut e, 0, "e", Some("\"text\""), 3);
        track(&mut e, 0, "e", Some("{\"a\":\"unterminated"), 4);
        e.handle(
            WallMs(0),
            Input::Refused(Invalid::PropertiesNotSerializable),
        );
        e.handle(WallMs(0), Input::Refused(Invalid::NameNotString));
        assert_eq!(e.stats().invalid, 6);
        assert_eq!(e.stats().queued, 0);
        let logs: Vec<Log> = drain(&mut e)
            .into_iter()
            .filter_map(|e| match e {
                Effect::Log(l) => Some(l),
                _ => None,
            })
            .collect();
        assert_eq!(
            logs,
            [
                Log::Refused(Invalid::NameEmpty),
                Log::Refused(Invalid::PropertiesNotObject),
                Log::Refused(Invalid::PropertiesNotObject),
                Log::Refused(Invalid::PropertiesNotSerializable),
                Log::Refused(Invalid::PropertiesNotSerializable),
                Log::Refused(Invalid::NameNotString),
            ]
        );
        // Long strings and names are cut, the event kept.
        track(&mut e, 0, "long_name", Some(r#"{"k":"0123456789"}"#), 5);
        assert_eq!(e.stats().truncated, 2);
        assert_eq!(e.stats().queued, 1);
        assert!(drain(&mut e).contains(&Effect::Log(Log::Truncated(2))));
    }

    #[test]
    fn logs_only_with_debug() {
        let mut e = engine(|_| {});
        track(&mut e, 0, "", None, 1);
        assert!(drain(&mut e).is_empty());
        assert_eq!(e.stats().invalid, 1);
    }

    #[test]
    fn an_event_too_large_for_any_request_is_refused() {
        let mut e = engine(|o| {
            o.max_batch_bytes = Some(2000.0);
            o.max_string_length = Some(65_536.0);
        });
        let huge = format!(r#"{{"pad":"{}"}}"#, "x".repeat(3000));
        track(&mut e, 0, "e", Some(&huge), 1);
        assert_eq!(e.stats().invalid, 1);
        assert_eq!(e.stats().queued, 0);
    }

    #[test]
    fn identify_and_reset() {
        let mut e = engine(|o| o.flush_at = Some(1.0));
        e.handle(
            WallMs(0),
            Input::Identify {
                user_id: Some("u-42"),
                traits: Some(r#"{"plan":"pro"}"#),
                id: [1; 16],
            },
        );
        track(&mut e, 0, "after", None, 2);
        e.handle(WallMs(0), Input::Drain);
        let effects = drain(&mut e);
        assert!(effects.contains(&Effect::Store {
            key: KEY_USER_ID.into(),
            value: "u-42".into()
        }));
        let sent = sends(&effects);
        let batch = sent[0].1["batch"].as_array().unwrap().clone();
        assert_eq!(batch[0]["type"], "identify");
        assert_eq!(batch[0]["traits"]["plan"], "pro");
        assert_eq!(batch[0]["userId"], "u-42");
        assert_eq!(batch[1]["userId"], "u-42");

        e.handle(
            WallMs(1),
            Input::Reset {
                fresh_id: [0xcd; 16],
            },
        );
        let effects = drain(&mut e);
        assert!(effects.contains(&Effect::Remove {
            key: KEY_USER_ID.into()
        }));
        assert_ne!(e.anonymous_id(), AID);
        assert_eq!(e.user_id(), None);
        track(&mut e, 2, "anon_again", None, 3);
        e.handle(WallMs(2), Input::Drain);
        let sent = sends(&drain(&mut e));
        let ev = &sent[0].1["batch"][0];
        assert!(ev.get("userId").is_none());
        assert_eq!(ev["anonymousId"], "cdcdcdcd-cdcd-4dcd-8dcd-cdcdcdcdcdcd");
    }

    #[test]
    fn page_events_carry_the_page() {
        let mut e = engine(|o| o.flush_at = Some(1.0));
        e.handle(
            WallMs(0),
            Input::Page {
                name: Some("Home"),
                properties: None,
                id: [1; 16],
                current: None,
            },
        );
        e.handle(WallMs(0), Input::Drain);
        let sent = sends(&drain(&mut e));
        let ev = &sent[0].1["batch"][0];
        assert_eq!(ev["type"], "page");
        assert_eq!(ev["name"], "Home");
        assert_eq!(ev["properties"]["path"], "/");
        assert_eq!(ev["properties"]["title"], "Shop");
    }

    #[test]
    fn flush_resolves_after_the_answer() {
        let mut e = engine(|_| {});
        e.handle(WallMs(0), Input::Flush { ticket: 7 });
        assert_eq!(
            drain(&mut e),
            vec![Effect::FlushDone(7)],
            "nothing queued: at once"
        );
        track(&mut e, 0, "e", None, 1);
        e.handle(WallMs(0), Input::Flush { ticket: 8 });
        let effects = drain(&mut e);
        let sent = sends(&effects);
        assert_eq!(
            sent.len(),
            1,
            "flush sends without waiting for the interval"
        );
        assert!(!effects.contains(&Effect::FlushDone(8)));
        e.handle(
            WallMs(5),
            Input::Response {
                batch: sent[0].0,
                status: 200,
                retry_after: None,
                closing: false,
            },
        );
        assert!(drain(&mut e).contains(&Effect::FlushDone(8)));
    }

    #[test]
    fn a_failed_flush_resolves_and_retries_later() {
        let mut e = engine(|o| o.debug = Some(true));
        track(&mut e, 0, "e", None, 1);
        e.handle(WallMs(0), Input::Flush { ticket: 1 });
        let sent = sends(&drain(&mut e));
        e.handle(
            WallMs(5),
            Input::Response {
                batch: sent[0].0,
                status: 503,
                retry_after: None,
                closing: false,
            },
        );
        let effects = drain(&mut e);
        assert!(effects.contains(&Effect::FlushDone(1)));
        assert!(effects.contains(&Effect::Log(Log::Retrying(503))));
        assert_eq!(e.stats().retried, 1);
        let at = e.poll_timeout().unwrap();
        assert!(at.0 >= 5 + 750 && at.0 <= 5 + 1250, "{at:?}");
        e.handle(at, Input::Tick);
        assert_eq!(sends(&drain(&mut e)).len(), 1);
    }

    #[test]
    fn unload_beacons_what_fits_and_leaves_the_rest_stored() {
        let mut e = engine(|o| o.flush_at = Some(1000.0));
        let pad = format!(r#"{{"pad":"{}"}}"#, "x".repeat(1500));
        for n in 0..100 {
            track(&mut e, 0, "e", Some(&pad), n);
        }
        drain(&mut e);
        e.handle(WallMs(1), Input::Unload { unsent: &[] });
        let mut beaconed = 0;
        let mut stored_segments = std::collections::BTreeSet::new();
        let mut beacon_bytes = 0;
        loop {
            let effects = drain(&mut e);
            for eff in &effects {
                match eff {
                    Effect::Store { key, .. }
                        if key.starts_with(crate::core::tabs::SEGMENT_PREFIX) =>
                    {
                        stored_segments.insert(key.clone());
                    }
                    Effect::Remove { key } => {
                        stored_segments.remove(key);
                    }
                    _ => {}
                }
            }
            let Some(Effect::Beacon { batch, body }) =
                effects.iter().find(|e| matches!(e, Effect::Beacon { .. }))
            else {
                break;
            };
            beacon_bytes += body.len();
            beaconed += serde_json::from_str::<Value>(body).unwrap()["batch"]
                .as_array()
                .unwrap()
                .len();
            e.handle(
                WallMs(1),
                Input::BeaconResult {
                    batch: *batch,
                    accepted: true,
                },
            );
        }
        assert!(
            beacon_bytes <= crate::core::config::KEEPALIVE_QUOTA_BYTES,
            "{beacon_bytes}"
        );
        assert!(beaconed > 30 && beaconed < 100, "{beaconed}");
        assert_eq!(e.stats().sent as usize, beaconed);
        assert!(
            !stored_segments.is_empty(),
            "the rest stays stored for the next page"
        );
        assert_eq!(e.stats().queued, 0, "handed over to storage");
    }

    #[test]
    fn hidden_beacons_and_keeps_running() {
        let mut e = engine(|_| {});
        track(&mut e, 0, "e", None, 1);
        e.handle(WallMs(1), Input::Hidden);
        let effects = drain(&mut e);
        let b = sends(&effects);
        assert_eq!(b.len(), 1);
        e.handle(
            WallMs(1),
            Input::BeaconResult {
                batch: b[0].0,
                accepted: true,
            },
        );
        let effects = drain(&mut e);
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::Remove { key } if key == "footfall.q.tab1.1")),
            "{effects:?}"
        );
        assert_eq!(e.stats().sent, 1);
        track(&mut e, 2, "later", None, 2);
        assert_eq!(e.stats().queued, 1);
    }

    #[test]
    fn shutdown_stops_everything() {
        let mut e = engine(|_| {});
        track(&mut e, 0, "e", None, 1);
        e.handle(WallMs(0), Input::Flush { ticket: 3 });
        let sent = sends(&drain(&mut e));
        e.handle(WallMs(1), Input::Shutdown);
        assert!(drain(&mut e).contains(&Effect::FlushDone(3)));
        assert!(e.is_stopped());
        track(&mut e, 2, "ignored", None, 2);
        e.handle(
            WallMs(3),
            Input::Response {
                batch: sent[0].0,
                status: 200,
                retry_after: None,
                closing: false,
            },
        );
        assert!(drain(&mut e).is_empty());
        assert_eq!(e.poll_timeout(), None);
    }

    #[test]
    fn a_page_with_stored_events_beats_every_ten_seconds() {
        let mut e = engine(|o| o.flush_at = Some(1000.0));
        track(&mut e, 0, "e", None, 1);
        e.handle(WallMs(0), Input::Drain);
        let effects = drain(&mut e);
        assert!(effects.contains(&Effect::Store {
            key: "footfall.hb.tab1".into(),
            value: "0".into()
        }));
        assert_eq!(
            e.poll_timeout(),
            Some(WallMs(3000)),
            "the interval comes first"
        );
        e.handle(WallMs(3000), Input::Tick);
        let sent = sends(&drain(&mut e));
        e.handle(
            WallMs(3001),
            Input::Response {
                batch: sent[0].0,
                status: 503,
                retry_after: Some("3600"),
                closing: false,
            },
        );
        drain(&mut e);
        assert_eq!(
            e.poll_timeout(),
            Some(WallMs(10_000)),
            "failing: the heartbeat comes first"
        );
        e.handle(WallMs(9_999), Input::Tick);
        e.handle(WallMs(10_000), Input::Tick);
        e.handle(WallMs(15_000), Input::Tick);
        e.handle(WallMs(20_000), Input::Tick);
        let beats: Vec<String> = drain(&mut e)
            .into_iter()
            .filter_map(|e| match e {
                Effect::Store { key, value } if key == "footfall.hb.tab1" => Some(value),
                _ => None,
            })
            .collect();
        assert_eq!(
            beats,
            ["10000", "20000"],
            "one beat every 10 s while records exist"
        );
    }

    #[test]
    fn unload_with_leftovers_marks_the_outbox_closed() {
        let mut e = engine(|o| o.flush_at = Some(1000.0));
        // The collector is failing: nothing is beaconed, all stays stored.
        track(&mut e, 0, "e", None, 1);
        e.handle(WallMs(0), Input::Flush { ticket: 1 });
        let sent = sends(&drain(&mut e));
        e.handle(
            WallMs(1),
            Input::Response {
                batch: sent[0].0,
                status: 503,
                retry_after: None,
                closing: false,
            },
        );
        drain(&mut e);
        e.handle(WallMs(2), Input::Unload { unsent: &[] });
        let effects = drain(&mut e);
        assert!(!effects.iter().any(|e| matches!(e, Effect::Beacon { .. })));
        assert!(effects.contains(&Effect::Store {
            key: "footfall.hb.tab1".into(),
            value: CLOSED.into()
        }));
        assert!(!effects
            .iter()
            .any(|e| matches!(e, Effect::Remove { key } if key.starts_with(crate::core::tabs::SEGMENT_PREFIX))));
        assert_eq!(e.stats().queued, 0, "handed over");
    }

    #[test]
    fn adoption_restores_first_keeps_ids_and_removes_the_orphan() {
        let mut old = engine(|o| o.flush_at = Some(1000.0));
        track(&mut old, 0, "old_1", None, 1);
        track(&mut old, 0, "old_2", None, 2);
        old.handle(WallMs(0), Input::Drain);
        let stored: Vec<(String, String)> = drain(&mut old)
            .into_iter()
            .filter_map(|e| match e {
                Effect::Store { key, value }
                    if key.starts_with(crate::core::tabs::SEGMENT_PREFIX) =>
                {
                    Some((key, value))
                }
                _ => None,
            })
            .collect();
        assert_eq!(stored.len(), 1);

        let boot = Boot {
            anonymous_id: Some(AID),
            user_id: None,
            fresh_id: [9; 16],
            tab: "tab2",
            seed: 5,
            online: true,
            consent_record: None,
            signals: Default::default(),
            session: SessionBoot::default(),
        };
        let mut e = Engine::new(config(|o| o.flush_at = Some(1000.0)), env(), boot);
        track(&mut e, 10, "new_1", None, 3);
        let keys: Vec<&str> = stored
            .iter()
            .map(|(k, _)| k.as_str())
            .chain(["footfall.hb.tab1", "footfall.aid"])
            .collect();
        let orphans = e
            .survey(
                &keys,
                |k| (k == "footfall.hb.tab1").then(|| CLOSED.to_owned()),
                WallMs(10),
            )
            .orphans;
        assert_eq!(orphans, ["tab1"]);
        let segments: Vec<(&str, &str)> = stored
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        e.handle(
            WallMs(20),
            Input::Adopt {
                tabs: &orphans,
                segments: &segments,
            },
        );
        let effects = drain(&mut e);
        let first_store = effects.iter().position(
            |e| matches!(e, Effect::Store { key, .. } if key.starts_with("footfall.q.tab2.")),
        );
        let removal = effects
            .iter()
            .position(|e| matches!(e, Effect::Remove { key } if key == &stored[0].0));
        assert!(
            first_store.unwrap() < removal.unwrap(),
            "stored again before the orphan's copy goes: {effects:?}"
        );
        assert!(effects.contains(&Effect::Remove {
            key: "footfall.hb.tab1".into()
        }));
        let sent = sends(&effects);
        assert_eq!(sent.len(), 1, "adopted events are due at once");
        let batch = sent[0].1["batch"].as_array().unwrap();
        let names: Vec<&str> = batch.iter().map(|e| e["event"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            ["old_1", "old_2", "new_1"],
            "adopted events go first"
        );
        assert_eq!(
            batch[0]["messageId"], "01010101-0101-4101-8101-010101010101",
            "original id"
        );
        assert_eq!(
            batch[0]["timestamp"], "1970-01-01T00:00:00.000Z",
            "original timestamp"
        );
    }

    #[test]
    fn foreign_stored_lines_are_dropped_and_counted() {
        // Each line must be one of footfall's own events that fits a
        // request: anything else would make a body invalid JSON (every event
        // in it lost) or, too large to send, hold back every later event.
        let ok = |n: u8| {
            let mut e = engine(|o| o.flush_at = Some(1000.0));
            track(&mut e, 0, "ok", None, n);
            e.handle(WallMs(0), Input::Drain);
            drain(&mut e)
                .into_iter()
                .find_map(|e| match e {
                    Effect::Store { key, value }
                        if key.starts_with(crate::core::tabs::SEGMENT_PREFIX) =>
                    {
                        Some(value)
                    }
                    _ => None,
                })
                .unwrap()
        };
        let huge = format!(
            "{{\"type\":\"track\",\"event\":\"big\",\"properties\":{{\"s\":\"{}\"}},\"messageId\":\"x\"}}",
            "x".repeat(3 << 20)
        );
        let value = [
            "garbage".to_owned(),
            ok(1),
            String::new(),
            "{\"type\":\"track\",\"event\":\"no id\"}".to_owned(),
            "{\"type\":\"track\",\"event\":\"cut\",\"messageId\":\"m\"".to_owned(),
            "{\"type\":\"track\",\"messageId\":\"m\",\"x\":01}".to_owned(),
            "{\"type\":\"alias\",\"messageId\":\"m\"}".to_owned(),
            huge,
            ok(2),
        ]
        .join("\n");
        let mut e = engine(|o| o.debug = Some(true));
        e.handle(
            WallMs(0),
            Input::Adopt {
                tabs: &["x"],
                segments: &[("footfall.q.x.1", &value)],
            },
        );
        assert_eq!(e.stats().queued, 2);
        assert_eq!(e.stats().dropped, 6);
        let effects = drain(&mut e);
        assert!(effects.contains(&Effect::Log(Log::ForeignRecord(6))));
        let bodies = sends(&effects);
        assert_eq!(bodies.len(), 1);
        assert_eq!(bodies[0].1["batch"].as_array().map(Vec::len), Some(2));
    }

    // Distribution (issue 7).

    fn with_options(
        e: &mut Engine,
        now: u64,
        call: Input,
        timestamp: Option<u64>,
        page: Option<&PagePatch>,
    ) {
        e.handle(
            WallMs(now),
            Input::WithOptions {
                call: &call,
                options: CallOptions {
                    timestamp: timestamp.map(WallMs),
                    page,
                },
            },
        );
    }

    /// Every event sent (beacons answered as accepted), with a compact
    /// batch's shared context merged into each, as collectors do.
    fn delivered(e: &mut Engine, now: u64) -> Vec<Value> {
        let mut out = Vec::new();
        loop {
            let effects = drain(e);
            if effects.is_empty() {
                return out;
            }
            for eff in effects {
                let (body, beacon) = match &eff {
                    Effect::Send { body, .. } => (body, None),
                    Effect::Beacon { batch, body } => (body, Some(*batch)),
                    _ => continue,
                };
                let body: Value = serde_json::from_str(body).unwrap();
                for ev in body["batch"].as_array().unwrap() {
                    let mut ev = ev.clone();
                    if let Some(Value::Object(shared)) = body.get("context") {
                        let mut merged = shared.clone();
                        merged.extend(ev["context"].as_object().cloned().unwrap_or_default());
                        ev["context"] = Value::Object(merged);
                    }
                    out.push(ev);
                }
                if let Some(batch) = beacon {
                    e.handle(
                        WallMs(now),
                        Input::BeaconResult {
                            batch,
                            accepted: true,
                        },
                    );
                }
            }
        }
    }

    #[test]
    fn a_call_with_options_carries_its_own_time_and_page() {
        let mut e = engine(|o| o.flush_at = Some(1.0));
        let then = PagePatch {
            url: Some("https://shop.example/before?x=1".into()),
            path: Some("/before".into()),
            search: Some("?x=1".into()),
            title: Some("Before".into()),
            referrer: Some("https://ref.example/".into()),
        };
        let call = Input::Track {
            name: "queued",
            properties: Some(r#"{"n":1}"#),
            id: [1; 16],
        };
        with_options(
            &mut e,
            1_795_348_800_500,
            call,
            Some(1_795_348_800_000),
            Some(&then),
        );
        e.handle(WallMs(1_795_348_800_500), Input::Drain);
        let sent = sends(&drain(&mut e));
        let ev = &sent[0].1["batch"][0];
        assert_eq!(ev["event"], "queued");
        assert_eq!(ev["properties"]["n"], 1);
        assert_eq!(ev["timestamp"], "2026-11-22T12:00:00.000Z");
        let page = &ev["context"]["page"];
        assert_eq!(page["url"], "https://shop.example/before?x=1");
        assert_eq!(page["path"], "/before");
        assert_eq!(page["search"], "?x=1");
        assert_eq!(page["title"], "Before");
        assert_eq!(page["referrer"], "https://ref.example/");
        assert_eq!(ev["context"]["userAgent"], "UA", "the rest of the context");

        // Only the fields given are replaced; the options end with the call.
        let title_only = PagePatch {
            title: Some("Old title".into()),
            ..PagePatch::default()
        };
        let call = Input::Track {
            name: "a",
            properties: None,
            id: [2; 16],
        };
        with_options(&mut e, 2_000, call, None, Some(&title_only));
        track(&mut e, 2_001, "b", None, 3);
        e.handle(WallMs(2_001), Input::Drain);
        let events = delivered(&mut e, 2_001);
        assert_eq!(events[0]["context"]["page"]["title"], "Old title");
        assert_eq!(events[0]["context"]["page"]["url"], "https://shop.example/");
        assert_eq!(events[0]["timestamp"], "1970-01-01T00:00:02.000Z");
        assert_eq!(events[1]["context"]["page"]["title"], "Shop");
        assert_eq!(events[1]["timestamp"], "1970-01-01T00:00:02.001Z");
    }

    #[test]
    fn page_and_identify_calls_take_options_too() {
        let mut e = engine(|o| o.flush_at = Some(2.0));
        let then = PagePatch {
            url: Some("https://shop.example/pricing".into()),
            path: Some("/pricing".into()),
            title: Some("Pricing".into()),
            ..PagePatch::default()
        };
        let page = Input::Page {
            name: None,
            properties: Some(r#"{"plan":"pro"}"#),
            id: [1; 16],
            current: None,
        };
        with_options(&mut e, 5_000, page, Some(4_000), Some(&then));
        let identify = Input::Identify {
            user_id: Some("u-1"),
            traits: None,
            id: [2; 16],
        };
        with_options(&mut e, 5_000, identify, Some(4_500), Some(&then));
        e.handle(WallMs(5_000), Input::Drain);
        let events = delivered(&mut e, 5_000);
        assert_eq!(events[0]["type"], "page");
        assert_eq!(
            events[0]["properties"]["path"], "/pricing",
            "the page of the call"
        );
        assert_eq!(
            events[0]["properties"]["url"],
            "https://shop.example/pricing"
        );
        assert_eq!(events[0]["properties"]["plan"], "pro");
        assert_eq!(events[0]["context"]["page"]["title"], "Pricing");
        assert_eq!(events[0]["timestamp"], "1970-01-01T00:00:04.000Z");
        assert_eq!(events[1]["type"], "identify");
        assert_eq!(events[1]["userId"], "u-1");
        assert_eq!(events[1]["context"]["page"]["path"], "/pricing");
        assert_eq!(events[1]["timestamp"], "1970-01-01T00:00:04.500Z");
    }

    #[test]
    fn events_of_another_page_never_lose_their_context_in_the_compact_form() {
        // 150 events of 600 bytes cannot all fit the unload quota in the
        // normal form: the shared ones go compact, the replayed one with
        // another page's context keeps its own whole.
        let mut e = engine(|o| o.flush_at = Some(1000.0));
        let pad = format!(r#"{{"pad":"{}"}}"#, "x".repeat(600));
        let then = PagePatch {
            title: Some("Before".into()),
            ..PagePatch::default()
        };
        let same = PagePatch {
            title: Some("Shop".into()),
            ..PagePatch::default()
        };
        for n in 0..150u8 {
            let call = Input::Track {
                name: "e",
                properties: Some(&pad),
                id: [n; 16],
            };
            match n {
                0 => with_options(&mut e, 0, call, Some(0), Some(&then)),
                1 => with_options(&mut e, 0, call, Some(0), Some(&same)),
                _ => e.handle(WallMs(0), call),
            }
        }
        drain(&mut e);
        e.handle(WallMs(1), Input::Unload { unsent: &[] });
        // Every beacon, answered as accepted; the events with a compact
        // batch's shared context merged in, as collectors do.
        let mut bodies: Vec<Value> = Vec::new();
        while let Some(Effect::Beacon { batch, body }) = drain(&mut e)
            .into_iter()
            .find(|x| matches!(x, Effect::Beacon { .. }))
        {
            bodies.push(serde_json::from_str(&body).unwrap());
            e.handle(
                WallMs(1),
                Input::BeaconResult {
                    batch,
                    accepted: true,
                },
            );
        }
        assert!(
            bodies.iter().any(|b| b.get("context").is_some()),
            "the compact form was used"
        );
        let events: Vec<Value> = bodies
            .iter()
            .flat_map(|b| {
                b["batch"].as_array().unwrap().iter().map(|ev| {
                    let mut ev = ev.clone();
                    if let Some(Value::Object(shared)) = b.get("context") {
                        let mut merged = shared.clone();
                        merged.extend(ev["context"].as_object().cloned().unwrap_or_default());
                        ev["context"] = Value::Object(merged);
                    }
                    ev
                })
            })
            .collect();
        let first = events
            .iter()
            .find(|ev| ev["messageId"] == "00000000-0000-4000-8000-000000000000")
            .expect("the replayed event left first");
        assert_eq!(first["context"]["page"]["title"], "Before");
        assert_eq!(first["context"]["library"]["name"], "footfall");
        for ev in &events {
            if ev["messageId"] != first["messageId"] {
                assert_eq!(ev["context"]["page"]["title"], "Shop");
                assert_eq!(ev["context"]["userAgent"], "UA");
            }
        }
    }

    #[test]
    fn automatic_events_are_mirrored_to_the_data_layer_when_asked() {
        use crate::core::datalayer::DataLayerOptions;
        let pushes = |effects: Vec<Effect>| -> Vec<String> {
            effects
                .into_iter()
                .filter_map(|eff| match eff {
                    Effect::DataLayerPush(entry) => Some(entry),
                    _ => None,
                })
                .collect()
        };
        let scroll = |e: &mut Engine, now: u64, scroll_y: u32| {
            e.handle(
                WallMs(now),
                Input::Scroll {
                    scroll_y,
                    viewport_h: 600,
                    doc_h: 2400,
                    scrolled: true,
                },
            );
        };
        let mut e = engine(|o| o.data_layer = Some(DataLayerOptions::on()));
        e.handle(
            WallMs(1_000),
            Input::Start {
                id: [0x5a; 16],
                touch: false,
                visible: true,
            },
        );
        assert_eq!(
            pushes(drain(&mut e)),
            vec![r#"{"path":"/","title":"Shop","url":"https://shop.example/","event":"footfall.page_view"}"#.to_owned()],
            "the automatic page view"
        );
        scroll(&mut e, 2_000, 0);
        drain(&mut e);
        scroll(&mut e, 2_100, 600);
        assert_eq!(
            pushes(drain(&mut e)),
            vec![r#"{"percent":50,"event":"footfall.scroll_depth"}"#.to_owned()]
        );
        // The site's own calls are not mirrored.
        e.handle(
            WallMs(3_000),
            Input::Page {
                name: Some("Manual"),
                properties: None,
                id: [1; 16],
                current: None,
            },
        );
        track(&mut e, 3_000, "custom", None, 2);
        assert!(pushes(drain(&mut e)).is_empty());

        for options in [
            None,
            Some(DataLayerOptions {
                forward: Some(true),
                mirror: Some(false),
                ..DataLayerOptions::default()
            }),
        ] {
            let mut e = engine(|o| o.data_layer = options);
            start(&mut e, 1_000);
            scroll(&mut e, 2_100, 1800);
            assert!(pushes(drain(&mut e)).is_empty(), "mirror off");
        }
    }

    // Attribution, sessions and URL redaction.

    fn landing_engine(
        url: &str,
        referrer: &str,
        now: u64,
        stored: &[(String, String)],
        f: impl FnOnce(&mut Options),
    ) -> Engine {
        let get = |k: &str| {
            stored
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        let mut environment = env();
        environment.page = Page {
            url: url.into(),
            path: "/".into(),
            search: url
                .find('?')
                .map(|i| url[i..].to_owned())
                .unwrap_or_default(),
            title: "Shop".into(),
            referrer: referrer.into(),
        };
        let boot = Boot {
            anonymous_id: Some(AID),
            user_id: None,
            fresh_id: [9; 16],
            tab: "tab1",
            seed: 5,
            online: true,
            consent_record: None,
            signals: Default::default(),
            session: SessionBoot {
                now: WallMs(now),
                session: get(crate::core::session::KEY_SESSION),
                first_touch: get(crate::core::session::KEY_FIRST_TOUCH),
                last_touch: get(crate::core::session::KEY_LAST_TOUCH),
                fresh_id: [0x51; 16],
            },
        };
        Engine::new(config(f), environment, boot)
    }

    /// Drains at `now` and returns (events sent, session and touch records stored).
    fn drain_events(e: &mut Engine, now: u64) -> (Vec<Value>, Vec<(String, String)>) {
        e.handle(WallMs(now), Input::Flush { ticket: 99 });
        let effects = drain(e);
        let events = sends(&effects)
            .into_iter()
            .flat_map(|(_, b)| b["batch"].as_array().unwrap().clone())
            .collect();
        let stored = effects
            .into_iter()
            .filter_map(|eff| match eff {
                Effect::Store { key, value }
                    if key == crate::core::session::KEY_SESSION
                        || key.starts_with("footfall.touch.") =>
                {
                    Some((key, value))
                }
                _ => None,
            })
            .collect();
        (events, stored)
    }

    #[test]
    fn events_carry_the_visits_attribution_and_session() {
        let url =
            "https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=spring&gclid=G1";
        let mut e = landing_engine(url, "https://www.google.com/", 1000, &[], |_| {});
        track(&mut e, 1000, "a", None, 1);
        track(&mut e, 1001, "b", None, 2);
        e.handle(
            WallMs(1002),
            Input::Page {
                name: None,
                properties: None,
                id: [3; 16],
                current: None,
            },
        );
        let (events, stored) = drain_events(&mut e, 1003);
        assert_eq!(events.len(), 3);
        let session_id = e.session_id().to_owned();
        assert!(is_uuid(&session_id));
        for (i, ev) in events.iter().enumerate() {
            let c = &ev["context"];
            assert_eq!(c["campaign"]["source"], "google");
            assert_eq!(c["campaign"]["medium"], "cpc");
            assert_eq!(c["campaign"]["name"], "spring");
            assert!(c["campaign"].get("term").is_none(), "empty fields omitted");
            assert_eq!(c["clickIds"]["gclid"], "G1");
            assert_eq!(c["referrer"]["type"], "search");
            assert_eq!(c["referrer"]["name"], "google");
            assert_eq!(c["referrer"]["host"], "www.google.com");
            assert_eq!(c["channel"], "Paid Search");
            assert_eq!(c["session"]["id"], session_id.as_str());
            assert_eq!(c["session"].get("start").is_some(), i == 0, "{i}");
        }
        // Session and touches stored once for the whole task.
        let keys: Vec<&str> = stored.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "footfall.touch.first",
                "footfall.touch.last",
                "footfall.session"
            ]
        );
        // The next page load (internal) continues the session and its attribution.
        let mut e2 = landing_engine(
            "https://shop.example/cart",
            "https://shop.example/",
            60_000,
            &stored,
            |_| {},
        );
        assert_eq!(e2.session_id(), session_id);
        track(&mut e2, 60_000, "c", None, 4);
        let (events, stored2) = drain_events(&mut e2, 60_001);
        let c = &events[0]["context"];
        assert_eq!(c["channel"], "Paid Search");
        assert_eq!(c["campaign"]["name"], "spring");
        assert_eq!(c["referrer"]["name"], "google");
        assert_eq!(c["session"]["id"], session_id.as_str());
        assert!(c["session"].get("start").is_none());
        let keys: Vec<&str> = stored2.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["footfall.session"], "first and last touch unchanged");
        // Nothing more to store until the next activity.
        e2.handle(WallMs(60_002), Input::Tick);
        assert!(!drain(&mut e2)
            .iter()
            .any(|x| matches!(x, Effect::Store { .. })));
    }

    #[test]
    fn a_session_that_idles_out_mid_page_gets_a_new_id_and_start() {
        let mut e = landing_engine("https://shop.example/", "", 0, &[], |o| {
            o.session_timeout_min = Some(5.0)
        });
        track(&mut e, 0, "a", None, 1);
        let first = e.session_id().to_owned();
        track(&mut e, 6 * 60_000, "b", None, 2);
        assert_ne!(e.session_id(), first);
        let (events, _) = drain_events(&mut e, 6 * 60_000);
        assert_eq!(events[0]["context"]["session"]["start"], true);
        assert_eq!(events[1]["context"]["session"]["start"], true);
        assert_eq!(events[1]["context"]["session"]["id"], e.session_id());
        assert_eq!(events[1]["context"]["channel"], "Direct");
    }

    #[test]
    fn urls_are_redacted_but_campaigns_kept() {
        let url = "https://u:pw@shop.example/account/jo@example.com?token=s3cr3t&utm_source=news&utm_medium=email&email=jo%40example.com&fbclid=F";
        let referrer = "https://mail.example.net/read?to=ann@example.org&token=x";
        let mut e = landing_engine(url, referrer, 0, &[], |o| {
            o.strip_query_params = Some(vec!["token".into()]);
        });
        // The path as the browser reports it.
        e.set_page(Page {
            url: url.into(),
            path: "/account/jo@example.com".into(),
            search:
                "?token=s3cr3t&utm_source=news&utm_medium=email&email=jo%40example.com&fbclid=F"
                    .into(),
            title: "Shop".into(),
            referrer: referrer.into(),
        });
        e.handle(
            WallMs(1),
            Input::Page {
                name: None,
                properties: None,
                id: [1; 16],
                current: None,
            },
        );
        let (events, _) = drain_events(&mut e, 2);
        let ev = &events[0];
        let text = ev.to_string();
        for secret in ["s3cr3t", "jo@", "jo%40", "ann@", "pw@", "token"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let page = &ev["context"]["page"];
        assert_eq!(
            page["url"],
            "https://u:[email]/account/[email]?utm_source=news&utm_medium=email&email=[email]&fbclid=F"
        );
        assert_eq!(page["path"], "/account/[email]");
        assert_eq!(
            page["search"],
            "?utm_source=news&utm_medium=email&email=[email]&fbclid=F"
        );
        assert_eq!(page["referrer"], "https://mail.example.net/read?to=[email]");
        assert_eq!(ev["properties"]["url"], page["url"]);
        assert_eq!(ev["properties"]["referrer"], page["referrer"]);
        let c = &ev["context"];
        assert_eq!(c["campaign"]["source"], "news");
        assert_eq!(c["clickIds"]["fbclid"], "F");
        assert_eq!(c["channel"], "Email");
        assert_eq!(c["referrer"]["host"], "mail.example.net");
    }

    #[test]
    fn a_page_change_keeps_the_attribution() {
        let mut e = landing_engine(
            "https://shop.example/?utm_source=news&utm_medium=email",
            "",
            0,
            &[],
            |_| {},
        );
        track(&mut e, 0, "a", None, 1);
        e.set_page(Page {
            url: "https://shop.example/route2".into(),
            path: "/route2".into(),
            ..Page::default()
        });
        track(&mut e, 1, "b", None, 2);
        let (events, _) = drain_events(&mut e, 2);
        assert_eq!(events[1]["context"]["page"]["path"], "/route2");
        assert_eq!(events[1]["context"]["channel"], "Email");
        assert_eq!(events[1]["context"]["campaign"]["source"], "news");
        assert_eq!(
            events[0]["context"]["session"]["id"],
            events[1]["context"]["session"]["id"]
        );
    }

    fn consent_engine(
        mode: &str,
        record: Option<&str>,
        signals: Signals,
        f: impl FnOnce(&mut Options),
    ) -> Engine {
        let config = config(|o| {
            o.consent_mode = Some(mode.into());
            o.flush_at = Some(1.0);
            f(o);
        });
        let boot = Boot {
            anonymous_id: None,
            user_id: None,
            fresh_id: [0xaa; 16],
            tab: "tab1",
            seed: 5,
            online: true,
            consent_record: record,
            signals,
            session: SessionBoot::default(),
        };
        Engine::new(config, env(), boot)
    }

    fn stored_keys(effects: &[Effect]) -> Vec<String> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Store { key, .. } => Some(key.clone()),
                _ => None,
            })
            .collect()
    }

    const GRANT: Choice = Choice {
        analytics: Some(true),
        marketing: Some(true),
        personalization: Some(true),
    };
    const DENY: Choice = Choice {
        analytics: Some(false),
        marketing: Some(false),
        personalization: Some(false),
    };

    #[test]
    fn opt_in_waits_then_releases_in_order_with_original_timestamps() {
        let mut e = consent_engine("opt-in", None, Signals::default(), |_| {});
        assert_eq!(e.anonymous_id(), "", "no identifier before consent");
        for n in 0..20u8 {
            track(
                &mut e,
                1000 + u64::from(n),
                "early",
                Some(&format!(r#"{{"n":{n}}}"#)),
                n,
            );
        }
        e.handle(WallMs(2000), Input::Drain);
        let before = drain(&mut e);
        assert!(sends(&before).is_empty(), "nothing sent: {before:?}");
        assert!(
            stored_keys(&before).is_empty(),
            "nothing stored: {before:?}"
        );
        assert_eq!(e.stats().queued, 20);

        e.handle(
            WallMs(5000),
            Input::Consent {
                choice: GRANT,
                fresh_id: [0xbb; 16],
            },
        );
        e.handle(WallMs(5000), Input::Drain);
        let effects = drain(&mut e);
        let keys = stored_keys(&effects);
        // The anonymous id, then the decision: another tab seeing the
        // decision takes the id stored with it.
        assert_eq!(keys[..2], [KEY_ANONYMOUS_ID, KEY_CONSENT]);
        let id = "bbbbbbbb-bbbb-4bbb-bbbb-bbbbbbbbbbbb";
        assert_eq!(e.anonymous_id(), id);
        let events: Vec<Value> = sends(&effects)
            .into_iter()
            .flat_map(|(_, b)| b["batch"].as_array().unwrap().clone())
            .collect();
        assert_eq!(events.len(), 21, "20 events and consent_updated");
        for (n, ev) in events.iter().take(20).enumerate() {
            assert_eq!(ev["event"], "early");
            assert_eq!(ev["properties"]["n"], n);
            assert_eq!(ev["anonymousId"], id);
            let ms = 1000 + n as u64;
            let mut ts = String::new();
            crate::core::time::push_iso8601(&mut ts, WallMs(ms));
            assert_eq!(ev["timestamp"], ts.as_str(), "original timestamp");
            assert_eq!(
                ev["context"]["consent"]["categoryPreferences"]["analytics"],
                true
            );
        }
        assert_eq!(events[20]["event"], "consent_updated");
        assert_eq!(events[20]["properties"]["marketing"], true);
    }

    #[test]
    fn opt_in_denial_discards_and_purges() {
        let mut e = consent_engine("opt-in", None, Signals::default(), |_| {});
        track(&mut e, 0, "early", None, 1);
        e.handle(
            WallMs(1),
            Input::Consent {
                choice: DENY,
                fresh_id: [1; 16],
            },
        );
        let effects = drain(&mut e);
        assert_eq!(stored_keys(&effects), [KEY_CONSENT]);
        assert!(effects.contains(&Effect::Purge));
        assert!(sends(&effects).is_empty());
        assert_eq!(e.stats().queued, 0);
        track(&mut e, 2, "later", None, 2);
        e.handle(WallMs(3), Input::Drain);
        assert!(drain(&mut e)
            .iter()
            .all(|e| !matches!(e, Effect::Send { .. } | Effect::Store { .. })));
        assert_eq!(e.stats().queued, 0);
    }

    #[test]
    fn opt_out_denial_stops_forgets_and_purges() {
        let mut e = consent_engine("opt-out", None, Signals::default(), |o| {
            o.flush_at = Some(100.0)
        });
        assert_eq!(e.anonymous_id(), "aaaaaaaa-aaaa-4aaa-aaaa-aaaaaaaaaaaa");
        track(&mut e, 0, "tracked", None, 1);
        e.handle(WallMs(0), Input::Drain);
        drain(&mut e);
        e.handle(
            WallMs(1),
            Input::Consent {
                choice: DENY,
                fresh_id: [1; 16],
            },
        );
        let effects = drain(&mut e);
        assert!(effects.contains(&Effect::Purge));
        assert!(
            sends(&effects).is_empty(),
            "no consent_updated after a denial"
        );
        assert_eq!(e.anonymous_id(), "");
        assert_eq!(e.stats().queued, 0, "the outbox is emptied");
        track(&mut e, 2, "after", None, 2);
        e.handle(WallMs(10_000), Input::Tick);
        e.handle(WallMs(10_000), Input::Unload { unsent: &[] });
        assert!(drain(&mut e).iter().all(|e| !matches!(
            e,
            Effect::Send { .. } | Effect::Beacon { .. } | Effect::Store { .. }
        )));
    }

    #[test]
    fn a_page_after_denial_stores_and_sends_nothing() {
        let mut e = consent_engine("opt-in", Some("000;1000;"), Signals::default(), |_| {});
        let start = drain(&mut e);
        assert_eq!(start, vec![Effect::Purge]);
        track(&mut e, 5, "x", None, 1);
        e.handle(WallMs(5), Input::Drain);
        assert!(drain(&mut e).is_empty());
        assert!(e.consent_json().contains(r#""decided":true"#));
    }

    #[test]
    fn a_granted_record_tracks_at_once() {
        let mut e = consent_engine("opt-in", Some("110;1000;"), Signals::default(), |_| {});
        assert_ne!(e.anonymous_id(), "");
        track(&mut e, 5, "x", None, 1);
        e.handle(WallMs(5), Input::Drain);
        assert_eq!(sends(&drain(&mut e)).len(), 1);
    }

    #[test]
    fn the_consent_buffer_is_bounded() {
        let mut e = consent_engine("opt-in", None, Signals::default(), |o| {
            o.max_queue_events = Some(5.0)
        });
        for n in 0..8u8 {
            track(
                &mut e,
                u64::from(n),
                "b",
                Some(&format!(r#"{{"n":{n}}}"#)),
                n,
            );
        }
        assert_eq!(e.stats().queued, 5);
        assert_eq!(e.stats().dropped, 3);
        e.handle(
            WallMs(10),
            Input::Consent {
                choice: GRANT,
                fresh_id: [2; 16],
            },
        );
        e.handle(WallMs(10), Input::Drain);
        let effects = drain(&mut e);
        let ns: Vec<u64> = sends(&effects)
            .iter()
            .flat_map(|(_, b)| b["batch"].as_array().unwrap().clone())
            .filter(|ev| ev["event"] == "b")
            .map(|ev| ev["properties"]["n"].as_u64().unwrap())
            .collect();
        // The newest five waited; consent_updated then makes six for an
        // outbox of five, so the oldest goes too.
        assert_eq!(ns, [4, 5, 6, 7], "the newest, in order");
        assert_eq!(e.stats().dropped, 4);
    }

    #[test]
    fn gpc_denies_marketing_in_the_envelope() {
        let mut e = consent_engine(
            "opt-out",
            None,
            Signals {
                gpc: true,
                dnt: false,
            },
            |_| {},
        );
        track(&mut e, 0, "x", None, 1);
        e.handle(WallMs(0), Input::Drain);
        let sent = sends(&drain(&mut e));
        let prefs = &sent[0].1["batch"][0]["context"]["consent"]["categoryPreferences"];
        assert_eq!(prefs["analytics"], true);
        assert_eq!(prefs["marketing"], false);
        let described: Value = serde_json::from_str(&e.consent_json()).unwrap();
        assert_eq!(described["signals"]["gpc"], true);
        assert_eq!(
            described["deniedBySignal"],
            serde_json::json!(["marketing"])
        );
    }

    #[test]
    fn consent_mode_default_then_update() {
        let mut e = consent_engine("opt-in", None, Signals::default(), |o| {
            o.consent_mode_bridge = Some(true)
        });
        let start = drain(&mut e);
        let Some(Effect::ConsentMode { command, state }) = start.first() else {
            panic!("{start:?}")
        };
        assert_eq!(*command, "default");
        assert!(state.contains(&("analytics_storage", false)));
        assert!(state.contains(&("security_storage", true)));
        e.handle(
            WallMs(1),
            Input::Consent {
                choice: Choice {
                    analytics: Some(true),
                    ..Choice::default()
                },
                fresh_id: [3; 16],
            },
        );
        let update = drain(&mut e);
        let updates: Vec<_> = update
            .iter()
            .filter_map(|e| match e {
                Effect::ConsentMode { command, state } => Some((*command, *state)),
                _ => None,
            })
            .collect();
        assert_eq!(updates.len(), 1);
        assert_eq!(updates[0].0, "update");
        assert!(updates[0].1.contains(&("analytics_storage", true)));
        assert!(updates[0].1.contains(&("ad_storage", false)));
    }

    #[test]
    fn anonymize_ip_sets_the_segment_convention() {
        let mut e = consent_engine("opt-out", None, Signals::default(), |o| {
            o.anonymize_ip = Some(true)
        });
        track(&mut e, 0, "x", None, 1);
        e.handle(WallMs(0), Input::Drain);
        let sent = sends(&drain(&mut e));
        assert_eq!(sent[0].1["batch"][0]["context"]["ip"], "0.0.0.0");
    }

    // Distribution (issue 7) with consent.

    #[test]
    fn a_call_with_options_waiting_for_consent_keeps_its_time_and_page() {
        use crate::core::datalayer::DataLayerOptions;
        let mut e = consent_engine("opt-in", None, Signals::default(), |o| {
            o.data_layer = Some(DataLayerOptions::on());
        });
        drain(&mut e);
        let then = PagePatch {
            url: Some("https://shop.example/before".into()),
            path: Some("/before".into()),
            title: Some("Before".into()),
            ..PagePatch::default()
        };
        let call = Input::Track {
            name: "queued",
            properties: None,
            id: [1; 16],
        };
        with_options(&mut e, 3_000, call, Some(1_000), Some(&then));
        let page = Input::Page {
            name: Some("Early"),
            properties: None,
            id: [2; 16],
            current: None,
        };
        with_options(&mut e, 3_000, page, Some(2_000), Some(&then));
        let waiting = drain(&mut e);
        assert!(
            !waiting
                .iter()
                .any(|eff| matches!(eff, Effect::DataLayerPush(_))),
            "nothing mirrored before consent: {waiting:?}"
        );
        e.handle(
            WallMs(5_000),
            Input::Consent {
                choice: GRANT,
                fresh_id: [0xbb; 16],
            },
        );
        e.handle(WallMs(5_000), Input::Drain);
        let events = delivered(&mut e, 5_000);
        assert_eq!(events[0]["event"], "queued");
        assert_eq!(events[0]["timestamp"], "1970-01-01T00:00:01.000Z");
        assert_eq!(events[0]["context"]["page"]["title"], "Before");
        assert_eq!(events[0]["context"]["page"]["path"], "/before");
        assert_eq!(events[1]["type"], "page");
        assert_eq!(events[1]["timestamp"], "1970-01-01T00:00:02.000Z");
        assert_eq!(events[1]["properties"]["path"], "/before");
        assert_eq!(
            events[1]["context"]["page"]["url"],
            "https://shop.example/before"
        );
        assert_eq!(
            events[1]["context"]["consent"]["categoryPreferences"]["analytics"],
            true
        );
    }

    // Behaviour signals (issue 5).

    /// Every event of every Send or Beacon effect, in order.
    fn wire(effects: &[Effect]) -> Vec<Value> {
        sends(effects)
            .into_iter()
            .flat_map(|(_, body)| {
                let context = body.get("context").cloned();
                body["batch"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| {
                        let mut e = e.clone();
                        if let Some(Value::Object(shared)) = &context {
                            let own = e["context"].as_object().cloned().unwrap_or_default();
                            let mut merged = shared.clone();
                            merged.extend(own);
                            e["context"] = Value::Object(merged);
                        }
                        e
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    fn name(e: &Value) -> String {
        e["event"]
            .as_str()
            .map_or_else(|| e["type"].as_str().unwrap().to_owned(), str::to_owned)
    }

    fn page(path: &str) -> Page {
        let before_hash = path.split('#').next().unwrap();
        Page {
            url: format!("https://shop.example{path}"),
            path: before_hash.split('?').next().unwrap().to_owned(),
            search: before_hash
                .find('?')
                .map_or(String::new(), |i| before_hash[i..].to_owned()),
            title: "Shop".into(),
            ..Page::default()
        }
    }

    fn start(e: &mut Engine, now: u64) {
        e.handle(
            WallMs(now),
            Input::Start {
                id: [0x5a; 16],
                touch: false,
                visible: true,
            },
        );
    }

    #[test]
    fn start_records_the_first_page_view() {
        let mut e = engine(|o| o.flush_at = Some(1.0));
        start(&mut e, 1_000);
        e.handle(WallMs(1_000), Input::Drain);
        let events = wire(&drain(&mut e));
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["type"], "page");
        assert_eq!(events[0]["properties"]["path"], "/");
        assert_eq!(events[0]["context"]["page"]["url"], "https://shop.example/");
        assert_eq!(
            events[0]["messageId"],
            "5a5a5a5a-5a5a-4a5a-9a5a-5a5a5a5a5a5b"
        );

        let mut e = engine(|o| o.autocapture.page_views = Some(false));
        start(&mut e, 1_000);
        assert!(drain(&mut e).is_empty(), "no page event");
        let mut e = engine(|o| o.autocapture.all = Some(false));
        start(&mut e, 1_000);
        e.handle(WallMs(9_000), Input::Unload { unsent: &[] });
        assert!(wire(&drain(&mut e)).is_empty(), "nothing automatic at all");
    }

    #[test]
    fn a_route_change_ends_the_page_view_and_starts_the_next() {
        let mut e = engine(|o| o.flush_at = Some(100.0));
        start(&mut e, 0);
        for t in [100, 150, 200] {
            e.handle(WallMs(t), Input::PointerDown { x: 5, y: 5 });
        }
        assert!(drain(&mut e).contains(&Effect::DescribeTarget));
        e.handle(
            WallMs(200),
            Input::RageTarget {
                selector: "button#buy",
                text: "Buy",
            },
        );
        let shop = page("/shop?sort=price");
        e.handle(
            WallMs(1_000),
            Input::Route {
                change: RouteChange::Push,
                page: &shop,
            },
        );
        // The same location again, and a replace keeping the path: nothing.
        e.handle(
            WallMs(1_100),
            Input::Route {
                change: RouteChange::Push,
                page: &shop,
            },
        );
        let filtered = page("/shop?sort=name");
        e.handle(
            WallMs(1_200),
            Input::Route {
                change: RouteChange::Replace,
                page: &filtered,
            },
        );
        track(&mut e, 1_300, "after", None, 7);
        e.handle(WallMs(1_400), Input::Flush { ticket: 1 });
        let events = wire(&drain(&mut e));
        let names: Vec<_> = events.iter().map(name).collect();
        assert_eq!(names, ["page", "rage_click", "page_leave", "page", "after"]);
        let paths: Vec<_> = events
            .iter()
            .map(|e| e["context"]["page"]["path"].clone())
            .collect();
        assert_eq!(paths, ["/", "/", "/", "/shop", "/shop"]);
        assert_eq!(events[1]["properties"]["clicks"], 3);
        assert_eq!(events[1]["properties"]["selector"], "button#buy");
        assert_eq!(events[2]["properties"]["engaged_ms"], 1_000);
        assert_eq!(events[3]["properties"]["search"], "?sort=price");
        assert_eq!(
            events[3]["properties"]["url"],
            "https://shop.example/shop?sort=price"
        );
        let ids: std::collections::BTreeSet<_> =
            events.iter().map(|e| e["messageId"].to_string()).collect();
        assert_eq!(ids.len(), 5, "distinct message ids");

        // With history off, route changes are ignored.
        let mut e = engine(|o| o.autocapture.history = Some(false));
        start(&mut e, 0);
        drain(&mut e);
        e.handle(
            WallMs(1_000),
            Input::Route {
                change: RouteChange::Push,
                page: &shop,
            },
        );
        assert!(drain(&mut e).is_empty());
    }

    #[test]
    fn page_leave_leaves_with_the_unload_beacons() {
        let mut e = engine(|_| {});
        start(&mut e, 0);
        e.handle(
            WallMs(10),
            Input::Scroll {
                scroll_y: 0,
                viewport_h: 600,
                doc_h: 2400,
                scrolled: false,
            },
        );
        e.handle(WallMs(1_000), Input::Activity);
        drain(&mut e);
        e.handle(WallMs(2_000), Input::Unload { unsent: &[] });
        let mut events = Vec::new();
        loop {
            let effects = drain(&mut e);
            let Some((batch, _)) = sends(&effects).into_iter().next() else {
                break;
            };
            events.extend(wire(&effects));
            e.handle(
                WallMs(2_000),
                Input::BeaconResult {
                    batch,
                    accepted: true,
                },
            );
        }
        let names: Vec<_> = events.iter().map(name).collect();
        assert_eq!(names, ["page", "page_leave"]);
        assert_eq!(events[1]["properties"]["engaged_ms"], 2_000);
        assert_eq!(events[1]["properties"]["max_scroll_percent"], 25);
        // visibilitychange after pagehide adds nothing.
        e.handle(WallMs(2_001), Input::Hidden);
        assert!(wire(&drain(&mut e)).is_empty());
    }

    #[test]
    fn hidden_beacons_page_leave_and_a_return_continues_the_page_view() {
        let mut e = engine(|_| {});
        start(&mut e, 0);
        drain(&mut e);
        e.handle(WallMs(3_000), Input::Hidden);
        let effects = drain(&mut e);
        let names: Vec<_> = wire(&effects).iter().map(name).collect();
        assert_eq!(names, ["page", "page_leave"]);
        assert!(
            effects.iter().all(|e| !matches!(e, Effect::Send { .. })),
            "beacons only"
        );
        e.handle(WallMs(60_000), Input::Visible);
        e.handle(WallMs(61_000), Input::Activity);
        e.handle(WallMs(62_000), Input::Hidden);
        let events = wire(&drain(&mut e));
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["event"], "page_leave");
        assert_eq!(events[0]["properties"]["engaged_ms"], 2_000);
    }

    #[test]
    fn signals_flow_through_the_engine() {
        let mut e = engine(|o| {
            o.flush_at = Some(100.0);
            o.autocapture.min_dwell_ms = Some(500.0);
        });
        start(&mut e, 0);
        // Scroll milestones.
        e.handle(
            WallMs(100),
            Input::Scroll {
                scroll_y: 1800,
                viewport_h: 600,
                doc_h: 2400,
                scrolled: true,
            },
        );
        // A rage burst ends by the timer.
        for t in [200, 250, 300] {
            e.handle(WallMs(t), Input::PointerDown { x: 1, y: 2 });
        }
        assert_eq!(e.poll_timeout(), Some(WallMs(1_301)));
        e.handle(WallMs(1_301), Input::Tick);
        // Exit intent: the callbacks, then the event.
        e.handle(
            WallMs(1_400),
            Input::MouseOut {
                client_y: -4,
                left_window: true,
            },
        );
        let effects = drain(&mut e);
        assert!(effects.contains(&Effect::ExitIntent {
            dwell_ms: 1_400,
            max_scroll_percent: 100
        }));
        // A declarative click.
        e.handle(
            WallMs(1_500),
            Input::Declared {
                name: "price_checked",
                properties: r#"{"service":"battery"}"#,
            },
        );
        e.handle(
            WallMs(1_500),
            Input::Declared {
                name: " ",
                properties: "{}",
            },
        );
        e.handle(WallMs(1_600), Input::Flush { ticket: 1 });
        let events = wire(&drain(&mut e));
        let names: Vec<_> = events.iter().map(name).collect();
        assert_eq!(
            names,
            [
                "page",
                "scroll_depth",
                "scroll_depth",
                "scroll_depth",
                "scroll_depth",
                "scroll_depth",
                "rage_click",
                "exit_intent",
                "price_checked",
                "element_clicked"
            ]
        );
        let percents: Vec<_> = events[1..6]
            .iter()
            .map(|e| e["properties"]["percent"].clone())
            .collect();
        assert_eq!(percents, [25, 50, 75, 90, 100]);
        assert_eq!(events[6]["properties"]["x"], 1);
        assert_eq!(events[6]["properties"]["selector"], "");
        assert_eq!(events[7]["properties"]["dwell_ms"], 1_400);
        assert_eq!(events[8]["properties"]["service"], "battery");

        // Declarative clicks off.
        let mut e = engine(|o| o.autocapture.clicks = Some(false));
        start(&mut e, 0);
        drain(&mut e);
        e.handle(
            WallMs(1),
            Input::Declared {
                name: "x",
                properties: "{}",
            },
        );
        assert!(drain(&mut e).is_empty());
    }

    #[test]
    fn shutdown_keeps_a_rage_burst_in_progress() {
        let mut e = engine(|_| {});
        start(&mut e, 0);
        for t in [200, 250, 300] {
            e.handle(WallMs(t), Input::PointerDown { x: 1, y: 2 });
        }
        drain(&mut e);
        e.handle(WallMs(400), Input::Shutdown);
        let stored: String = drain(&mut e)
            .into_iter()
            .filter_map(|e| match e {
                Effect::Store { key, value }
                    if key.starts_with(crate::core::tabs::SEGMENT_PREFIX) =>
                {
                    Some(value)
                }
                _ => None,
            })
            .collect();
        assert!(stored.contains(r#""event":"rage_click""#), "{stored}");
        assert_eq!(e.poll_timeout(), None);
    }

    #[test]
    fn a_page_back_from_the_bfcache_is_a_new_page_view() {
        let mut e = engine(|o| o.flush_at = Some(100.0));
        start(&mut e, 0);
        e.handle(WallMs(1_000), Input::Unload { unsent: &[] });
        let first: Vec<_> = wire(&drain(&mut e)).iter().map(name).collect();
        assert_eq!(first, ["page", "page_leave"]);
        e.handle(WallMs(60_000), Input::Resume { fresh_tab: [7; 16] });
        e.handle(WallMs(60_000), Input::Visible);
        e.handle(WallMs(61_000), Input::Hidden);
        let events = wire(&drain(&mut e));
        let names: Vec<_> = events.iter().map(name).collect();
        assert_eq!(names, ["page", "page_leave"]);
        assert_eq!(events[1]["properties"]["engaged_ms"], 1_000);
    }

    #[test]
    fn the_session_waits_for_consent_like_everything_else() {
        let mut e = consent_engine("opt-in", None, Signals::default(), |_| {});
        track(&mut e, 10, "early", None, 1);
        e.handle(WallMs(11), Input::Drain);
        assert!(
            !drain(&mut e)
                .iter()
                .any(|x| matches!(x, Effect::Store { .. })),
            "nothing stored before consent"
        );
        e.handle(
            WallMs(20),
            Input::Consent {
                choice: GRANT,
                fresh_id: [3; 16],
            },
        );
        e.handle(WallMs(21), Input::Flush { ticket: 1 });
        let effects = drain(&mut e);
        assert!(effects.iter().any(
            |x| matches!(x, Effect::Store { key, .. } if key == crate::core::session::KEY_SESSION)
        ));
        let sent = sends(&effects);
        let early = sent
            .iter()
            .flat_map(|(_, b)| b["batch"].as_array().unwrap().clone())
            .find(|ev| ev["event"] == "early")
            .unwrap();
        assert_eq!(early["context"]["session"]["id"], e.session_id());
        assert_eq!(early["context"]["session"]["start"], true);
        assert_eq!(early["context"]["channel"], "Direct");
        assert_eq!(
            early["context"]["consent"]["categoryPreferences"]["analytics"],
            true
        );
    }

    #[test]
    fn page_reads_the_location_at_call_time() {
        let mut e = engine(|o| o.flush_at = Some(1.0));
        let moved = Page {
            url: "https://shop.example/book/details?step=2".into(),
            path: "/book/details".into(),
            search: "?step=2".into(),
            title: "Details".into(),
            ..Page::default()
        };
        e.handle(
            WallMs(0),
            Input::Page {
                name: None,
                properties: None,
                id: [1; 16],
                current: Some(&moved),
            },
        );
        e.handle(WallMs(0), Input::Drain);
        let sent = sends(&drain(&mut e));
        let ev = &sent[0].1["batch"][0];
        assert_eq!(ev["properties"]["path"], "/book/details");
        assert_eq!(ev["properties"]["title"], "Details");
        assert_eq!(
            ev["context"]["page"]["path"], "/book/details",
            "later events too"
        );
    }

    #[test]
    fn page_properties_override_page_fields_without_duplicate_keys() {
        let mut e = engine(|o| o.flush_at = Some(1.0));
        e.handle(
            WallMs(0),
            Input::Page {
                name: None,
                properties: Some(r#"{"path":"/custom","plan":"pro"}"#),
                id: [1; 16],
                current: None,
            },
        );
        e.handle(WallMs(0), Input::Drain);
        let effects = drain(&mut e);
        let body = effects
            .iter()
            .find_map(|e| match e {
                Effect::Send { body, .. } => Some(body.clone()),
                _ => None,
            })
            .unwrap();
        let properties =
            &body[body.find("\"properties\":").unwrap()..body.find("\"messageId\"").unwrap()];
        assert_eq!(properties.matches("\"path\"").count(), 1, "{properties}");
        assert!(properties.contains(r#""path":"/custom""#));
        assert!(
            properties.contains(r#""title":"Shop""#),
            "other page fields stay"
        );
    }
}
