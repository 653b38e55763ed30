//! Consent decided in another tab of the site reaches this page.

use super::tests::{drain, engine, sends, track};
use super::*;
use crate::core::consent::Mode;

fn opt_in(o: &mut crate::core::config::Options) {
    o.consent_mode = Some("opt-in".into());
    o.flush_at = Some(1.0);
}

#[test]
fn a_denial_in_another_tab_stops_and_purges_this_one() {
    let mut e = engine(|o| o.flush_at = Some(1000.0));
    track(&mut e, 0, "queued", None, 1);
    e.handle(WallMs(0), Input::Drain);
    drain(&mut e);
    e.handle(
        WallMs(5),
        Input::ConsentRecord {
            record: Some("000;5;"),
            anonymous_id: None,
            fresh_id: [3; 16],
        },
    );
    let effects = drain(&mut e);
    assert!(effects.contains(&Effect::Purge));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Store { key, .. } if key == KEY_CONSENT)),
        "the other tab wrote it"
    );
    assert!(sends(&effects).is_empty());
    assert_eq!(e.stats().queued, 0);
    assert_eq!(e.anonymous_id(), "");
    assert!(!e.consent_json().contains("\"analytics\":true"));
    // Later calls are not recorded, nothing is stored.
    track(&mut e, 6, "after", None, 2);
    e.handle(WallMs(6), Input::Drain);
    assert!(drain(&mut e)
        .iter()
        .all(|e| !matches!(e, Effect::Store { .. } | Effect::Send { .. })));
}

#[test]
fn a_grant_in_another_tab_releases_what_waited_here_without_announcing_it_again() {
    let mut e = engine(opt_in);
    assert_eq!(e.config().consent.mode, Mode::OptIn);
    track(&mut e, 0, "waited", None, 1);
    e.handle(WallMs(0), Input::Drain);
    assert!(sends(&drain(&mut e)).is_empty());
    e.handle(
        WallMs(5),
        Input::ConsentRecord {
            record: Some("100;5;"),
            anonymous_id: Some("22222222-2222-4222-8222-222222222222"),
            fresh_id: [3; 16],
        },
    );
    assert_eq!(
        e.anonymous_id(),
        "22222222-2222-4222-8222-222222222222",
        "the deciding tab's id"
    );
    let bodies = sends(&drain(&mut e));
    let names: Vec<&str> = bodies
        .iter()
        .flat_map(|(_, b)| b["batch"].as_array().into_iter().flatten())
        .filter_map(|ev| ev["event"].as_str())
        .collect();
    assert_eq!(names, ["waited"], "no second consent_updated");
}

#[test]
fn a_record_unchanged_foreign_or_for_another_policy_changes_nothing() {
    let mut e = engine(|o| o.flush_at = Some(1000.0));
    for record in [None, Some("garbage"), Some("000;5;v2"), Some("111;5;")] {
        e.handle(
            WallMs(5),
            Input::ConsentRecord {
                record,
                anonymous_id: None,
                fresh_id: [3; 16],
            },
        );
    }
    let effects = drain(&mut e);
    assert!(!effects.contains(&Effect::Purge));
    track(&mut e, 6, "still", None, 2);
    assert_eq!(e.stats().queued, 1);
}
