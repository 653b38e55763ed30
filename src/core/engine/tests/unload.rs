//! The engine at unload: storage before network, cut-off requests, batches
//! still being compressed, answers after the page left.

use super::*;

/// The index of the first beacon among `effects`.
fn first_beacon(effects: &[Effect]) -> Option<usize> {
    effects
        .iter()
        .position(|e| matches!(e, Effect::Beacon { .. }))
}

/// Events stored under the outbox prefix, by message id, across `effects`
/// applied in order to an empty storage.
fn stored_after(effects: &[Effect], mut storage: Vec<(String, String)>) -> Vec<(String, String)> {
    for e in effects {
        match e {
            Effect::Store { key, value } => {
                storage.retain(|(k, _)| k != key);
                storage.push((key.clone(), value.clone()));
            }
            Effect::Remove { key } => storage.retain(|(k, _)| k != key),
            _ => {}
        }
    }
    storage
}

fn stored_events(storage: &[(String, String)]) -> usize {
    storage
        .iter()
        .filter(|(k, _)| k.starts_with(crate::core::tabs::SEGMENT_PREFIX))
        .map(|(_, v)| v.lines().count())
        .sum()
}

fn heartbeat(storage: &[(String, String)]) -> Option<&str> {
    storage
        .iter()
        .find(|(k, _)| k == "footfall.hb.tab1")
        .map(|(_, v)| v.as_str())
}

/// Tracks `n` events and lets the drain send what is due.
fn burst(e: &mut Engine, n: u8) -> Vec<Effect> {
    for i in 0..n {
        track(
            e,
            0,
            "burst",
            Some(r#"{"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#),
            i,
        );
    }
    e.handle(WallMs(0), Input::Drain);
    drain(e)
}

#[test]
fn unload_writes_storage_and_a_leaving_heartbeat_before_any_beacon() {
    // Firefox ends a closing tab's pagehide listener wherever it is: before
    // any beacon, storage holds what is not known to be delivered, and the
    // heartbeat says `leaving` (adopted in 2 s if the page never finishes;
    // `closed` at once would let another tab take what the beacons carry).
    let mut e = engine(|o| o.flush_at = Some(1000.0));
    let before = stored_after(&burst(&mut e, 30), Vec::new());
    e.handle(WallMs(1), Input::Unload { unsent: &[] });
    let effects = drain(&mut e);
    let at = first_beacon(&effects).expect("a beacon");
    assert_eq!(
        effects.first(),
        Some(&Effect::Store {
            key: "footfall.hb.tab1".into(),
            value: "leaving:1".into()
        }),
        "the heartbeat is the first write"
    );
    let until_beacon = stored_after(&effects[..at], before.clone());
    assert_eq!(
        stored_events(&until_beacon),
        30,
        "all stored before the beacon"
    );
    assert_eq!(
        heartbeat(&until_beacon),
        Some("leaving:1"),
        "leaving before the beacon"
    );
    // The beacon accepted: nothing is left stored, nothing closed.
    let Effect::Beacon { batch, .. } = effects[at] else {
        unreachable!()
    };
    e.handle(
        WallMs(2),
        Input::BeaconResult {
            batch,
            accepted: true,
        },
    );
    let after = stored_after(&drain(&mut e), stored_after(&effects, before));
    assert_eq!(stored_events(&after), 0);
    assert_eq!(heartbeat(&after), None, "nothing handed over: no heartbeat");
}

#[test]
fn a_beacon_cut_off_goes_again_and_storage_ends_clean() {
    // Firefox ends the pagehide listener inside sendBeacon when a tab closes
    // and runs visibilitychange next: that callback reports the cut-off.
    let mut e = engine(|o| o.flush_at = Some(1000.0));
    let before = stored_after(&burst(&mut e, 10), Vec::new());
    e.handle(WallMs(1), Input::Unload { unsent: &[] });
    let effects = drain(&mut e);
    let Some(Effect::Beacon { batch, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Beacon { .. }))
        .cloned()
    else {
        panic!("a beacon")
    };
    let storage = stored_after(&effects, before);
    assert_eq!(stored_events(&storage), 10, "stored until known to be sent");
    e.handle(WallMs(2), Input::BeaconCutOff { batch });
    let later = drain(&mut e);
    let again = sends(&later);
    assert_eq!(again.len(), 1, "sent again");
    assert_eq!(again[0].1["batch"].as_array().map(Vec::len), Some(10));
    let storage = stored_after(&later, storage);
    e.handle(
        WallMs(3),
        Input::BeaconResult {
            batch: again[0].0,
            accepted: true,
        },
    );
    let storage = stored_after(&drain(&mut e), storage);
    assert_eq!(stored_events(&storage), 0);
    assert_eq!(e.stats().sent, 10);
}

/// Runs 12 events through fetches of 5 (one answered 503 first when
/// `failing`), then answers every fetch in flight with a network error while
/// the window closes, then unloads and accepts the beacons. Returns the
/// events in the fetches, those stored at the end, and the heartbeat.
fn cut_off_while_closing(failing: bool) -> (usize, usize, Option<String>, Stats) {
    let mut e = engine(|o| o.flush_at = Some(5.0));
    let effects = burst(&mut e, 12);
    let mut fetches = sends(&effects);
    let mut storage = stored_after(&effects, Vec::new());
    if failing {
        for (batch, _) in fetches.drain(..) {
            e.handle(
                WallMs(1),
                Input::Response {
                    batch,
                    status: 503,
                    retry_after: None,
                    closing: false,
                },
            );
            storage = stored_after(&drain(&mut e), storage);
        }
        // The retry after the backoff is in flight when the window closes.
        e.handle(WallMs(5_000), Input::Tick);
        let effects = drain(&mut e);
        fetches = sends(&effects);
        storage = stored_after(&effects, storage);
    }
    for (batch, _) in &fetches {
        e.handle(
            WallMs(5),
            Input::Response {
                batch: *batch,
                status: 0,
                retry_after: None,
                closing: true,
            },
        );
    }
    storage = stored_after(&drain(&mut e), storage);
    e.handle(WallMs(6), Input::Unload { unsent: &[] });
    let effects = drain(&mut e);
    storage = stored_after(&effects, storage);
    for (batch, _) in sends(&effects) {
        e.handle(
            WallMs(7),
            Input::BeaconResult {
                batch,
                accepted: true,
            },
        );
        storage = stored_after(&drain(&mut e), storage);
    }
    let in_fetches = fetches
        .iter()
        .map(|(_, b)| b["batch"].as_array().map_or(0, Vec::len))
        .sum();
    (
        in_fetches,
        stored_events(&storage),
        heartbeat(&storage).map(str::to_owned),
        e.stats(),
    )
}

#[test]
fn a_network_error_while_closing_is_no_failure_and_the_rest_still_leaves() {
    // Chromium rejects a keepalive fetch's promise when a window closes
    // itself, although the request goes on and reaches the collector: like
    // a fetch in flight at unload, it is trusted while the collector is
    // healthy, and the beacons still carry the rest.
    let (in_fetches, stored, heartbeat, stats) = cut_off_while_closing(false);
    assert!(in_fetches > 0);
    assert_eq!(stats.retried, 0, "not a failure");
    assert_eq!(
        stats.sent as usize,
        12 - in_fetches,
        "the rest left by beacon"
    );
    assert_eq!(stored, 0);
    assert_eq!(heartbeat, None);
}

#[test]
fn a_network_error_while_closing_a_failing_collector_keeps_its_events() {
    let (in_fetches, stored, heartbeat, stats) = cut_off_while_closing(true);
    assert!(in_fetches > 0);
    assert_eq!(stats.sent, 0, "no beacon while the collector fails");
    assert_eq!(stored, 12, "everything stays stored for the next page");
    assert_eq!(heartbeat.as_deref(), Some(CLOSED));
}

#[test]
fn a_batch_still_being_compressed_at_unload_leaves_by_beacon() {
    let mut e = engine(|o| o.flush_at = Some(5.0));
    let effects = burst(&mut e, 5);
    let fetches = sends(&effects);
    assert_eq!(fetches.len(), 1);
    let batch = fetches[0].0;
    let storage = stored_after(&effects, Vec::new());
    e.handle(WallMs(1), Input::Unload { unsent: &[batch] });
    let effects = drain(&mut e);
    let beacons = sends(&effects);
    assert_eq!(beacons.len(), 1);
    assert_eq!(beacons[0].1["batch"].as_array().map(Vec::len), Some(5));
    e.handle(
        WallMs(2),
        Input::BeaconResult {
            batch: beacons[0].0,
            accepted: true,
        },
    );
    let storage = stored_after(&drain(&mut e), stored_after(&effects, storage));
    assert_eq!(stored_events(&storage), 0);
    // A late answer for the reclaimed batch changes nothing.
    e.handle(
        WallMs(3),
        Input::Response {
            batch,
            status: 0,
            retry_after: None,
            closing: true,
        },
    );
    let storage = stored_after(&drain(&mut e), storage);
    assert_eq!(stored_events(&storage), 0);
    assert_eq!(e.stats().sent, 5);
}

#[test]
fn a_failure_answered_after_the_page_left_is_stored_under_a_closed_heartbeat() {
    // A fetch in flight at pagehide while the collector is failing; its 503
    // comes while the page is still around: stored again, heartbeat closed
    // (a live heartbeat would hide the events from the next page for minutes).
    let mut e = engine(|o| o.flush_at = Some(5.0));
    let effects = burst(&mut e, 5);
    let first = sends(&effects)[0].0;
    let storage = stored_after(&effects, Vec::new());
    e.handle(
        WallMs(1),
        Input::Response {
            batch: first,
            status: 503,
            retry_after: None,
            closing: false,
        },
    );
    let storage = stored_after(&drain(&mut e), storage);
    // The retry goes out, then the page leaves with it in flight.
    e.handle(WallMs(5_000), Input::Tick);
    let effects = drain(&mut e);
    let retry = sends(&effects)[0].0;
    let storage = stored_after(&effects, storage);
    e.handle(WallMs(5_001), Input::Unload { unsent: &[] });
    let storage = stored_after(&drain(&mut e), storage);
    e.handle(
        WallMs(5_002),
        Input::Response {
            batch: retry,
            status: 503,
            retry_after: None,
            closing: false,
        },
    );
    let storage = stored_after(&drain(&mut e), storage);
    assert_eq!(stored_events(&storage), 5);
    assert_eq!(heartbeat(&storage), Some(CLOSED));
    assert_eq!(e.poll_timeout(), None, "no timer for a page that left");
}

#[test]
fn an_acknowledgement_after_the_page_left_leaves_nothing_stored() {
    let mut e = engine(|o| o.flush_at = Some(5.0));
    let effects = burst(&mut e, 5);
    let batch = sends(&effects)[0].0;
    let storage = stored_after(&effects, Vec::new());
    e.handle(WallMs(1), Input::Unload { unsent: &[] });
    let storage = stored_after(&drain(&mut e), storage);
    assert_eq!(
        stored_events(&storage),
        0,
        "released: the browser completes it"
    );
    e.handle(
        WallMs(2),
        Input::Response {
            batch,
            status: 200,
            retry_after: None,
            closing: false,
        },
    );
    let storage = stored_after(&drain(&mut e), storage);
    assert_eq!(stored_events(&storage), 0);
    assert_eq!(e.stats().sent, 5);
}

#[test]
fn back_from_the_cache_the_page_takes_a_new_id() {
    let mut e = engine(|o| o.flush_at = Some(1000.0));
    burst(&mut e, 2);
    e.handle(WallMs(1), Input::Unload { unsent: &[] });
    drain(&mut e);
    e.handle(
        WallMs(2),
        Input::Resume {
            fresh_tab: [0xab; 16],
        },
    );
    assert_eq!(e.tab(), "abababab");
    track(&mut e, 3, "later", None, 40);
    e.handle(WallMs(3), Input::Drain);
    let storage = stored_after(&drain(&mut e), Vec::new());
    assert!(storage.iter().any(|(k, _)| k == "footfall.hb.abababab"));
    assert!(storage
        .iter()
        .any(|(k, _)| k.starts_with("footfall.q.abababab.")));
}
