//! Stickiness, consent, exposure once per session, forcing, and stored
//! records read back from garbage.

use super::*;
use serde_json::{json, Value};

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

fn weighted(weights: Vec<f64>) -> Experiment {
    experiment(ExperimentOptions {
        weights: Some(weights),
        ..options("hero_copy", &["control", "urgent"])
    })
}

fn anonymous(id: &str) -> Ids<'_> {
    Ids {
        anonymous_id: Some(id),
        user_id: None,
    }
}

/// A tiny deterministic generator (xorshift) for garbage.
fn garbage(seed: u64, len: usize) -> String {
    const ALPHABET: &[char] = &[
        '&', '=', '%', '+', 'a', 'b', '0', 'f', 'é', '😀', '\n', ',', ':', '2', '6', 'D',
    ];
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ALPHABET[(x % ALPHABET.len() as u64) as usize]
        })
        .collect()
}

#[test]
fn a_kept_assignment_wins_after_the_weights_change() {
    let mut sticky = Sticky::default();
    let all_control = weighted(vec![1.0, 0.0]);
    let first = all_control.decide(VISITOR, true, None, &mut sticky);
    assert_eq!(
        first,
        Decision {
            variant_index: 0,
            record: true,
            forced: false,
            stored: true
        }
    );
    // Stored and read back, as on the next page.
    let mut sticky = Sticky::parse(&sticky.serialize());
    let all_urgent = weighted(vec![0.0, 1.0]);
    let again = all_urgent.decide(VISITOR, true, None, &mut sticky);
    assert_eq!(
        (again.variant_index, again.record, again.stored),
        (0, true, false)
    );
    // Coverage 0 now: still in, by its kept assignment.
    let none = experiment(ExperimentOptions {
        coverage: Some(0.0),
        ..options("hero_copy", &["control", "urgent"])
    });
    assert!(none.decide(VISITOR, true, None, &mut sticky).record);
    // Another visitor (a reset anonymous id) is assigned afresh.
    let other = all_urgent.decide(anonymous("another-id"), true, None, &mut sticky);
    assert_eq!((other.variant_index, other.stored), (1, true));
    assert_eq!(sticky.len(), 1, "one entry per experiment");
}

#[test]
fn a_kept_variant_the_experiment_no_longer_has_is_reassigned() {
    let mut sticky = Sticky::default();
    sticky.set("hero_copy", "retired", VISITOR.anonymous_id.unwrap());
    let e = weighted(vec![0.0, 1.0]);
    let d = e.decide(VISITOR, true, None, &mut sticky);
    assert_eq!((d.variant_index, d.record, d.stored), (1, true, true));
    assert_eq!(
        sticky.get("hero_copy", VISITOR.anonymous_id.unwrap()),
        Some("urgent")
    );
}

#[test]
fn without_consent_or_id_the_control_and_nothing_kept() {
    let e = weighted(vec![0.0, 1.0]);
    let mut sticky = Sticky::default();
    let control = Decision {
        variant_index: 0,
        record: false,
        forced: false,
        stored: false,
    };
    assert_eq!(e.decide(VISITOR, false, None, &mut sticky), control);
    assert_eq!(e.decide(anonymous(""), true, None, &mut sticky), control);
    assert_eq!(e.decide(Ids::default(), true, None, &mut sticky), control);
    // By user id: a visitor without one is not in the experiment.
    let by_user = experiment(ExperimentOptions {
        hash_attribute: Some("userId".into()),
        weights: Some(vec![0.0, 1.0]),
        ..options("hero_copy", &["control", "urgent"])
    });
    assert_eq!(by_user.decide(VISITOR, true, None, &mut sticky), control);
    assert!(sticky.is_empty());
    let user = Ids {
        user_id: Some("u-42"),
        ..VISITOR
    };
    assert_eq!(
        by_user.decide(user, true, None, &mut sticky).variant_index,
        1
    );
    // Outside the coverage: the control, not recorded, not kept.
    let mut sticky = Sticky::default();
    let uncovered = experiment(ExperimentOptions {
        coverage: Some(0.0),
        ..options("hero_copy", &["control", "urgent"])
    });
    assert_eq!(uncovered.decide(VISITOR, true, None, &mut sticky), control);
    assert!(sticky.is_empty());
}

#[test]
fn a_forced_variant_wins_and_is_never_kept() {
    let (experiments, warnings) = Experiments::from_options(vec![ExperimentOptions {
        weights: Some(vec![1.0, 0.0]),
        ..options("hero_copy", &["control", "urgent"])
    }]);
    assert!(warnings.is_empty());
    let (forced, warnings) =
        experiments.forced(&forced_from_query("ff_variant=hero_copy%3Aurgent"));
    assert!(warnings.is_empty() && !forced.is_empty());
    let mut sticky = Sticky::default();
    let d = experiments
        .decide("hero_copy", VISITOR, true, &forced, &mut sticky)
        .unwrap();
    assert_eq!(
        d,
        Decision {
            variant_index: 1,
            record: true,
            forced: true,
            stored: false
        }
    );
    assert!(sticky.is_empty());
    // Without consent it is still shown, not recorded.
    let d = experiments
        .decide("hero_copy", VISITOR, false, &forced, &mut sticky)
        .unwrap();
    assert_eq!((d.variant_index, d.record, d.forced), (1, false, true));
    // The next page view, without the parameter: the real assignment.
    let d = experiments
        .decide("hero_copy", VISITOR, true, &Forced::default(), &mut sticky)
        .unwrap();
    assert_eq!((d.variant_index, d.forced, d.stored), (0, false, true));
}

#[test]
fn forcing_parameters_are_read_tolerantly() {
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(k, x)| ((*k).to_owned(), (*x).to_owned()))
            .collect()
    };
    assert_eq!(
        forced_from_query("ff_variant=a:x,b%3Ay&q=1&ff_variant=c:z%3Aw&ff_variant=a:other"),
        pairs(&[("a", "x"), ("b", "y"), ("c", "z:w")])
    );
    // Decoded before it is split: an encoded comma separates too.
    assert_eq!(
        forced_from_query("ff_variant=hero%2Ccopy%3Aurgent"),
        pairs(&[("copy", "urgent")])
    );
    assert_eq!(
        forced_from_value("hero_copy:big+deal"),
        pairs(&[("hero_copy", "big deal")])
    );
    for nothing in [
        "",
        "ff_variant",
        "ff_variant=",
        "ff_variant=%",
        "ff_variant=::,:",
        "x=a:b",
    ] {
        assert!(forced_from_query(nothing).is_empty(), "{nothing:?}");
    }
    let long = "x".repeat(MAX_TEXT_CHARS + 1);
    assert!(forced_from_value(&format!("{long}:a,a:{long}")).is_empty());
    let many: Vec<String> = (0..80).map(|i| format!("k{i}:v")).collect();
    assert_eq!(forced_from_value(&many.join(",")).len(), MAX_EXPERIMENTS);
    for seed in 0..200 {
        let g = garbage(seed, 300);
        let f = forced_from_query(&format!("ff_variant={g}"));
        assert!(f.iter().all(|(k, v)| fits(k) && fits(v)));
    }
}

#[test]
fn sticky_records_round_trip_any_text() {
    let mut sticky = Sticky::default();
    for (key, variant) in [("a&b=c", "50% + more"), ("é😀", "x=y&z"), ("plain", "v\n2")] {
        sticky.set(key, variant, "id-1");
    }
    let text = sticky.serialize();
    assert!(!text.contains('\n'));
    let back = Sticky::parse(&text);
    assert_eq!(back, sticky);
    assert_eq!(back.get("a&b=c", "id-1"), Some("50% + more"));
    assert_eq!(back.get("é😀", "id-1"), Some("x=y&z"));
    assert_eq!(back.get("é😀", "id-2"), None, "kept for another id");
    // Bounded: the oldest go first.
    let mut sticky = Sticky::default();
    for i in 0..(MAX_STICKY + 5) {
        sticky.set(&format!("k{i}"), "v", "id");
    }
    assert_eq!(sticky.len(), MAX_STICKY);
    assert_eq!(sticky.get("k0", "id"), None);
    assert_eq!(sticky.get(&format!("k{}", MAX_STICKY + 4), "id"), Some("v"));
    // What could not be read back is not kept.
    sticky.set("", "v", "id");
    sticky.set("k", &"x".repeat(MAX_TEXT_CHARS + 1), "id");
    assert_eq!(Sticky::parse(&sticky.serialize()), sticky);
}

#[test]
fn garbage_records_parse_to_empty() {
    for junk in [
        "",
        "&&&",
        "=",
        "==",
        "a=b",
        "a=b=",
        "a=b=xyz",
        "a=b=0a1b2c3dd",
        "=b=0a1b2c3d",
        "a==0a1b2c3d",
        "{\"hero\":\"a\"}",
        "%",
        "\u{0}\u{ffff}",
    ] {
        assert!(Sticky::parse(junk).is_empty(), "{junk:?}");
        assert_eq!(Exposures::parse(junk).context("s"), None, "{junk:?}");
    }
    assert_eq!(Exposures::parse("=x&a=b"), Exposures::default());
    assert_eq!(
        Exposures::parse(&"s".repeat(MAX_TEXT_CHARS + 1)),
        Exposures::default()
    );
    // Long garbage: no panic, and whatever is kept reads back the same.
    for seed in 0..300 {
        let g = garbage(seed, 1 + seed as usize * 7);
        let s = Sticky::parse(&g);
        assert!(s.len() <= MAX_STICKY);
        assert_eq!(Sticky::parse(&s.serialize()), s, "{g:?}");
        let e = Exposures::parse(&g);
        assert_eq!(Exposures::parse(&e.serialize()), e, "{g:?}");
    }
    // A huge value is not scanned to its end.
    let huge = "a=b=0a1b2c3d&".repeat(100_000);
    assert_eq!(Sticky::parse(&huge).len(), 1);
    let many: String = (0..500).map(|i| format!("k{i}=v=0a1b2c3d&")).collect();
    assert_eq!(Sticky::parse(&many).len(), MAX_STICKY);
}

#[test]
fn exposed_once_per_session() {
    let e = experiment(ExperimentOptions {
        name: Some("Hero copy".into()),
        ..options("hero_copy", &["control", "urgent"])
    });
    let mut seen = Exposures::default();
    assert_eq!(seen.context("s1"), None);
    assert!(seen.expose("s1", e.key(), e.variant(1)));
    // Another page or tab of the session reads the stored record.
    let mut seen = Exposures::parse(&seen.serialize());
    assert!(!seen.expose("s1", "hero_copy", "urgent"));
    assert!(seen.expose("s1", "price", "low"));
    assert_eq!(
        parse(&seen.context("s1").unwrap()),
        json!({ "hero_copy": "urgent", "price": "low" })
    );
    assert_eq!(seen.context("s2"), None, "another session's record");
    // A new session exposes again.
    assert!(seen.expose("s2", "hero_copy", "urgent"));
    assert_eq!(
        parse(&seen.context("s2").unwrap()),
        json!({ "hero_copy": "urgent" })
    );
    // Another variant of the same experiment (forced) is exposed, and replaces it.
    assert!(seen.expose("s2", "hero_copy", "control"));
    assert_eq!(
        parse(&seen.context("s2").unwrap()),
        json!({ "hero_copy": "control" })
    );
    assert_eq!(Exposures::parse(&seen.serialize()), seen);
    // Bounded.
    for i in 0..(MAX_EXPERIMENTS + 3) {
        seen.expose("s2", &format!("k{i}"), "v");
    }
    let back = Exposures::parse(&seen.serialize());
    assert_eq!(back, seen);
    assert_eq!(
        parse(&back.context("s2").unwrap())
            .as_object()
            .unwrap()
            .len(),
        MAX_EXPERIMENTS
    );
    // Odd session ids and keys survive storage.
    let mut odd = Exposures::default();
    odd.expose("s=1&2%", "a&b", "c=d \"q\"");
    let back = Exposures::parse(&odd.serialize());
    assert_eq!(
        parse(&back.context("s=1&2%").unwrap()),
        json!({ "a&b": "c=d \"q\"" })
    );
}

#[test]
fn exposure_properties_name_the_experiment_and_variant() {
    let e = experiment(ExperimentOptions {
        name: Some("Hero \"copy\"".into()),
        ..options("hero_copy", &["control", "urgent"])
    });
    assert_eq!(
        parse(&exposure_properties(&e, 1, false)),
        json!({
            "experiment_id": "hero_copy", "experiment_name": "Hero \"copy\"",
            "variation_id": "urgent", "variation_name": "urgent"
        })
    );
    assert_eq!(
        parse(&exposure_properties(&e, 0, true))["forced"],
        json!(true)
    );
    assert_eq!(
        parse(&exposure_properties(&e, 9, false))["variation_id"],
        "control"
    );
    assert_eq!(EXPOSURE_EVENT, "Experiment Viewed");
}

/// The flow the engine will follow for `variant(key)` on two page views.
#[test]
fn variant_calls_across_page_views() {
    let (experiments, _) =
        Experiments::from_options(vec![options("hero_copy", &["control", "urgent"])]);
    let mut stored_sticky = String::new();
    let mut stored_seen = String::new();
    let mut tracked = Vec::new();
    for page in 0..3 {
        let session = if page < 2 { "s1" } else { "s2" };
        let mut sticky = Sticky::parse(&stored_sticky);
        let mut seen = Exposures::parse(&stored_seen);
        for _call in 0..2 {
            let d = experiments
                .decide("hero_copy", VISITOR, true, &Forced::default(), &mut sticky)
                .unwrap();
            let e = experiments.get("hero_copy").unwrap();
            if d.stored {
                stored_sticky = sticky.serialize();
            }
            if d.record && seen.expose(session, e.key(), e.variant(d.variant_index)) {
                tracked.push(exposure_properties(e, d.variant_index, d.forced));
                stored_seen = seen.serialize();
            }
        }
    }
    assert_eq!(tracked.len(), 2, "once in s1, once in s2: {tracked:?}");
    assert_eq!(tracked[0], tracked[1]);
}

#[test]
fn past_the_limit_the_oldest_assignment_goes_and_a_key_set_again_moves_last() {
    let mut s = Sticky::default();
    for n in 0..MAX_STICKY {
        s.set(&format!("k{n}"), "a", "id");
    }
    // Set again when full: replaced and moved last, nothing else dropped.
    s.set("k0", "b", "id");
    assert_eq!(s.len(), MAX_STICKY);
    assert_eq!(s.get("k0", "id"), Some("b"));
    assert!(s
        .serialize()
        .ends_with(&format!("k0=b={:08x}", fnv1a32("id"))));
    // A new key when full: the oldest (now k1) goes.
    s.set("new", "a", "id");
    assert_eq!(s.len(), MAX_STICKY);
    assert_eq!(s.get("k1", "id"), None);
    assert_eq!(s.get("k2", "id"), Some("a"));
    assert_eq!(s.get("new", "id"), Some("a"));
    assert_eq!(Sticky::parse(&s.serialize()), s);
}

#[test]
fn past_the_limit_the_oldest_exposure_goes() {
    let mut e = Exposures::default();
    for n in 0..MAX_EXPERIMENTS {
        assert!(e.expose("s1", &format!("k{n}"), "a"));
    }
    assert!(
        e.expose("s1", "k0", "b"),
        "another variant of k0: exposed again, moved last"
    );
    assert!(e.expose("s1", "new", "a"));
    let context = e.context("s1").unwrap();
    assert!(
        !context.contains(r#""k1""#) && context.contains(r#""k2":"a""#),
        "{context}"
    );
    assert!(context.ends_with(r#""k0":"b","new":"a"}"#), "{context}");
    assert!(!e.expose("s1", "k2", "a"), "still exposed");
    assert_eq!(Exposures::parse(&e.serialize()), e);
}
