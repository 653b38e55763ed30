//! What crosses the engine's boundary: the inputs the browser layer
//! reports ([`Input`]), the effects it carries out ([`Effect`]), what it
//! reads at start ([`Boot`]), and the counters and log lines it shows.

#[cfg(feature = "attribution")]
use crate::core::attribution::session::SessionBoot;
use crate::core::consent::{Choice, Signals};
#[cfg(feature = "datalayer")]
use crate::core::datalayer::DataLayerEffect;
use crate::core::envelope::{Page, PagePatch};
use crate::core::outbox::BatchId;
#[cfg(feature = "signals")]
use crate::core::signals::{page_view::RouteChange, SignalEffect};
use crate::core::time::WallMs;

use super::log::{Invalid, Log};

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
    /// `group(groupId, traits)`: the user belongs to a company or account.
    Group {
        /// The group id.
        group_id: &'a str,
        /// Traits as JSON text, if given.
        traits: Option<&'a str>,
        /// Random bytes for the message id.
        id: [u8; 16],
    },
    /// `alias(userId, previousId)`: two ids of one user are merged.
    Alias {
        /// The new user id.
        user_id: &'a str,
        /// The id it replaces (default: the current user id, else the
        /// anonymous id).
        previous_id: Option<&'a str>,
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
    /// The deadline from
    /// [`Engine::poll_timeout`](super::Engine::poll_timeout) has passed.
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
    /// Outboxes of pages that are gone (see
    /// [`Engine::survey`](super::Engine::survey)), read from storage:
    /// `(key, value)` of each segment, oldest first. They are re-stored
    /// under this page's id, their records removed, and sent.
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
    /// Another page asked whether this one lives ([`PING_KEY`](crate::core::tabs::PING_KEY)).
    Ping,
    /// `navigator.onLine` changed.
    Online(bool),
    /// `shutdown()`.
    Shutdown,

    /// The driver listens: the first page view begins, with a `page` event
    /// when `autocapture.pageViews`.
    Start {
        /// Random bytes from which automatic events' message ids derive.
        id: [u8; 16],
    },
    // Behaviour signals (issue 5): what the browser measured for them.
    // Flat variants rather than one `Signal(...)` wrapping an enum of the
    // signals' own: the nested form cost 160 bytes of gzip in the wasm.
    /// The driver listens to the page for the behaviour signals (before
    /// the first page view's [`Input::Start`]).
    #[cfg(feature = "signals")]
    SignalsStart {
        /// The primary pointer is coarse (a touch device).
        touch: bool,
        /// The page is visible.
        visible: bool,
    },
    /// The location changed (`pushState`, `replaceState`, `popstate`,
    /// `hashchange`): a new page view when the route rules say so.
    #[cfg(feature = "signals")]
    Route {
        /// How it changed.
        change: RouteChange,
        /// The page now (location, title, referrer).
        page: &'a Page,
    },
    /// A scroll measurement (at most one per animation frame), CSS pixels.
    #[cfg(feature = "signals")]
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
    #[cfg(feature = "signals")]
    PointerDown {
        /// `clientX`.
        x: i32,
        /// `clientY`.
        y: i32,
    },
    /// The target of the press that made a rage burst, described (answers
    /// [`SignalEffect::DescribeTarget`]).
    #[cfg(feature = "signals")]
    RageTarget {
        /// A short CSS selector.
        selector: &'a str,
        /// Its text (cleaned and cut by the engine).
        text: &'a str,
    },
    /// `mouseout`.
    #[cfg(feature = "signals")]
    MouseOut {
        /// `clientY`.
        client_y: i32,
        /// The pointer left the document (`relatedTarget` null).
        left_window: bool,
    },
    /// An input that shows the visitor is there (pointer move, key press).
    #[cfg(feature = "signals")]
    Activity,
    /// A dataLayer push with an `event` key, read by the bridge: routed by
    /// [`DataLayerConfig::route`](crate::core::datalayer::DataLayerConfig::route).
    #[cfg(feature = "datalayer")]
    DataLayer {
        /// The push's `event`.
        event: &'a str,
        /// Its other keys, a JSON object.
        properties: &'a str,
        /// Random bytes for the message id.
        id: [u8; 16],
    },
    /// An uncaught error or unhandled rejection (`autocapture.errors`).
    #[cfg(feature = "errors")]
    PageError(crate::core::errors::ErrorReport<'a>),
    /// An input in a form's field, or the form's submit
    /// (`autocapture.forms`); never a value.
    #[cfg(feature = "forms")]
    Form {
        /// The form's submit (else an input).
        submit: bool,
        /// The form's name (see [`core::forms`](crate::core::forms)).
        form: &'a str,
        /// Its number of fields.
        fields: u32,
        /// The field's name or id ("" for a submit).
        field: &'a str,
    },
    /// A web vitals measurement (`autocapture.webVitals`).
    #[cfg(feature = "vitals")]
    Vital(crate::core::vitals::Measure),
    /// A click, for the click map (`autocapture.heatmap`).
    #[cfg(feature = "heatmap")]
    Click(crate::core::heatmap::Click),
    /// A click on an element carrying `data-ff-event`.
    #[cfg(feature = "signals")]
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

    /// What the behaviour signals ask of the page.
    #[cfg(feature = "signals")]
    Signal(SignalEffect),
    /// Remove every `footfall.` storage record but the consent record
    /// (analytics was denied).
    Purge,
    /// What the dataLayer bridge must push.
    #[cfg(feature = "datalayer")]
    DataLayer(DataLayerEffect),
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

/// Values read from storage and randomness, given to
/// [`Engine::new`](super::Engine::new).
#[derive(Clone, Copy, Debug, Default)]
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
    /// The stored ids of the orders sent from this browser.
    #[cfg(feature = "ecommerce")]
    pub orders: Option<&'a str>,
    /// The stored experiments exposed in the session
    /// ([`KEY_EXPOSED`](crate::core::experiments::KEY_EXPOSED)).
    #[cfg(feature = "experiments")]
    pub exposed: Option<&'a str>,
    /// Stored session and attribution state, and the time of the page load.
    #[cfg(feature = "attribution")]
    pub session: SessionBoot<'a>,
}
