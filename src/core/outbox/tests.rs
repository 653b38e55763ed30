//! The outbox on simulated time: shared helpers and the send triggers and
//! limits here; the compact form, answers and persistence in `tests/`.

use super::*;

mod answers;
mod compact;
mod persist;

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
