//! Delivery: beacons when hidden or unloading, shutdown.

use super::*;

#[test]
fn unload_beacons_what_fits_and_leaves_the_rest_stored() {
    let mut e = engine(|o| o.flush_at = Some(1000.0));
    let pad = format!(r#"{{"pad":"{}"}}"#, "x".repeat(1500));
    for n in 0..100 {
        track(&mut e, 0, "e", Some(&pad), n);
    }
    drain(&mut e);
    e.handle(WallMs(1), Input::Unload { unsent: &[] });
    let mut beaconed = 0;
    let mut stored_segments = std::collections::BTreeSet::new();
    let mut beacon_bytes = 0;
    loop {
        let effects = drain(&mut e);
        for eff in &effects {
            match eff {
                Effect::Store { key, .. } if key.starts_with(crate::core::tabs::SEGMENT_PREFIX) => {
                    stored_segments.insert(key.clone());
                }
                Effect::Remove { key } => {
                    stored_segments.remove(key);
                }
                _ => {}
            }
        }
        let Some(Effect::Beacon { batch, body }) =
            effects.iter().find(|e| matches!(e, Effect::Beacon { .. }))
        else {
            break;
        };
        beacon_bytes += body.len();
        beaconed += serde_json::from_str::<Value>(body).unwrap()["batch"]
            .as_array()
            .unwrap()
            .len();
        e.handle(
            WallMs(1),
            Input::BeaconResult {
                batch: *batch,
                accepted: true,
            },
        );
    }
    assert!(
        beacon_bytes <= crate::core::config::KEEPALIVE_QUOTA_BYTES,
        "{beacon_bytes}"
    );
    assert!(beaconed > 30 && beaconed < 100, "{beaconed}");
    assert_eq!(e.stats().sent as usize, beaconed);
    assert!(
        !stored_segments.is_empty(),
        "the rest stays stored for the next page"
    );
    assert_eq!(e.stats().queued, 0, "handed over to storage");
}

#[test]
fn hidden_beacons_and_keeps_running() {
    let mut e = engine(|_| {});
    track(&mut e, 0, "e", None, 1);
    e.handle(WallMs(1), Input::Hidden);
    let effects = drain(&mut e);
    let b = sends(&effects);
    assert_eq!(b.len(), 1);
    e.handle(
        WallMs(1),
        Input::BeaconResult {
            batch: b[0].0,
            accepted: true,
        },
    );
    let effects = drain(&mut e);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Remove { key } if key == "footfall.q.tab1.1")),
        "{effects:?}"
    );
    assert_eq!(e.stats().sent, 1);
    track(&mut e, 2, "later", None, 2);
    assert_eq!(e.stats().queued, 1);
}

#[test]
fn shutdown_stops_everything() {
    let mut e = engine(|_| {});
    track(&mut e, 0, "e", None, 1);
    e.handle(WallMs(0), Input::Flush { ticket: 3 });
    let sent = sends(&drain(&mut e));
    e.handle(WallMs(1), Input::Shutdown);
    assert!(drain(&mut e).contains(&Effect::FlushDone(3)));
    assert!(e.is_stopped());
    track(&mut e, 2, "ignored", None, 2);
    e.handle(
        WallMs(3),
        Input::Response {
            batch: sent[0].0,
            status: 200,
            retry_after: None,
            closing: false,
        },
    );
    assert!(drain(&mut e).is_empty());
    assert_eq!(e.poll_timeout(), None);
}
