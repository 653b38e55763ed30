//! The outbox on simulated time: triggers, limits, the compact form,
//! answers, persistence.

use super::*;

const FRAME: usize = 60;

fn limits(flush_at: usize, max_batch_bytes: usize) -> Limits {
    Limits {
        flush_at,
        flush_interval_ms: 3000,
        max_batch_bytes,
        max_queue_events: 1000,
    }
}

/// An event of exactly `size` bytes, tagged with `n`.
fn ev(n: usize, size: usize) -> String {
    let head = format!("{{\"n\":{n},\"pad\":\"");
    let pad = size - head.len() - 2;
    format!("{head}{}\"}}", "x".repeat(pad))
}

fn tag(json: &str) -> usize {
    json[5..json.find(',').unwrap()].parse().unwrap()
}

fn events(o: &Outbox, id: BatchId) -> Vec<usize> {
    o.batch_events(id).map(tag).collect()
}

fn body_len(o: &Outbox, id: BatchId) -> usize {
    let joined: Vec<&str> = o.batch_events(id).collect();
    FRAME + joined.join(",").len()
}

#[test]
fn count_trigger() {
    let mut o = Outbox::new(limits(3, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    o.push(ev(2, 100), None, WallMs(0));
    assert_eq!(o.take_fetch(WallMs(10)), None);
    assert_eq!(o.poll_timeout(), Some(WallMs(3000)));
    o.push(ev(3, 100), None, WallMs(10));
    assert_eq!(o.poll_timeout(), Some(WallMs(0)));
    let b = o.take_fetch(WallMs(10)).unwrap();
    assert_eq!(events(&o, b), [1, 2, 3]);
    assert_eq!(o.take_fetch(WallMs(10)), None);
    assert_eq!(o.poll_timeout(), None);
}

#[test]
fn interval_trigger_counts_from_the_oldest_event() {
    let mut o = Outbox::new(limits(20, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(1000));
    o.push(ev(2, 100), None, WallMs(2500));
    assert_eq!(o.poll_timeout(), Some(WallMs(4000)));
    assert_eq!(o.take_fetch(WallMs(3999)), None);
    let b = o.take_fetch(WallMs(4000)).unwrap();
    assert_eq!(events(&o, b), [1, 2]);
}

#[test]
fn byte_limit_is_respected_exactly() {
    // 10 events of 1000 bytes: a body holds n events in FRAME + 1000n + (n-1) bytes.
    for max in [1060, 2060, 2061, 5064, 5065, 10_069] {
        let mut o = Outbox::new(limits(1000, max), FRAME);
        for n in 0..10 {
            o.push(ev(n, 1000), None, WallMs(0));
        }
        let mut seen = Vec::new();
        while let Some(b) = o.take_fetch(WallMs(3000)) {
            assert_eq!(
                o.batch_bytes(b),
                body_len(&o, b),
                "accounting matches the body"
            );
            assert!(o.batch_bytes(b) <= max, "{max}: {}", o.batch_bytes(b));
            let n = events(&o, b).len();
            let one_more = FRAME + 1000 * (n + 1) + n;
            assert!(
                one_more > max || seen.len() + n == 10,
                "{max}: batch of {n} could hold one more"
            );
            seen.extend(events(&o, b));
            o.on_response(b, 200, None, WallMs(3000), 0, false);
        }
        assert_eq!(seen, (0..10).collect::<Vec<_>>(), "{max}");
    }
}

#[test]
fn bytes_make_a_batch_due_before_the_count() {
    let mut o = Outbox::new(limits(1000, 2100), FRAME);
    o.push(ev(1, 1000), None, WallMs(0));
    assert_eq!(o.take_fetch(WallMs(1)), None);
    o.push(ev(2, 1000), None, WallMs(0));
    o.push(ev(3, 1000), None, WallMs(0));
    let b = o.take_fetch(WallMs(1)).unwrap();
    assert_eq!(events(&o, b), [1, 2]);
}

#[test]
fn fetches_in_flight_stay_within_a_quarter_of_the_keepalive_quota() {
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    for n in 0..10 {
        o.push(ev(n, 10_000), None, WallMs(0));
    }
    let mut in_flight = Vec::new();
    while let Some(b) = o.take_fetch(WallMs(0)) {
        in_flight.push(b);
    }
    let total: usize = in_flight.iter().map(|&b| o.batch_bytes(b)).sum();
    assert!(total <= FETCH_BUDGET_BYTES, "{total}");
    assert_eq!(
        in_flight
            .iter()
            .map(|&b| events(&o, b).len())
            .sum::<usize>(),
        1,
        "one 10 KB event fits 16 KiB, two do not"
    );
    assert!(
        o.quota_left() >= 3 * KEEPALIVE_QUOTA_BYTES / 4,
        "three quarters stay for unload beacons"
    );
    o.on_response(in_flight[0], 200, None, WallMs(5), 0, false);
    assert!(
        o.take_fetch(WallMs(5)).is_some(),
        "room again after an answer"
    );
}

#[test]
fn an_event_larger_than_the_budget_still_leaves_alone() {
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 40_000), None, WallMs(0));
    o.push(ev(2, 40_000), None, WallMs(0));
    let b = o.take_fetch(WallMs(0)).unwrap();
    assert_eq!(events(&o, b), [1]);
    assert_eq!(o.take_fetch(WallMs(0)), None, "one at a time");
    o.on_response(b, 200, None, WallMs(1), 0, false);
    assert!(o.take_fetch(WallMs(1)).is_some());
}

#[test]
fn a_navigation_holds_fetches_but_not_beacons() {
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    o.hold(WallMs(1000));
    assert_eq!(o.take_fetch(WallMs(10)), None);
    assert_eq!(o.poll_timeout(), Some(WallMs(1000)));
    let t = o.start_flush();
    assert_eq!(
        o.take_fetch(WallMs(10)),
        None,
        "even a flush waits for pagehide"
    );
    assert!(!o.is_settled(t));
    assert!(o.take_beacon().is_some(), "pagehide beacons at once");
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    o.hold(WallMs(1000));
    assert!(
        o.take_fetch(WallMs(1000)).is_some(),
        "a cancelled navigation only delays sending"
    );
}

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

#[test]
fn retry_keeps_order_and_waits_for_backoff() {
    let mut o = Outbox::new(limits(2, 48_000), FRAME);
    for n in 0..4 {
        o.push(ev(n, 100), None, WallMs(0));
    }
    let b1 = o.take_fetch(WallMs(0)).unwrap();
    let answer = o.on_response(b1, 503, None, WallMs(0), 0, false);
    assert_eq!(answer.verdict, Verdict::Retry);
    assert_eq!(answer.tally.retried, 4);
    assert_eq!(answer.retry_in_ms, Some(750));
    assert_eq!(o.take_fetch(WallMs(749)), None);
    assert_eq!(o.poll_timeout(), Some(WallMs(750)));
    let b2 = o.take_fetch(WallMs(750)).unwrap();
    assert_eq!(events(&o, b2), [0, 1, 2, 3]);
    let again = o.on_response(b2, 500, None, WallMs(750), 0, false);
    assert_eq!(again.retry_in_ms, Some(1500), "doubles");
    let b3 = o.take_fetch(WallMs(2250)).unwrap();
    assert_eq!(
        o.on_response(b3, 200, None, WallMs(2300), 0, false)
            .tally
            .sent,
        4
    );
    assert!(o.is_empty());
    assert!(!o.is_failing());
}

#[test]
fn retry_after_is_honoured() {
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    let b = o.take_fetch(WallMs(0)).unwrap();
    o.on_response(b, 429, Some(2000), WallMs(100), 0, false);
    assert_eq!(o.poll_timeout(), Some(WallMs(2100)));
    assert_eq!(o.take_fetch(WallMs(2099)), None);
    assert!(o.take_fetch(WallMs(2100)).is_some());
}

#[test]
fn answers_in_any_order_keep_sequence() {
    let mut o = Outbox::new(limits(1, 1200), FRAME);
    for n in 0..3 {
        o.push(ev(n, 1000), None, WallMs(0));
    }
    let a = o.take_fetch(WallMs(0)).unwrap();
    let b = o.take_fetch(WallMs(0)).unwrap();
    let c = o.take_fetch(WallMs(0)).unwrap();
    o.on_response(c, 503, None, WallMs(0), 0, false);
    o.on_response(a, 503, None, WallMs(0), 0, false);
    o.on_response(b, 0, None, WallMs(0), 0, false);
    let order: Vec<usize> = o.queue.iter().map(|it| tag(&it.json)).collect();
    assert_eq!(order, [0, 1, 2]);
}

#[test]
fn split_on_413_until_delivered_and_drop_a_single_oversized_event() {
    // The collector takes at most 3 events per request.
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    for n in 0..10 {
        o.push(ev(n, 500), None, WallMs(0));
    }
    let mut delivered = Vec::new();
    let mut requests = 0;
    while !o.is_empty() {
        let b = o.take_fetch(WallMs(0)).unwrap();
        requests += 1;
        let ids = events(&o, b);
        let status = if ids.len() > 3 { 413 } else { 200 };
        if status == 200 {
            delivered.extend(ids);
        }
        o.on_response(b, status, None, WallMs(0), 0, false);
        assert!(requests < 30);
    }
    assert_eq!(delivered, (0..10).collect::<Vec<_>>());

    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 500), None, WallMs(0));
    let b = o.take_fetch(WallMs(0)).unwrap();
    let answer = o.on_response(b, 413, None, WallMs(0), 0, false);
    assert_eq!(answer.tally.dropped, 1);
    assert!(o.is_empty());
}

#[test]
fn a_learned_cap_never_blocks_an_event() {
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 300), None, WallMs(0));
    o.push(ev(2, 300), None, WallMs(0));
    let b = o.take_fetch(WallMs(0)).unwrap();
    o.on_response(b, 413, None, WallMs(0), 0, false);
    o.push(ev(3, 5000), None, WallMs(0));
    let mut sent = Vec::new();
    while let Some(b) = o.take_fetch(WallMs(0)) {
        sent.extend(events(&o, b));
        o.on_response(b, 200, None, WallMs(0), 0, false);
    }
    assert_eq!(sent, [1, 2, 3]);
}

#[test]
fn other_4xx_drop_the_batch() {
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    let b = o.take_fetch(WallMs(0)).unwrap();
    let answer = o.on_response(b, 400, None, WallMs(0), 0, false);
    assert_eq!(answer.verdict, Verdict::Drop);
    assert_eq!(answer.tally.dropped, 1);
    assert!(o.is_empty());
    assert!(!o.is_failing());
}

#[test]
fn network_errors_park_the_outbox_until_online() {
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    let mut now = WallMs(0);
    for attempt in 1..=MAX_NETWORK_FAILURES {
        let b = o
            .take_fetch(now)
            .unwrap_or_else(|| panic!("attempt {attempt}"));
        o.on_response(b, 0, None, now, 0, false);
        now = now.plus(120_000);
    }
    assert!(o.is_parked());
    assert_eq!(o.take_fetch(now), None);
    assert_eq!(o.poll_timeout(), None, "no timer while parked");
    assert_eq!(o.len(), 1, "the event is kept");
    o.set_online(false, now);
    o.set_online(true, now);
    assert!(o.take_fetch(now).is_some());
}

#[test]
fn offline_sends_nothing() {
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.set_online(false, WallMs(0));
    o.push(ev(1, 100), None, WallMs(0));
    assert_eq!(o.take_fetch(WallMs(10_000)), None);
    assert_eq!(o.poll_timeout(), None);
    o.set_online(true, WallMs(10_000));
    assert!(o.take_fetch(WallMs(10_000)).is_some());
}

#[test]
fn full_queue_drops_the_oldest() {
    let mut o = Outbox::new(
        Limits {
            max_queue_events: 5,
            ..limits(100, 48_000)
        },
        FRAME,
    );
    let dropped: u32 = (0..7).map(|n| o.push(ev(n, 100), None, WallMs(0))).sum();
    assert_eq!(dropped, 2);
    let tags: Vec<usize> = o.queue.iter().map(|it| tag(&it.json)).collect();
    assert_eq!(tags, [2, 3, 4, 5, 6]);
}

#[test]
fn memory_is_bounded_through_a_long_outage() {
    // Ten minutes of 503s while tracking every second, max 100 events held.
    let mut o = Outbox::new(
        Limits {
            max_queue_events: 100,
            ..limits(20, 48_000)
        },
        FRAME,
    );
    let mut j = crate::core::retry::Jitter::new(3);
    let mut dropped = 0;
    for s in 0..600u64 {
        let now = WallMs(s * 1000);
        dropped += o.push(ev(s as usize, 400), None, now);
        while let Some(b) = o.take_fetch(now) {
            o.on_response(b, 503, None, now, j.next_u32(), false);
        }
        assert!(o.len() <= 100);
        assert!(o.queued_bytes <= 100 * 400);
    }
    assert_eq!(dropped, 500);
}

fn persist(o: &mut Outbox, segment_bytes: usize) -> Vec<StoreOp> {
    let mut ops = Vec::new();
    o.persist(segment_bytes, &mut ops);
    ops
}

fn lines(op: &StoreOp) -> Vec<usize> {
    match op {
        StoreOp::Write { value, .. } => value.split('\n').map(tag).collect(),
        StoreOp::Delete { .. } => Vec::new(),
    }
}

#[test]
fn persistence_writes_segments_and_removes_acknowledged_events() {
    let mut o = Outbox::new(limits(100, 48_000), FRAME);
    for n in 0..5 {
        o.push(ev(n, 100), None, WallMs(0));
    }
    let ops = persist(&mut o, 250);
    assert_eq!(
        ops.len(),
        3,
        "100-byte events, 250-byte segments: 2 + 2 + 1"
    );
    assert_eq!(lines(&ops[0]), [0, 1]);
    assert_eq!(lines(&ops[1]), [2, 3]);
    assert_eq!(lines(&ops[2]), [4]);
    assert!(persist(&mut o, 250).is_empty(), "nothing changed");

    // A batch of three: segment 1 gone, segment 2 rewritten with event 3.
    o.body_cap = FRAME + 3 * 100 + 2;
    let b = o.take_fetch(WallMs(3000)).unwrap();
    assert_eq!(events(&o, b), [0, 1, 2]);
    assert!(persist(&mut o, 250).is_empty(), "in flight is still stored");
    o.on_response(b, 200, None, WallMs(3000), 0, false);
    let ops = persist(&mut o, 250);
    assert_eq!(
        ops,
        vec![
            StoreOp::Delete { segment: 1 },
            StoreOp::Write {
                segment: 2,
                value: ev(3, 100)
            }
        ]
    );
}

#[test]
fn a_failed_batch_stays_stored() {
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    persist(&mut o, 48_000);
    let b = o.take_fetch(WallMs(0)).unwrap();
    o.on_response(b, 503, None, WallMs(0), 0, false);
    assert!(persist(&mut o, 48_000).is_empty());
}

#[test]
fn unload_releases_in_flight_events_only_while_healthy() {
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    persist(&mut o, 48_000);
    let _b = o.take_fetch(WallMs(0)).unwrap();
    o.release_in_flight();
    assert_eq!(
        persist(&mut o, 48_000),
        vec![StoreOp::Delete { segment: 1 }]
    );

    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    o.push(ev(2, 100), None, WallMs(0));
    persist(&mut o, 48_000);
    let b = o.take_fetch(WallMs(0)).unwrap();
    o.on_response(b, 503, None, WallMs(0), 0, false);
    let _b = o.take_fetch(WallMs(60_000)).unwrap();
    o.release_in_flight();
    assert!(persist(&mut o, 48_000).is_empty(), "failing: keep the copy");
}

#[test]
fn a_released_batch_that_fails_is_stored_again() {
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    persist(&mut o, 48_000);
    let b = o.take_fetch(WallMs(0)).unwrap();
    o.release_in_flight();
    persist(&mut o, 48_000);
    o.on_response(b, 503, None, WallMs(0), 0, false);
    let ops = persist(&mut o, 48_000);
    assert_eq!(ops.len(), 1);
    assert_eq!(lines(&ops[0]), [1]);
}

#[test]
fn beacons_fill_the_quota_and_halve_on_refusal() {
    let mut o = Outbox::new(limits(100, 48_000), FRAME);
    for n in 0..40 {
        o.push(ev(n, 2000), None, WallMs(0));
    }
    let b1 = o.take_beacon().unwrap();
    assert!(o.batch_bytes(b1) <= 48_000);
    assert_eq!(o.on_beacon(b1, true, WallMs(0)), 23);
    let b2 = o.take_beacon().unwrap();
    assert!(o.batch_bytes(b1) + o.batch_bytes(b2) <= KEEPALIVE_QUOTA_BYTES);
    let size = o.batch_bytes(b2);
    assert_eq!(o.on_beacon(b2, false, WallMs(0)), 0);
    let b3 = o.take_beacon().unwrap();
    assert!(o.batch_bytes(b3) <= size / 2);
    assert_eq!(o.on_beacon(b3, false, WallMs(0)), 0);
    let mut tries = 0;
    while let Some(b) = o.take_beacon() {
        o.on_beacon(b, false, WallMs(0));
        tries += 1;
    }
    assert!(tries < 5, "halving stops at a small size");
    assert_eq!(o.len(), 17, "what did not fit is still held");
    o.on_visible();
    assert!(o.take_beacon().is_some(), "full size again once visible");
}

#[test]
fn no_beacon_while_the_collector_fails() {
    let mut o = Outbox::new(limits(1, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    let b = o.take_fetch(WallMs(0)).unwrap();
    o.on_response(b, 503, None, WallMs(0), 0, false);
    assert_eq!(o.take_beacon(), None);
}

#[test]
fn hand_over_empties_the_queue_but_not_storage() {
    let mut o = Outbox::new(limits(100, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    persist(&mut o, 48_000);
    o.hand_over();
    assert!(o.is_empty());
    assert!(
        persist(&mut o, 48_000).is_empty(),
        "the stored copy stays for the next page"
    );
}

#[test]
fn restored_events_go_first() {
    let mut o = Outbox::new(
        Limits {
            max_queue_events: 4,
            ..limits(100, 48_000)
        },
        FRAME,
    );
    o.push(ev(9, 100), None, WallMs(0));
    let old = [ev(1, 100), ev(2, 100), ev(3, 100), ev(4, 100)];
    let dropped = o.restore(old.iter().map(String::as_str), WallMs(0));
    assert_eq!(dropped, 1);
    let tags: Vec<usize> = o.queue.iter().map(|it| tag(&it.json)).collect();
    assert_eq!(tags, [2, 3, 4, 9]);
}

#[test]
fn flush_ticket_settles_after_every_event_had_an_answer() {
    let mut o = Outbox::new(limits(100, 1100), FRAME);
    for n in 0..3 {
        o.push(ev(n, 1000), None, WallMs(0));
    }
    let t = o.start_flush();
    assert!(!o.is_settled(t));
    let a = o.take_fetch(WallMs(0)).unwrap();
    let b = o.take_fetch(WallMs(0)).unwrap();
    o.push(ev(7, 1000), None, WallMs(0));
    o.on_response(a, 200, None, WallMs(1), 0, false);
    assert!(!o.is_settled(t));
    o.on_response(b, 200, None, WallMs(1), 0, false);
    let c = o.take_fetch(WallMs(1)).unwrap();
    assert_eq!(events(&o, c), [2], "forced despite no trigger");
    assert!(!o.is_settled(t));
    o.on_response(c, 200, None, WallMs(2), 0, false);
    assert!(o.is_settled(t), "event 7 came after the flush");
    assert_eq!(
        o.take_fetch(WallMs(2)),
        None,
        "event 7 waits for its trigger"
    );
}

#[test]
fn a_failed_attempt_settles_a_flush() {
    let mut o = Outbox::new(limits(100, 48_000), FRAME);
    o.push(ev(1, 100), None, WallMs(0));
    let t = o.start_flush();
    let a = o.take_fetch(WallMs(0)).unwrap();
    o.on_response(a, 503, None, WallMs(0), 0, false);
    assert!(o.is_settled(t));
    assert_eq!(
        o.take_fetch(WallMs(1)),
        None,
        "no retry storm after a failed flush"
    );
}
