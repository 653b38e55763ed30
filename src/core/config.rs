//! Options as the user wrote them, resolved into a clamped [`Config`].

use crate::core::consent::{Choice, Mode, Reach, Settings};
#[cfg(feature = "datalayer")]
use crate::core::datalayer::DataLayerConfig;

#[cfg(feature = "signals")]
mod autocapture;
#[cfg(footfall_partial)]
mod unsupported;
#[cfg(feature = "signals")]
pub use autocapture::Autocapture;
#[cfg(footfall_partial)]
pub use unsupported::unsupported;

/// The in-flight byte quota that `sendBeacon` and keepalive `fetch` share per
/// page (Fetch standard, "HTTP-network-or-cache fetch": 64 KiB).
pub const KEEPALIVE_QUOTA_BYTES: usize = 64 * 1024;

/// Options as given to `init`, every field optional; the API layer has
/// already checked their JavaScript types.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Collector URL (`https://...`, `http://...` or a path starting with `/`).
    pub endpoint: Option<String>,
    /// Sent in each request body as `writeKey`.
    pub write_key: Option<String>,
    /// Queued events that trigger a send.
    pub flush_at: Option<f64>,
    /// Longest time an event waits before a send, in ms.
    pub flush_interval_ms: Option<f64>,
    /// Largest request body, in bytes.
    pub max_batch_bytes: Option<f64>,
    /// Most events held in memory and storage.
    pub max_queue_events: Option<f64>,
    /// Longest string kept in properties, in characters.
    pub max_string_length: Option<f64>,
    /// Log dropped input and failed sends to the console.
    pub debug: Option<bool>,
    /// `consent.mode`: "opt-in" or "opt-out".
    pub consent_mode: Option<String>,
    /// `consent.categories`: categories before the visitor decides.
    pub consent_defaults: Choice,
    /// `consent.respectGpc`: true, false, "marketing" or "all".
    pub respect_gpc: Option<Reach>,
    /// `consent.respectDnt`: true, false, "marketing" or "all".
    pub respect_dnt: Option<Reach>,
    /// `consent.policyVersion`.
    pub policy_version: Option<String>,
    /// `privacy.cookieless`: no persistent identifiers.
    pub cookieless: Option<bool>,
    /// `privacy.anonymizeIp`: ask collectors not to store the IP.
    pub anonymize_ip: Option<bool>,
    /// `privacy.redactEmails`: replace email addresses in properties.
    pub redact_emails: Option<bool>,
    /// `dataLayer.consentMode`: push Google Consent Mode commands.
    pub consent_mode_bridge: Option<bool>,
    /// `dataLayer.name`: the dataLayer array's name.
    pub data_layer_name: Option<String>,
    /// `compression`: "gzip" or "none".
    pub compression: Option<String>,
    /// `sessionTimeoutMin`: minutes of inactivity that end a session.
    pub session_timeout_min: Option<f64>,
    /// `attribution.internalDomains`: hosts whose referrals are internal.
    pub internal_domains: Option<Vec<String>>,
    /// `privacy.stripQueryParams`: query parameters removed from URLs.
    pub strip_query_params: Option<Vec<String>>,
    /// `autocapture`: automatic events (behaviour signals).
    pub autocapture: AutocaptureOptions,

    // Distribution (issue 7).
    /// The GTM dataLayer bridge (`dataLayer`); `None` when absent or `false`.
    pub data_layer: Option<DataLayerOptions>,
    /// `experiments`: each experiment's options, in the order given.
    #[cfg(feature = "experiments")]
    pub experiments: Vec<crate::core::experiments::ExperimentOptions>,
    /// Whether `experiments` was given (a build without them names it).
    pub experiments_given: bool,
}

/// `autocapture` as given: `true`/`false` for all, or an object whose
/// members are each a boolean or their own settings (an object means on).
#[derive(Clone, Debug, Default)]
pub struct AutocaptureOptions {
    /// `autocapture: true | false` (an object leaves this `None`).
    pub all: Option<bool>,
    /// `errors`: uncaught errors as `error` events. Off unless `true`.
    pub errors: Option<bool>,
    /// `forms`: form analytics. Off unless `true`.
    pub forms: Option<bool>,
    /// `webVitals`: one `web_vitals` event per page view. Off unless `true`.
    pub web_vitals: Option<bool>,
    /// `heatmap`: clicks as points for click maps. Off unless `true`.
    pub heatmap: Option<bool>,
    /// `pageViews`.
    pub page_views: Option<bool>,
    /// `history` (on when given as an object).
    pub history: Option<bool>,
    /// `history.hashChange`.
    pub hash_change: Option<bool>,
    /// `scrollDepth`.
    pub scroll_depth: Option<bool>,
    /// `scrollDepth.milestones`.
    pub milestones: Option<Vec<f64>>,
    /// `scrollDepth.shortPages`.
    pub short_pages: Option<bool>,
    /// `rageClick`.
    pub rage_click: Option<bool>,
    /// `rageClick.clicks`.
    pub rage_clicks: Option<f64>,
    /// `rageClick.windowMs`.
    pub rage_window_ms: Option<f64>,
    /// `rageClick.radiusPx`.
    pub rage_radius_px: Option<f64>,
    /// `exitIntent`.
    pub exit_intent: Option<bool>,
    /// `exitIntent.minDwellMs`.
    pub min_dwell_ms: Option<f64>,
    /// `exitIntent.cooldownMs`.
    pub cooldown_ms: Option<f64>,
    /// `exitIntent.touch`.
    pub touch: Option<bool>,
    /// `pageLeave`.
    pub page_leave: Option<bool>,
    /// `clicks` (declarative `data-ff-event` clicks).
    pub clicks: Option<bool>,
}

/// The `dataLayer` option's forwarding and mirroring as given: `true` is
/// [`DataLayerOptions::on`], `false` or absent is no option at all. (Its
/// `name` and `consentMode` are `Options::data_layer_name` and
/// `Options::consent_mode_bridge`.)
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataLayerOptions {
    /// Forward pushes with an `event` key. Default false (true when
    /// `allow` or `deny` is given).
    pub forward: Option<bool>,
    /// Push automatic events. Default false.
    pub mirror: Option<bool>,
    /// Forward only these event names (a trailing `*` matches a prefix).
    pub allow: Vec<String>,
    /// Never forward these event names (a trailing `*` matches a prefix).
    pub deny: Vec<String>,
    /// GA4 ecommerce pushes become Segment Ecommerce v2 events. Default false.
    pub ecommerce: Option<bool>,
}

impl DataLayerOptions {
    /// `dataLayer: true`: forwarding and mirroring.
    pub fn on() -> DataLayerOptions {
        DataLayerOptions {
            forward: Some(true),
            mirror: Some(true),
            ..DataLayerOptions::default()
        }
    }
}

/// Resolved settings. Every number is within its bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Collector URL.
    pub endpoint: String,
    /// Sent in each request body, when set.
    pub write_key: Option<String>,
    /// Queued events that trigger a send. Default 20, 1 to 1000.
    pub flush_at: usize,
    /// Longest time an event waits before a send. Default 3000 ms, 0 to 60 s.
    pub flush_interval_ms: u64,
    /// Largest request body. Default 48,000 bytes (below 0.8 x 64 KiB, so a
    /// batch always fits the keepalive quota); 1,024 to 60,000.
    pub max_batch_bytes: usize,
    /// Most events held. Default 1000, 1 to 10,000.
    pub max_queue_events: usize,
    /// Longest string kept. Default 1024 characters, 1 to 65,536.
    pub max_string_length: usize,
    /// Console logging of what is dropped and why. Default false.
    pub debug: bool,
    /// A `page` event when the page loads and when it comes back from the
    /// back/forward cache (with `signals`, on route changes too):
    /// `autocapture.pageViews`. Default true; `autocapture: false` turns it
    /// off.
    pub page_views: bool,
    /// `autocapture.errors`: uncaught errors and unhandled rejections as
    /// `error` events. Default false.
    #[cfg(feature = "errors")]
    pub errors: bool,
    /// `autocapture.forms`: `form_started`, `form_submitted`,
    /// `form_abandoned`. Default false.
    #[cfg(feature = "forms")]
    pub forms: bool,
    /// `autocapture.webVitals`: one `web_vitals` event per page view.
    /// Default false.
    #[cfg(feature = "vitals")]
    pub vitals: bool,
    /// `autocapture.heatmap`: clicks as `heatmap` points. Default false.
    #[cfg(feature = "heatmap")]
    pub heatmap: bool,
    /// The behaviour signals' automatic events.
    #[cfg(feature = "signals")]
    pub autocapture: Autocapture,
    /// Consent mode, defaults, signals and policy version.
    pub consent: Settings,
    /// Identifiers live in `sessionStorage` or memory only. Default false.
    pub cookieless: bool,
    /// Every event carries `context.ip = "0.0.0.0"`. Default false.
    pub anonymize_ip: bool,
    /// Email addresses in properties are replaced by `[email]`. Default true.
    pub redact_emails: bool,
    /// Push Google Consent Mode v2 commands to the dataLayer. Default false.
    #[cfg(feature = "datalayer")]
    pub consent_mode_bridge: bool,
    /// Name of the dataLayer array. Default `dataLayer`.
    #[cfg(feature = "datalayer")]
    pub data_layer_name: String,
    /// Gzip fetch bodies in the browser (`CompressionStream`), announced by
    /// `compression=gzip` in the URL. Default false (`compression: 'none'`).
    pub gzip: bool,
    /// Inactivity that ends a session. Default 30 minutes
    /// ([`crate::core::attribution::session::DEFAULT_IDLE_TIMEOUT_MIN`]), 1 minute to 24 hours.
    #[cfg(feature = "attribution")]
    pub session_timeout_ms: u64,
    /// Hosts (lowercase, no scheme, port or leading dot) whose referrals are
    /// internal, with their subdomains: payment pages, sister sites. At most
    /// [`MAX_LIST_ENTRIES`].
    #[cfg(feature = "attribution")]
    pub internal_domains: Vec<String>,
    /// Query parameters removed from URLs before they are sent (compared
    /// case-insensitively). At most [`MAX_LIST_ENTRIES`].
    pub strip_query_params: Vec<String>,

    // Distribution (issue 7).
    /// The GTM dataLayer bridge. Default off.
    #[cfg(feature = "datalayer")]
    pub data_layer: DataLayerConfig,
    /// Options given out of their range and clamped (for a `debug` warning).
    pub clamped: Vec<&'static str>,
    /// Options given for a capability this build lacks, ignored (for a
    /// `debug` warning): see [`unsupported`].
    #[cfg(footfall_partial)]
    pub ignored: Vec<&'static str>,
    /// The page's experiments (`experiments`).
    #[cfg(feature = "experiments")]
    pub experiments: crate::core::experiments::Experiments,
    /// What was wrong with them, for the debug log.
    #[cfg(feature = "experiments")]
    pub experiment_warnings: Vec<crate::core::experiments::Warning>,
}

/// Most entries kept from a list option (`internalDomains`, `stripQueryParams`).
pub const MAX_LIST_ENTRIES: usize = 100;

/// Why `init` refused the options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// No endpoint given.
    MissingEndpoint,
    /// The endpoint is not an http(s) URL or an absolute path.
    InvalidEndpoint,
    /// `consent.mode` is neither "opt-in" nor "opt-out".
    InvalidConsentMode,
    /// `compression` is neither "gzip" nor "none".
    InvalidCompression,
}

impl ConfigError {
    /// The message `init` rejects with.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigError::MissingEndpoint => {
                "footfall: `endpoint` is required (the collector URL, e.g. 'https://collect.example.com/v1/batch')"
            }
            ConfigError::InvalidEndpoint => {
                "footfall: `endpoint` must be an http(s) URL or a path starting with '/'"
            }
            ConfigError::InvalidConsentMode => "footfall: `consent.mode` must be 'opt-in' or 'opt-out'",
            ConfigError::InvalidCompression => "footfall: `compression` must be 'gzip' or 'none'",
        }
    }
}

impl Config {
    /// Resolves `options`, applying defaults and clamping numbers to bounds.
    ///
    /// ```
    /// use footfall::core::config::{Config, Options};
    /// let c = Config::resolve(Options { endpoint: Some("/collect".into()), flush_at: Some(0.0), ..Options::default() }).unwrap();
    /// assert_eq!((c.flush_at, c.flush_interval_ms, c.max_batch_bytes), (1, 3000, 48_000));
    /// ```
    pub fn resolve(options: Options) -> Result<Config, ConfigError> {
        #[cfg(footfall_partial)]
        let ignored = unsupported(&options);
        #[cfg(feature = "experiments")]
        let (experiments, experiment_warnings) =
            crate::core::experiments::Experiments::from_options(options.experiments);
        let endpoint = options.endpoint.ok_or(ConfigError::MissingEndpoint)?;
        let endpoint = endpoint.trim();
        if endpoint.is_empty() {
            return Err(ConfigError::MissingEndpoint);
        }
        if !is_endpoint(endpoint) {
            return Err(ConfigError::InvalidEndpoint);
        }
        let mode = match options.consent_mode.as_deref() {
            None | Some("opt-out") => Mode::OptOut,
            Some("opt-in") => Mode::OptIn,
            Some(_) => return Err(ConfigError::InvalidConsentMode),
        };
        let gzip = match options.compression.as_deref() {
            None | Some("none") => false,
            Some("gzip") => true,
            Some(_) => return Err(ConfigError::InvalidCompression),
        };
        let defaults = options.consent_defaults;
        let consent = Settings {
            mode,
            defaults: (defaults != Choice::default()).then_some(defaults),
            gpc: options.respect_gpc.unwrap_or(Reach::Marketing),
            dnt: options.respect_dnt.unwrap_or(Reach::Ignore),
            policy_version: options.policy_version.filter(|v| !v.is_empty()),
        };
        let mut clamped = Vec::new();
        let mut bound =
            |name: &'static str, value: Option<f64>, default: u64, min: u64, max: u64| {
                if value.is_some_and(|v| v < min as f64 || v > max as f64) {
                    clamped.push(name);
                }
                clamp(value, default, min, max)
            };
        let flush_at = bound("flushAt", options.flush_at, 20, 1, 1000) as usize;
        let flush_interval_ms = bound(
            "flushIntervalMs",
            options.flush_interval_ms,
            3000,
            0,
            60_000,
        );
        let max_batch_bytes = bound(
            "maxBatchBytes",
            options.max_batch_bytes,
            48_000,
            1024,
            60_000,
        ) as usize;
        let max_queue_events =
            bound("maxQueueEvents", options.max_queue_events, 1000, 1, 10_000) as usize;
        let max_string_length = bound(
            "privacy.maxStringLength",
            options.max_string_length,
            1024,
            1,
            65_536,
        ) as usize;
        #[cfg(feature = "attribution")]
        let session_timeout_ms = bound(
            "sessionTimeoutMin",
            options.session_timeout_min,
            crate::core::attribution::session::DEFAULT_IDLE_TIMEOUT_MIN,
            1,
            24 * 60,
        ) * 60_000;
        Ok(Config {
            endpoint: endpoint.to_owned(),
            write_key: options.write_key.filter(|k| !k.is_empty()),
            flush_at,
            flush_interval_ms,
            max_batch_bytes,
            max_queue_events,
            max_string_length,
            debug: options.debug.unwrap_or(false),
            page_views: options.autocapture.all.unwrap_or(true)
                && options.autocapture.page_views.unwrap_or(true),
            #[cfg(feature = "errors")]
            errors: options.autocapture.errors == Some(true),
            #[cfg(feature = "forms")]
            forms: options.autocapture.forms == Some(true),
            #[cfg(feature = "vitals")]
            vitals: options.autocapture.web_vitals == Some(true),
            #[cfg(feature = "heatmap")]
            heatmap: options.autocapture.heatmap == Some(true),
            #[cfg(feature = "signals")]
            autocapture: Autocapture::resolve(&options.autocapture),
            consent,
            cookieless: options.cookieless.unwrap_or(false),
            anonymize_ip: options.anonymize_ip.unwrap_or(false),
            redact_emails: options.redact_emails.unwrap_or(true),
            #[cfg(feature = "datalayer")]
            consent_mode_bridge: options.consent_mode_bridge.unwrap_or(false),
            gzip,
            #[cfg(feature = "datalayer")]
            data_layer_name: options
                .data_layer_name
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "dataLayer".to_owned()),
            #[cfg(feature = "attribution")]
            session_timeout_ms,
            #[cfg(feature = "attribution")]
            internal_domains: list(options.internal_domains, domain_of),
            strip_query_params: list(options.strip_query_params, |s| s.trim().to_owned()),
            #[cfg(feature = "datalayer")]
            data_layer: DataLayerConfig::resolve(options.data_layer),
            clamped,
            #[cfg(footfall_partial)]
            ignored,
            #[cfg(feature = "experiments")]
            experiments,
            #[cfg(feature = "experiments")]
            experiment_warnings,
        })
    }
}

/// The non-empty entries of a list option, normalized, at most [`MAX_LIST_ENTRIES`].
fn list(values: Option<Vec<String>>, normalize: fn(&str) -> String) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values.unwrap_or_default() {
        let v = normalize(&v);
        if !v.is_empty() && !out.contains(&v) && out.len() < MAX_LIST_ENTRIES {
            out.push(v);
        }
    }
    out
}

/// A domain as given (`Pay.Example.com`, `.example.com`,
/// `https://pay.example.com/`) to its lowercase host.
#[cfg(feature = "attribution")]
fn domain_of(s: &str) -> String {
    let s = s.trim();
    let host = match crate::core::url::host(s) {
        "" => s,
        h => h,
    };
    host.trim_start_matches('.').to_ascii_lowercase()
}

fn is_endpoint(s: &str) -> bool {
    let rest = if let Some(r) = s.strip_prefix("https://") {
        r
    } else if let Some(r) = s.strip_prefix("http://") {
        r
    } else if s.starts_with('/') && !s.starts_with("//") {
        return !s.contains(char::is_whitespace);
    } else {
        return false;
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = rest.get(..host_end).unwrap_or_default();
    !host.is_empty() && !s.contains(char::is_whitespace) && !host.contains('@')
}

/// `value` floored and clamped to `min..=max`; `default` when absent or NaN.
fn clamp(value: Option<f64>, default: u64, min: u64, max: u64) -> u64 {
    match value {
        Some(v) if !v.is_nan() => {
            if v <= min as f64 {
                min
            } else if v >= max as f64 {
                max
            } else {
                v as u64
            }
        }
        _ => default,
    }
}

#[cfg(test)]
mod tests;
