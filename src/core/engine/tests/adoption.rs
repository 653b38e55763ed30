//! Several tabs: heartbeats, unload hand-over, adoption of orphaned outboxes.

use super::*;

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
            Effect::Store { key, value } if key.starts_with(crate::core::tabs::SEGMENT_PREFIX) => {
                Some((key, value))
            }
            _ => None,
        })
        .collect();
    assert_eq!(stored.len(), 1);

    let boot = Boot {
        anonymous_id: Some(AID),
        fresh_id: [9; 16],
        tab: "tab2",
        seed: 5,
        online: true,
        ..Boot::default()
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
