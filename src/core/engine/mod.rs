//! The sans-IO engine: inputs in, effects out, one deadline.
//!
//! The browser layer feeds it what happened ([`Input`]) with the current time,
//! carries out what it asks for ([`Effect`]), and wakes it at
//! [`Engine::poll_timeout`]. Nothing here reads a clock, storage or a global.
//!
//! This file holds the engine's state and routes each input to the part
//! that decides it, one file per seam:
//!
//! - `events`: tracking calls accepted, validated and written once; the
//!   shared context; automatic page views;
//! - `delivery`: sending, persisting, beacons, unload, flush tickets;
//! - `adoption`: this page's heartbeat, other pages' orphaned outboxes, the
//!   back/forward cache;
//! - `consent`: decisions made here or in another tab, events that wait;
//! - `signals` (feature `signals`): the behaviour signals' inputs and
//!   automatic events;
//! - `datalayer` (feature `datalayer`): what is mirrored to GTM's
//!   dataLayer, Consent Mode.
//!
//! A capability a build lacks is absent here too: its part, its fields,
//! its inputs and effects, and the lines that hand it the page's lifecycle
//! (each under `#[cfg(feature = ...)]`). Its effects are one variant each,
//! wrapping the capability's own enum (`Effect::Signal(SignalEffect)`,
//! `Effect::DataLayer(DataLayerEffect)`); the signals' inputs are variants
//! of [`Input`] themselves, because wrapping them the same way measured 160
//! bytes more gzip in the wasm. Attribution has no part of its own: the
//! session is consulted where events are accepted, and without it the
//! shared context carries the landing's campaign instead.

mod adoption;
mod consent;
#[cfg(feature = "datalayer")]
mod datalayer;
mod delivery;
#[cfg(feature = "ecommerce")]
mod ecommerce;
#[cfg(feature = "errors")]
mod errors;
mod events;
#[cfg(feature = "experiments")]
mod experiments;
#[cfg(feature = "experiments")]
pub use experiments::ExperimentRecords;
#[cfg(feature = "forms")]
mod forms;
#[cfg(feature = "heatmap")]
mod heatmap;
mod interface;
mod log;
#[cfg(feature = "signals")]
mod signals;
mod state;
#[cfg(feature = "vitals")]
mod vitals;

pub use interface::{Boot, CallOptions, Effect, Input, Stats};
pub use log::{Invalid, Log};

#[cfg(feature = "attribution")]
use crate::core::attribution::{session::Visit, Touch};
#[cfg(not(feature = "attribution"))]
use crate::core::campaign::Landing;
use crate::core::config::Config;
use crate::core::consent::Consent;
use crate::core::envelope::{ContextCache, Environment};
use crate::core::outbox::{Limits, Outbox};
use crate::core::privacy::{redact_if, redact_page};
use crate::core::retry::Jitter;
#[cfg(feature = "signals")]
use crate::core::signals::PageSignals;
use crate::core::time::WallMs;
use crate::core::uuid::is_uuid;

use adoption::Beat;
use consent::Pending;
use events::CallOverride;
#[cfg(feature = "signals")]
use signals::Moment;

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
    #[cfg(feature = "signals")]
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
    #[cfg(feature = "attribution")]
    visit: Visit,
    /// Without sessions: the landing URL's `campaign` and `clickIds`
    /// context members, which every event of the page carries.
    #[cfg(not(feature = "attribution"))]
    campaign: String,
    consent: Consent,
    /// Events waiting for a consent decision (opt-in), not yet serialized.
    pending: Vec<Pending>,

    // Distribution (issue 7).
    /// The options of the call being handled (see [`Input::WithOptions`]).
    call: Option<CallOverride>,
    /// The order ids already sent from this browser, oldest first.
    #[cfg(feature = "ecommerce")]
    orders: Vec<String>,
    /// The errors of the page view.
    #[cfg(feature = "errors")]
    errors: crate::core::errors::PageErrors,
    /// The forms of the page view.
    #[cfg(feature = "forms")]
    forms: crate::core::forms::PageForms,
    /// The web vitals of the page view.
    #[cfg(feature = "vitals")]
    vitals: crate::core::vitals::PageVitals,
    /// The click map of the page view.
    #[cfg(feature = "heatmap")]
    heatmap: crate::core::heatmap::PageHeatmap,
    /// The experiments exposed in the session, as last read from storage.
    #[cfg(feature = "experiments")]
    exposures: crate::core::experiments::Exposures,
    /// The variants `?ff_variant=` forces on this page.
    #[cfg(feature = "experiments")]
    forced: crate::core::experiments::Forced,
    /// Warnings about experiments not yet told.
    #[cfg(feature = "experiments")]
    experiment_warnings: Vec<crate::core::experiments::Warning>,
}

impl Engine {
    /// A new engine for one page. Stores a fresh anonymous id when `boot`
    /// has none.
    pub fn new(config: Config, mut env: Environment, boot: Boot) -> Engine {
        // Attribution reads the landing URL before it is redacted: campaign
        // values and click ids are kept, the page URL loses what it must.
        #[cfg(feature = "attribution")]
        let visit = {
            let landing =
                Touch::classify(&env.page.url, &env.page.referrer, &config.internal_domains);
            Visit::boot(
                boot.session.now,
                &landing,
                boot.session,
                config.session_timeout_ms,
            )
        };
        #[cfg(not(feature = "attribution"))]
        let campaign = {
            let mut members = String::new();
            Landing::read(&env.page.url).push_context(&mut members);
            members
        };
        // `?ff_variant=` is read before the URL is redacted too.
        #[cfg(feature = "experiments")]
        let (forced, experiment_warnings) = {
            let query = env
                .page
                .search
                .strip_prefix('?')
                .unwrap_or(&env.page.search);
            let pairs = crate::core::experiments::forced_from_query(query);
            let (forced, mut warnings) = config.experiments.forced(&pairs);
            let mut all = config.experiment_warnings.clone();
            all.append(&mut warnings);
            if !config.debug {
                all.clear();
            }
            (forced, all)
        };
        env.page = redact_page(env.page, &config.strip_query_params);
        let frame = delivery::body_frame(&config).len();
        let limits = Limits {
            flush_at: config.flush_at,
            flush_interval_ms: config.flush_interval_ms,
            max_batch_bytes: config.max_batch_bytes,
            max_queue_events: config.max_queue_events,
        };
        #[cfg(feature = "signals")]
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
            #[cfg(feature = "signals")]
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
            #[cfg(feature = "attribution")]
            visit,
            #[cfg(not(feature = "attribution"))]
            campaign,
            #[cfg(feature = "ecommerce")]
            orders: ecommerce::read_orders(boot.orders),
            #[cfg(feature = "errors")]
            errors: Default::default(),
            #[cfg(feature = "forms")]
            forms: Default::default(),
            #[cfg(feature = "vitals")]
            vitals: Default::default(),
            #[cfg(feature = "heatmap")]
            heatmap: Default::default(),
            #[cfg(feature = "experiments")]
            exposures: crate::core::experiments::Exposures::parse(boot.exposed.unwrap_or_default()),
            #[cfg(feature = "experiments")]
            forced,
            #[cfg(feature = "experiments")]
            experiment_warnings,
        };
        engine.rebuild_context();
        engine.outbox.set_online(boot.online, WallMs(0));
        for name in engine.config.clamped.clone() {
            engine.log(Log::Clamped(name));
        }
        #[cfg(footfall_partial)]
        for name in engine.config.ignored.clone() {
            engine.log(Log::Ignored(name));
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
        #[cfg(feature = "datalayer")]
        engine.consent_mode("default");
        engine
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
            } => self.track(now, name, properties, id),
            Input::Page {
                name,
                properties,
                id,
                current,
            } => self.page(now, name, properties, id, current),
            Input::Identify {
                user_id,
                traits,
                id,
            } => self.identify(now, user_id, traits, id),
            Input::Group {
                group_id,
                traits,
                id,
            } => self.group(now, group_id, traits, id),
            Input::Alias {
                user_id,
                previous_id,
                id,
            } => self.alias(now, user_id, previous_id, id),
            Input::Reset { fresh_id } => self.reset(fresh_id),
            Input::Refused(why) => self.refuse(why),
            Input::WithOptions { call, options } => self.with_options(now, call, options),
            Input::Drain => {
                self.drain_pending = false;
                self.sync(now);
            }
            Input::Tick => self.tick(now),
            Input::Flush { ticket } => self.flush(now, ticket),
            Input::Response {
                batch,
                status,
                retry_after,
                closing,
            } => self.on_response(now, batch, status, retry_after, closing),
            Input::BeaconResult { batch, accepted } => self.on_beacon(now, batch, accepted),
            Input::BeaconCutOff { batch } => self.on_beacon_cut_off(now, batch),
            Input::Hidden => self.hidden(now),
            Input::Visible => self.visible(now),
            Input::Unload { unsent } => self.unload(now, unsent),
            Input::Leaving => self.outbox.hold(now.plus(delivery::LEAVING_HOLD_MS)),
            Input::Online(online) => {
                self.outbox.set_online(online, now);
                self.sync(now);
            }
            Input::Shutdown => self.shutdown(now),
            Input::Adopt { tabs, segments } => self.adopt(now, tabs, segments),
            Input::Resume { fresh_tab } => self.resume(now, fresh_tab),
            Input::Ping => self.ping(now),
            Input::Consent { choice, fresh_id } => self.decide(now, choice, fresh_id),
            Input::ConsentRecord {
                record,
                anonymous_id,
                fresh_id,
            } => self.on_consent_record(now, record, anonymous_id, fresh_id),
            Input::Start { id } => self.start(now, id),
            #[cfg(feature = "signals")]
            Input::SignalsStart { touch, visible } => self.signals.start(now, touch, visible),
            #[cfg(feature = "signals")]
            Input::Route { change, page } => self.route(now, change, page),
            #[cfg(feature = "signals")]
            Input::Scroll {
                scroll_y,
                viewport_h,
                doc_h,
                scrolled,
            } => self.scroll(now, scroll_y, viewport_h, doc_h, scrolled),
            #[cfg(feature = "signals")]
            Input::PointerDown { x, y } => self.pointer_down(now, x, y),
            #[cfg(feature = "signals")]
            Input::RageTarget { selector, text } => self.signals.on_target(selector, text),
            #[cfg(feature = "signals")]
            Input::MouseOut {
                client_y,
                left_window,
            } => self.mouse_out(now, client_y, left_window),
            #[cfg(feature = "signals")]
            Input::Activity => self.signals.on_input(now),
            #[cfg(feature = "signals")]
            Input::Declared { name, properties } => self.declared(now, name, properties),
            #[cfg(feature = "datalayer")]
            Input::DataLayer {
                event,
                properties,
                id,
            } => self.data_layer_push(now, event, properties, id),
            #[cfg(feature = "errors")]
            Input::PageError(report) => self.page_error(now, &report),
            #[cfg(feature = "forms")]
            Input::Form {
                submit,
                form,
                fields,
                field,
            } => self.form(now, submit, form, fields, field),
            #[cfg(feature = "vitals")]
            Input::Vital(measure) => self.vital(measure),
            #[cfg(feature = "heatmap")]
            Input::Click(click) => self.click(now, &click),
        }
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
        #[cfg(feature = "signals")]
        let next_signal = self.signals.poll_timeout();
        #[cfg(not(feature = "signals"))]
        let next_signal = None;
        #[cfg(feature = "heatmap")]
        let next_points = self.heatmap.poll_timeout();
        #[cfg(not(feature = "heatmap"))]
        let next_points = None;
        [next_beat, next_signal, next_points].into_iter().fold(
            self.outbox.poll_timeout(),
            |at, t| match (at, t) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        )
    }

    /// The deadline from [`Engine::poll_timeout`] passed: the heartbeat, the
    /// signals' timers, then what is due to be sent.
    fn tick(&mut self, now: WallMs) {
        if matches!(self.beat, Beat::Live(at) if now >= at) {
            self.beat(now);
        }
        #[cfg(feature = "signals")]
        self.signals_at(now, Moment::Tick);
        #[cfg(feature = "heatmap")]
        self.heatmap_due(now);
        self.sync(now);
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
}

#[cfg(test)]
mod tests;
