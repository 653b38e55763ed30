//! Tracking calls end to end: the envelope, batching, bad input, identify and
//! reset, page events, flush.

use super::*;

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
            fresh_id: [0xab; 16],
            tab: "t",
            seed: 1,
            online: true,
            ..Boot::default()
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
