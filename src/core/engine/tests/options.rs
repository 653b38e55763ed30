//! Segment's per-call options: a call's own time and page.

use super::*;

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
