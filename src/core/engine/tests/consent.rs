//! Consent decided in another tab of the site reaches this page.

use super::*;
use crate::core::consent::Mode;

fn opt_in(o: &mut crate::core::config::Options) {
    o.consent_mode = Some("opt-in".into());
    o.flush_at = Some(1.0);
}

#[test]
fn a_denial_in_another_tab_stops_and_purges_this_one() {
    let mut e = engine(|o| o.flush_at = Some(1000.0));
    track(&mut e, 0, "queued", None, 1);
    e.handle(WallMs(0), Input::Drain);
    drain(&mut e);
    e.handle(
        WallMs(5),
        Input::ConsentRecord {
            record: Some("000;5;"),
            anonymous_id: None,
            fresh_id: [3; 16],
        },
    );
    let effects = drain(&mut e);
    assert!(effects.contains(&Effect::Purge));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Store { key, .. } if key == KEY_CONSENT)),
        "the other tab wrote it"
    );
    assert!(sends(&effects).is_empty());
    assert_eq!(e.stats().queued, 0);
    assert_eq!(e.anonymous_id(), "");
    assert!(!e.consent_json().contains("\"analytics\":true"));
    // Later calls are not recorded, nothing is stored.
    track(&mut e, 6, "after", None, 2);
    e.handle(WallMs(6), Input::Drain);
    assert!(drain(&mut e)
        .iter()
        .all(|e| !matches!(e, Effect::Store { .. } | Effect::Send { .. })));
}

#[test]
fn a_grant_in_another_tab_releases_what_waited_here_without_announcing_it_again() {
    let mut e = engine(opt_in);
    assert_eq!(e.config().consent.mode, Mode::OptIn);
    track(&mut e, 0, "waited", None, 1);
    e.handle(WallMs(0), Input::Drain);
    assert!(sends(&drain(&mut e)).is_empty());
    e.handle(
        WallMs(5),
        Input::ConsentRecord {
            record: Some("100;5;"),
            anonymous_id: Some("22222222-2222-4222-8222-222222222222"),
            fresh_id: [3; 16],
        },
    );
    assert_eq!(
        e.anonymous_id(),
        "22222222-2222-4222-8222-222222222222",
        "the deciding tab's id"
    );
    let bodies = sends(&drain(&mut e));
    let names: Vec<&str> = bodies
        .iter()
        .flat_map(|(_, b)| b["batch"].as_array().into_iter().flatten())
        .filter_map(|ev| ev["event"].as_str())
        .collect();
    assert_eq!(names, ["waited"], "no second consent_updated");
}

#[test]
fn a_record_unchanged_foreign_or_for_another_policy_changes_nothing() {
    let mut e = engine(|o| o.flush_at = Some(1000.0));
    for record in [None, Some("garbage"), Some("000;5;v2"), Some("111;5;")] {
        e.handle(
            WallMs(5),
            Input::ConsentRecord {
                record,
                anonymous_id: None,
                fresh_id: [3; 16],
            },
        );
    }
    let effects = drain(&mut e);
    assert!(!effects.contains(&Effect::Purge));
    track(&mut e, 6, "still", None, 2);
    assert_eq!(e.stats().queued, 1);
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
    let mut e = consent_engine("opt-in", None, Signals::default(), |o| {
        o.data_layer = Some(crate::core::config::DataLayerOptions::on());
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
    #[cfg(feature = "datalayer")]
    assert!(
        !waiting
            .iter()
            .any(|eff| matches!(eff, Effect::DataLayer(DataLayerEffect::Push(_)))),
        "nothing mirrored before consent: {waiting:?}"
    );
    #[cfg(not(feature = "datalayer"))]
    drop(waiting);
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
