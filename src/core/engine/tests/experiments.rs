//! Experiments through the engine: `variant(key)` assigns as GrowthBook
//! does, keeps the first assignment, tracks `Experiment Viewed` once per
//! session (across tabs: the stored record is read at each call), puts
//! `context.experiments` on later events, forces by `?ff_variant=`, and
//! records nothing without consent.

use super::*;
use crate::core::engine::ExperimentRecords;
use crate::core::experiments::{bucket, ExperimentOptions, KEY_EXPOSED, KEY_STICKY};

fn wire(effects: &[Effect]) -> Vec<Value> {
    sends(effects)
        .into_iter()
        .flat_map(|(_, body)| body["batch"].as_array().unwrap().clone())
        .collect()
}

fn hero(weights: Option<Vec<f64>>) -> ExperimentOptions {
    ExperimentOptions {
        key: "hero_copy".into(),
        variants: vec!["control".into(), "urgent".into()],
        weights,
        name: Some("Hero copy".into()),
        ..ExperimentOptions::default()
    }
}

fn stored(effects: &[Effect], key: &str) -> Option<String> {
    effects.iter().rev().find_map(|e| match e {
        Effect::Store { key: k, value } if k == key => Some(value.clone()),
        _ => None,
    })
}

/// The variant the engine's anonymous id gets (equal weights).
fn expected(e: &Engine) -> &'static str {
    if bucket("hero_copy", e.anonymous_id()) < 0.5 {
        "control"
    } else {
        "urgent"
    }
}

#[test]
fn assigned_kept_exposed_once_and_carried_in_the_context() {
    let mut e = engine(|o| {
        o.experiments = vec![hero(None)];
        o.flush_at = Some(100.0);
    });
    start(&mut e, 0);
    drain(&mut e);
    let v = e.variant(WallMs(1_000), "hero_copy", ExperimentRecords::default());
    assert_eq!(v, expected(&e));
    let effects = drain(&mut e);
    let sticky = stored(&effects, KEY_STICKY).expect("the assignment is kept");
    let exposed = stored(&effects, KEY_EXPOSED).expect("the exposure is kept");
    // Again, with the records as stored: the same variant, no second exposure.
    let records = ExperimentRecords {
        sticky: Some(&sticky),
        exposed: Some(&exposed),
    };
    assert_eq!(e.variant(WallMs(2_000), "hero_copy", records), v);
    track(&mut e, 3_000, "after", None, 3);
    e.handle(WallMs(3_100), Input::Flush { ticket: 1 });
    let events = wire(&drain(&mut e));
    let viewed: Vec<&Value> = events
        .iter()
        .filter(|x| x["event"] == "Experiment Viewed")
        .collect();
    assert_eq!(viewed.len(), 1, "{events:?}");
    assert_eq!(
        viewed[0]["properties"],
        serde_json::json!({ "experiment_id": "hero_copy", "experiment_name": "Hero copy", "variation_id": v, "variation_name": v })
    );
    let after = events.iter().find(|x| x["event"] == "after").unwrap();
    assert_eq!(
        after["context"]["experiments"],
        serde_json::json!({ "hero_copy": v })
    );
}

#[test]
fn the_first_assignment_wins_over_changed_weights() {
    let mut e = engine(|o| o.experiments = vec![hero(None)]);
    start(&mut e, 0);
    let v = e.variant(WallMs(1_000), "hero_copy", ExperimentRecords::default());
    let sticky = stored(&drain(&mut e), KEY_STICKY).unwrap();
    // The site moves everyone to the other variant; this visitor stays.
    let other_weights = if v == "control" {
        vec![0.0, 1.0]
    } else {
        vec![1.0, 0.0]
    };
    let mut e = engine(|o| o.experiments = vec![hero(Some(other_weights.clone()))]);
    start(&mut e, 0);
    let records = ExperimentRecords {
        sticky: Some(&sticky),
        exposed: None,
    };
    assert_eq!(e.variant(WallMs(1_000), "hero_copy", records), v);
    // Without the record (a new browser), the new weights decide.
    let mut e = engine(|o| o.experiments = vec![hero(Some(other_weights))]);
    start(&mut e, 0);
    assert_ne!(
        e.variant(WallMs(1_000), "hero_copy", ExperimentRecords::default()),
        v
    );
}

#[test]
fn another_tabs_exposure_in_the_session_is_not_tracked_again() {
    let mut a = engine(|o| o.experiments = vec![hero(None)]);
    start(&mut a, 0);
    a.variant(WallMs(1_000), "hero_copy", ExperimentRecords::default());
    let effects = drain(&mut a);
    let (sticky, exposed) = (stored(&effects, KEY_STICKY), stored(&effects, KEY_EXPOSED));
    // The other tab of the same session sees the records as stored.
    let mut b = engine(|o| {
        o.experiments = vec![hero(None)];
        o.flush_at = Some(1.0);
    });
    start(&mut b, 0);
    let records = ExperimentRecords {
        sticky: sticky.as_deref(),
        exposed: exposed.as_deref(),
    };
    b.variant(WallMs(1_500), "hero_copy", records);
    let events = wire(&drain(&mut b));
    assert!(
        events.iter().all(|x| x["event"] != "Experiment Viewed"),
        "{events:?}"
    );
}

#[test]
fn forced_by_the_url_for_this_page_view_only() {
    let mut e = {
        let mut env = env();
        env.page.search = "?ff_variant=hero_copy:urgent".into();
        let mut config = config(|o| {
            o.experiments = vec![hero(Some(vec![1.0, 0.0]))];
            o.flush_at = Some(1.0);
        });
        config.debug = true;
        Engine::new(
            config,
            env,
            Boot {
                anonymous_id: Some(AID),
                tab: "tab1",
                online: true,
                ..Boot::default()
            },
        )
    };
    start(&mut e, 0);
    assert_eq!(
        e.variant(WallMs(1_000), "hero_copy", ExperimentRecords::default()),
        "urgent"
    );
    e.handle(WallMs(1_100), Input::Flush { ticket: 1 });
    let effects = drain(&mut e);
    assert_eq!(
        stored(&effects, KEY_STICKY),
        None,
        "a forced variant is not kept"
    );
    let events = wire(&effects);
    let viewed = events
        .iter()
        .find(|x| x["event"] == "Experiment Viewed")
        .unwrap();
    assert_eq!(viewed["properties"]["forced"], true);
}

#[test]
fn without_consent_the_first_variant_and_nothing_recorded() {
    let mut e = engine(|o| {
        o.experiments = vec![hero(Some(vec![0.0, 1.0]))];
        o.consent_mode = Some("opt-in".into());
        o.flush_at = Some(1.0);
    });
    start(&mut e, 0);
    drain(&mut e);
    assert_eq!(
        e.variant(WallMs(1_000), "hero_copy", ExperimentRecords::default()),
        "control"
    );
    let effects = drain(&mut e);
    assert!(
        effects.iter().all(|x| !matches!(
            x,
            Effect::Store { .. } | Effect::Send { .. } | Effect::Beacon { .. }
        )),
        "{effects:?}"
    );
    // Once consented, the visitor is assigned and exposed.
    e.handle(
        WallMs(2_000),
        Input::Consent {
            choice: Choice {
                analytics: Some(true),
                ..Choice::default()
            },
            fresh_id: [4; 16],
        },
    );
    assert_eq!(
        e.variant(WallMs(3_000), "hero_copy", ExperimentRecords::default()),
        "urgent"
    );
    assert!(stored(&drain(&mut e), KEY_STICKY).is_some());
}

#[test]
fn unknown_keys_and_bad_options_warn_and_never_fail() {
    let mut e = engine(|o| {
        o.debug = Some(true);
        o.experiments = vec![
            ExperimentOptions {
                key: "empty".into(),
                ..ExperimentOptions::default()
            },
            ExperimentOptions {
                key: "dup".into(),
                variants: vec!["a".into(), "a".into(), "b".into()],
                weights: Some(vec![0.2, 0.2, 0.2]),
                coverage: Some(7.0),
                ..ExperimentOptions::default()
            },
        ];
    });
    start(&mut e, 0);
    let warnings = e.take_experiment_warnings();
    let kinds: Vec<_> = warnings.iter().map(|w| (w.key.as_str(), w.kind)).collect();
    use crate::core::experiments::WarningKind::*;
    assert!(kinds.contains(&("empty", NoVariants)), "{kinds:?}");
    assert!(kinds.contains(&("dup", DuplicateVariant)), "{kinds:?}");
    assert!(kinds.contains(&("dup", CoverageClamped)), "{kinds:?}");
    assert_eq!(
        e.variant(WallMs(1_000), "nope", ExperimentRecords::default()),
        ""
    );
    assert_eq!(e.take_experiment_warnings()[0].kind, UnknownExperiment);
    assert_eq!(
        e.variant(WallMs(1_000), "empty", ExperimentRecords::default()),
        ""
    );
    let v = e.variant(WallMs(1_000), "dup", ExperimentRecords::default());
    assert!(v == "a" || v == "b");
}

#[test]
fn reset_forgets_the_assignments() {
    let mut e = engine(|o| o.experiments = vec![hero(None)]);
    start(&mut e, 0);
    e.variant(WallMs(1_000), "hero_copy", ExperimentRecords::default());
    drain(&mut e);
    e.handle(WallMs(2_000), Input::Reset { fresh_id: [8; 16] });
    let effects = drain(&mut e);
    for key in [KEY_STICKY, KEY_EXPOSED] {
        assert!(
            effects.contains(&Effect::Remove { key: key.into() }),
            "{effects:?}"
        );
    }
}
