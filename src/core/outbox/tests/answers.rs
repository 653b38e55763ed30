//! Answers: retries, Retry-After, order, 413 splits, 4xx, network errors, bounds.

use super::*;

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
