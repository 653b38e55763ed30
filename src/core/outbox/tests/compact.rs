//! The compact form: unload beacons and bursts carrying the shared context once.

use super::*;

/// An event of `size` bytes whose last member is a shared context of
/// `shared` bytes, with its compact cut.
fn cev(n: usize, size: usize, shared: &str) -> (String, Compact) {
    let head = format!("{{\"n\":{n},\"pad\":\"");
    let tail = format!("\",\"context\":{{{shared}}}}}");
    let pad = size - head.len() - tail.len();
    let json = format!("{head}{}{tail}", "x".repeat(pad));
    let (start, end) = (json.len() - tail.len() + 1, json.len() - 1);
    (
        json,
        Compact {
            context: 1,
            cut: (start, end),
        },
    )
}

fn body(o: &Outbox, b: BatchId) -> serde_json::Value {
    let mut out = String::from("{\"batch\":[");
    o.write_events(b, &mut out);
    out.push(']');
    if let Some(c) = o.batch_context(b) {
        out.push_str(",\"context\":{");
        out.push_str(c);
        out.push('}');
    }
    out.push('}');
    serde_json::from_str(&out).unwrap()
}

#[test]
fn unload_beacons_switch_to_the_compact_form_only_when_needed() {
    let shared = format!(
        "\"page\":{{\"url\":\"https://x.example/{}\"}}",
        "p".repeat(380)
    );
    let frame = FRAME;
    // Few events: normal form, every event keeps its context.
    let mut o = Outbox::new(limits(1000, 48_000), frame);
    o.register_context(1, &shared);
    for n in 0..10 {
        let (json, c) = cev(n, 600, &shared);
        o.push(json, Some(c), WallMs(0));
    }
    let b = o.take_beacon().unwrap();
    let v = body(&o, b);
    assert_eq!(v["batch"].as_array().unwrap().len(), 10);
    assert!(v.get("context").is_none());
    assert!(v["batch"][0]["context"]["page"]["url"].is_string());

    // 200 events of 600 bytes (120 KB) cannot fit 64 KiB; compact, they do.
    let mut o = Outbox::new(limits(1000, 60_000), frame);
    o.register_context(1, &shared);
    for n in 0..200 {
        let (json, c) = cev(n, 600, &shared);
        o.push(json, Some(c), WallMs(0));
    }
    let mut delivered = Vec::new();
    let mut bytes = 0;
    while let Some(b) = o.take_beacon() {
        bytes += o.batch_bytes(b);
        let v = body(&o, b);
        assert!(
            v["batch"][0].get("context").is_none(),
            "compact events carry no context"
        );
        assert!(
            v["context"]["page"]["url"].is_string(),
            "the batch carries it once"
        );
        delivered.extend(
            v["batch"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["n"].as_u64().unwrap()),
        );
        assert_eq!(
            o.on_beacon(b, true, WallMs(0)) as usize,
            v["batch"].as_array().unwrap().len()
        );
    }
    assert_eq!(delivered, (0..200).collect::<Vec<_>>());
    assert!(bytes <= KEEPALIVE_QUOTA_BYTES, "{bytes}");
}

#[test]
fn a_burst_goes_out_in_the_compact_form_in_fewer_fetches() {
    let shared = format!(
        "\"page\":{{\"url\":\"https://x.example/{}\"}}",
        "p".repeat(380)
    );
    // A few events: the normal form, as before.
    let mut o = Outbox::new(limits(5, 48_000), FRAME);
    o.register_context(1, &shared);
    for n in 0..5 {
        let (json, c) = cev(n, 600, &shared);
        o.push(json, Some(c), WallMs(0));
    }
    let b = o.take_fetch(WallMs(0)).unwrap();
    let v = body(&o, b);
    assert_eq!(v["batch"].as_array().unwrap().len(), 5);
    assert!(v.get("context").is_none());

    // 200 events of 600 bytes: the 16 KiB budget takes 26 in the normal
    // form; compact, each request carries about three times that.
    let mut o = Outbox::new(limits(20, 48_000), FRAME);
    o.register_context(1, &shared);
    for n in 0..200 {
        let (json, c) = cev(n, 600, &shared);
        o.push(json, Some(c), WallMs(0));
    }
    let mut delivered = Vec::new();
    let mut requests = 0;
    // At 5 s the interval has passed: the last few go too.
    while let Some(b) = o.take_fetch(WallMs(5000)) {
        requests += 1;
        assert!(o.batch_bytes(b) <= FETCH_BUDGET_BYTES);
        let v = body(&o, b);
        let batch = v["batch"].as_array().unwrap();
        if o.queue.is_empty() {
            // The rest fitted in the normal form.
        } else {
            assert!(
                batch[0].get("context").is_none(),
                "compact events carry no context"
            );
            assert!(
                v["context"]["page"]["url"].is_string(),
                "the batch carries it once"
            );
        }
        delivered.extend(batch.iter().map(|e| e["n"].as_u64().unwrap()));
        o.on_response(b, 200, None, WallMs(5000), 0, false);
    }
    assert_eq!(delivered, (0..200).collect::<Vec<_>>());
    assert!(requests <= 3, "{requests} requests for 200 events");
}

#[test]
fn no_sliver_fetch_while_another_is_in_flight() {
    // A page view's events as a burst leaves them: 830 bytes each, 600 of
    // them the shared context; the session's first event has a context of
    // its own (with `start`), so it leaves alone.
    let shared = format!(
        "\"page\":{{\"url\":\"https://x.example/{}\"}}",
        "p".repeat(570)
    );
    let mut o = Outbox::new(limits(20, 48_000), FRAME);
    o.register_context(1, &shared);
    o.register_context(2, &shared);
    for n in 0..200 {
        let (json, mut c) = cev(n, 830, &shared);
        c.context = if n == 0 { 2 } else { 1 };
        o.push(json, Some(c), WallMs(0));
    }
    let start = o.take_fetch(WallMs(0)).unwrap();
    assert_eq!(events(&o, start), [0]);
    let full = o.take_fetch(WallMs(0)).unwrap();
    assert!(events(&o, full).len() > 60, "compact, the budget's worth");
    // The first answer frees room for one event in the normal form, not
    // for flushAt's 20: nothing goes until the big one is answered.
    o.on_response(start, 200, None, WallMs(5), 0, false);
    assert!(o.take_fetch(WallMs(5)).is_none());
    o.on_response(full, 200, None, WallMs(6), 0, false);
    let next = o.take_fetch(WallMs(6)).unwrap();
    assert!(events(&o, next).len() > 60);
}

#[test]
fn a_short_first_context_run_goes_alone_so_the_rest_is_compacted() {
    // A session's first event has a shared context of its own (with
    // `start`); the 199 after it share another. Sending the first run
    // alone lets the rest go compact and fit the quota.
    let shared = format!(
        "\"page\":{{\"url\":\"https://x.example/{}\"}}",
        "p".repeat(380)
    );
    let start = shared.replace("x.example", "y.example");
    let mut o = Outbox::new(limits(1000, 60_000), FRAME);
    o.register_context(2, &start);
    o.register_context(1, &shared);
    for n in 0..200 {
        let (json, mut c) = cev(n, 600, if n == 0 { &start } else { &shared });
        if n == 0 {
            c.context = 2;
        }
        o.push(json, Some(c), WallMs(0));
    }
    let mut delivered = Vec::new();
    let mut bytes = 0;
    let mut sizes = Vec::new();
    while let Some(b) = o.take_beacon() {
        bytes += o.batch_bytes(b);
        let v = body(&o, b);
        let events = v["batch"].as_array().unwrap();
        sizes.push(events.len());
        delivered.extend(events.iter().map(|e| e["n"].as_u64().unwrap()));
        o.on_beacon(b, true, WallMs(0));
    }
    assert_eq!(sizes[0], 1, "{sizes:?}");
    assert_eq!(delivered, (0..200).collect::<Vec<_>>(), "{sizes:?}");
    assert!(bytes <= KEEPALIVE_QUOTA_BYTES, "{bytes}");
}

#[test]
fn compact_batch_bytes_are_exact() {
    let shared = "\"k\":\"shared\"";
    let mut o = Outbox::new(limits(1000, 2000), 20);
    o.register_context(1, shared);
    for n in 0..10 {
        let (json, c) = cev(n, 300, shared);
        o.push(json, Some(c), WallMs(0));
    }
    while let Some(b) = o.take_beacon() {
        let mut out = String::from("{\"batch\":[");
        o.write_events(b, &mut out);
        out.push(']');
        if let Some(c) = o.batch_context(b) {
            out.push_str(",\"context\":{");
            out.push_str(c);
            out.push('}');
        }
        // A 20-byte frame: 10 for `{"batch":[`, the `]`, and 9 of tail.
        assert_eq!(o.batch_bytes(b), out.len() + 9);
        assert!(o.batch_bytes(b) <= 2000);
        o.on_beacon(b, true, WallMs(0));
    }
    assert!(o.is_empty());
}
