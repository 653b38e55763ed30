//! Persistence, unload, beacons, hand-over, restored events, flush tickets.

use super::*;

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
