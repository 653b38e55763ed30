//! Configuration from options: endpoints, defaults and clamps, page views,
//! autocapture, consent, options for capabilities a build lacks, messages.

use super::*;
#[cfg(feature = "signals")]
use crate::core::signals::exit_intent::ExitIntentSettings;
#[cfg(feature = "signals")]
use crate::core::signals::rage_click::{RageClickSettings, MAX_CLICKS};
#[cfg(feature = "signals")]
use crate::core::signals::scroll_depth::ScrollSettings;

fn with_endpoint(e: &str) -> Result<Config, ConfigError> {
    Config::resolve(Options {
        endpoint: Some(e.to_owned()),
        ..Options::default()
    })
}

#[test]
fn endpoints() {
    for ok in [
        "https://c.example.com/v1/batch",
        "http://127.0.0.1:8080/collect",
        "/collect",
        " /c ",
    ] {
        assert!(with_endpoint(ok).is_ok(), "{ok}");
    }
    for (bad, err) in [
        ("", ConfigError::MissingEndpoint),
        ("   ", ConfigError::MissingEndpoint),
        ("collect", ConfigError::InvalidEndpoint),
        ("ftp://x/y", ConfigError::InvalidEndpoint),
        ("https://", ConfigError::InvalidEndpoint),
        ("https:///path", ConfigError::InvalidEndpoint),
        ("//cdn.example.com/x", ConfigError::InvalidEndpoint),
        ("https://user@host/", ConfigError::InvalidEndpoint),
        ("https://a b/", ConfigError::InvalidEndpoint),
        ("javascript:alert(1)", ConfigError::InvalidEndpoint),
    ] {
        assert_eq!(with_endpoint(bad), Err(err), "{bad}");
    }
    assert_eq!(
        Config::resolve(Options::default()),
        Err(ConfigError::MissingEndpoint)
    );
}

#[test]
fn clamped_options_are_named() {
    let c = Config::resolve(Options {
        endpoint: Some("/collect".into()),
        flush_at: Some(5000.0),
        max_batch_bytes: Some(100.0),
        flush_interval_ms: Some(0.0),
        ..Options::default()
    })
    .unwrap();
    assert_eq!(c.clamped, ["flushAt", "maxBatchBytes"], "0 is in range");
}

#[test]
fn defaults_and_clamps() {
    let c = with_endpoint("/c").unwrap();
    assert_eq!(c.flush_at, 20);
    assert_eq!(c.flush_interval_ms, 3000);
    assert_eq!(c.max_batch_bytes, 48_000);
    assert_eq!(c.max_queue_events, 1000);
    assert_eq!(c.max_string_length, 1024);
    assert!(!c.debug);
    #[cfg(feature = "attribution")]
    assert_eq!(c.session_timeout_ms, 30 * 60_000);
    #[cfg(feature = "attribution")]
    assert!(c.internal_domains.is_empty());
    assert!(c.strip_query_params.is_empty());
    assert!(c.max_batch_bytes < KEEPALIVE_QUOTA_BYTES);

    let c = Config::resolve(Options {
        endpoint: Some("/c".into()),
        flush_at: Some(-5.0),
        flush_interval_ms: Some(f64::INFINITY),
        max_batch_bytes: Some(1e9),
        max_queue_events: Some(f64::NAN),
        max_string_length: Some(7.9),
        write_key: Some(String::new()),
        debug: Some(true),
        session_timeout_min: Some(0.5),
        internal_domains: Some(vec![
            " .Pay.Example.com".into(),
            "https://checkout.example.net:443/x".into(),
            String::new(),
            "pay.example.com".into(),
        ]),
        strip_query_params: Some(vec![" token ".into(), "".into()]),
        ..Options::default()
    })
    .unwrap();
    assert_eq!(c.flush_at, 1);
    assert_eq!(c.flush_interval_ms, 60_000);
    assert_eq!(c.max_batch_bytes, 60_000);
    assert_eq!(c.max_queue_events, 1000);
    assert_eq!(c.max_string_length, 7);
    assert_eq!(c.write_key, None);
    assert!(c.debug);
    #[cfg(feature = "attribution")]
    assert_eq!(c.session_timeout_ms, 60_000);
    #[cfg(feature = "attribution")]
    assert_eq!(
        c.internal_domains,
        ["pay.example.com", "checkout.example.net"]
    );
    assert_eq!(c.strip_query_params, ["token"]);
}

#[test]
fn page_views_are_on_unless_turned_off() {
    let with = |autocapture: AutocaptureOptions| {
        Config::resolve(Options {
            endpoint: Some("/c".into()),
            autocapture,
            ..Options::default()
        })
        .unwrap()
        .page_views
    };
    assert!(with(AutocaptureOptions::default()));
    assert!(with(AutocaptureOptions {
        rage_click: Some(false),
        ..AutocaptureOptions::default()
    }));
    assert!(!with(AutocaptureOptions {
        all: Some(false),
        ..AutocaptureOptions::default()
    }));
    assert!(!with(AutocaptureOptions {
        page_views: Some(false),
        ..AutocaptureOptions::default()
    }));
}

#[cfg(feature = "signals")]
#[test]
fn autocapture_defaults_switches_and_clamps() {
    let d = with_endpoint("/c").unwrap().autocapture;
    assert_eq!(d, Autocapture::default());
    assert!(d.history && d.page_leave && d.clicks);
    assert!(!d.hash_change);
    assert_eq!(d.scroll_depth, Some(ScrollSettings::default()));
    assert_eq!(d.rage_click, Some(RageClickSettings::default()));
    assert_eq!(d.exit_intent, Some(ExitIntentSettings::default()));

    let off = Autocapture::off();
    assert!(!off.history && !off.page_leave && !off.clicks);
    assert_eq!(
        (off.scroll_depth, off.rage_click, off.exit_intent),
        (None, None, None)
    );

    // An object: unnamed members stay on; named ones follow their value.
    let a = Autocapture::resolve(&AutocaptureOptions {
        rage_click: Some(false),
        page_views: Some(false),
        hash_change: Some(true),
        ..AutocaptureOptions::default()
    });
    assert!(a.history && a.hash_change && a.rage_click.is_none());
    assert!(a.scroll_depth.is_some() && a.exit_intent.is_some());

    // hashChange needs history.
    let a = Autocapture::resolve(&AutocaptureOptions {
        history: Some(false),
        hash_change: Some(true),
        ..AutocaptureOptions::default()
    });
    assert!(!a.history && !a.hash_change);

    // Explicit zeros stay zero; out of range values are clamped.
    let a = Autocapture::resolve(&AutocaptureOptions {
        rage_clicks: Some(0.0),
        rage_window_ms: Some(0.0),
        rage_radius_px: Some(-3.0),
        min_dwell_ms: Some(0.0),
        cooldown_ms: Some(f64::INFINITY),
        touch: Some(false),
        milestones: Some(vec![]),
        short_pages: Some(true),
        ..AutocaptureOptions::default()
    });
    let r = a.rage_click.unwrap();
    assert_eq!((r.clicks, r.window_ms, r.radius_px), (0, 0, 0));
    let e = a.exit_intent.unwrap();
    assert_eq!(
        (e.min_dwell_ms, e.cooldown_ms, e.touch),
        (0, 86_400_000, false)
    );
    let s = a.scroll_depth.unwrap();
    assert!(s.milestones.is_empty() && s.short_pages);
    let a = Autocapture::resolve(&AutocaptureOptions {
        rage_clicks: Some(1e9),
        rage_window_ms: Some(f64::NAN),
        milestones: Some(vec![90.0, 10.0]),
        ..AutocaptureOptions::default()
    });
    assert_eq!(a.rage_click.unwrap().clicks, MAX_CLICKS);
    assert_eq!(a.rage_click.unwrap().window_ms, 1000);
    assert_eq!(a.scroll_depth.unwrap().milestones.percents(), vec![10, 90]);
}

#[test]
fn consent_settings() {
    let c = with_endpoint("/c").unwrap();
    assert_eq!(c.consent.mode, Mode::OptOut);
    assert_eq!(c.consent.gpc, Reach::Marketing);
    assert_eq!(c.consent.dnt, Reach::Ignore);
    assert!(!c.cookieless && !c.anonymize_ip);
    #[cfg(feature = "datalayer")]
    assert!(!c.consent_mode_bridge && c.data_layer_name == "dataLayer");
    let opt_in = |m: &str| {
        Config::resolve(Options {
            endpoint: Some("/c".into()),
            consent_mode: Some(m.into()),
            ..Options::default()
        })
    };
    assert_eq!(opt_in("opt-in").unwrap().consent.mode, Mode::OptIn);
    assert_eq!(opt_in("optin"), Err(ConfigError::InvalidConsentMode));
    assert!(ConfigError::InvalidConsentMode
        .as_str()
        .contains("`consent.mode`"));
}

/// Every option a capability reads, each turning it on.
#[cfg(footfall_partial)]
fn every_capability_asked_for() -> Options {
    Options {
        endpoint: Some("/c".into()),
        debug: Some(true),
        session_timeout_min: Some(45.0),
        internal_domains: Some(vec!["pay.example".into()]),
        consent_mode_bridge: Some(true),
        data_layer: Some(DataLayerOptions {
            ecommerce: Some(true),
            ..DataLayerOptions::on()
        }),
        autocapture: AutocaptureOptions {
            errors: Some(true),
            forms: Some(true),
            web_vitals: Some(true),
            heatmap: Some(true),
            page_views: Some(true),
            history: Some(true),
            scroll_depth: Some(true),
            rage_click: Some(true),
            exit_intent: Some(true),
            page_leave: Some(true),
            clicks: Some(true),
            ..AutocaptureOptions::default()
        },
        ..Options::default()
    }
}

#[cfg(footfall_partial)]
#[test]
fn options_for_capabilities_this_build_lacks_are_ignored_and_named() {
    let c = Config::resolve(every_capability_asked_for()).unwrap();
    let mut expected: Vec<&str> = Vec::new();
    #[cfg(not(feature = "signals"))]
    expected.extend([
        "autocapture.history",
        "autocapture.scrollDepth",
        "autocapture.rageClick",
        "autocapture.exitIntent",
        "autocapture.pageLeave",
        "autocapture.clicks",
    ]);
    #[cfg(not(feature = "attribution"))]
    expected.extend(["sessionTimeoutMin", "attribution.internalDomains"]);
    #[cfg(not(feature = "datalayer"))]
    expected.push("dataLayer");
    #[cfg(all(feature = "datalayer", not(feature = "ecommerce")))]
    expected.push("dataLayer.ecommerce");
    #[cfg(not(feature = "errors"))]
    expected.push("autocapture.errors");
    #[cfg(not(feature = "forms"))]
    expected.push("autocapture.forms");
    #[cfg(not(feature = "vitals"))]
    expected.push("autocapture.webVitals");
    #[cfg(not(feature = "heatmap"))]
    expected.push("autocapture.heatmap");
    assert_eq!(c.ignored, expected);
    assert!(c.page_views, "page views are the core's");

    // Turned off, or not given, they ask for nothing.
    let off = Config::resolve(Options {
        endpoint: Some("/c".into()),
        consent_mode_bridge: Some(false),
        autocapture: AutocaptureOptions {
            rage_click: Some(false),
            ..AutocaptureOptions::default()
        },
        ..Options::default()
    })
    .unwrap();
    assert!(off.ignored.is_empty(), "{:?}", off.ignored);
}

#[test]
fn messages_name_the_option() {
    assert!(ConfigError::MissingEndpoint.as_str().contains("`endpoint`"));
    assert!(ConfigError::InvalidEndpoint.as_str().contains("`endpoint`"));
}
