//! Experiments: GrowthBook's published hash and range vectors, shares over
//! many ids, and options with every kind of bad input. Storage, exposure
//! and forcing are `tests/store.rs`.

use super::*;

mod store;

fn options(key: &str, variants: &[&str]) -> ExperimentOptions {
    ExperimentOptions {
        key: key.to_owned(),
        variants: variants.iter().map(|v| (*v).to_owned()).collect(),
        ..ExperimentOptions::default()
    }
}

/// The experiment `opts` describe, which must be usable.
fn experiment(opts: ExperimentOptions) -> Experiment {
    let (e, warnings) = Experiment::from_options(opts);
    e.unwrap_or_else(|| panic!("unusable: {warnings:?}"))
}

/// The kinds of the warnings `opts` give, and whether the experiment is usable.
fn problems(opts: ExperimentOptions) -> (bool, Vec<WarningKind>) {
    let key = opts.key.clone();
    let (e, warnings) = Experiment::from_options(opts);
    for w in &warnings {
        assert_eq!(
            w.key,
            clip(&key, MAX_TEXT_CHARS),
            "each warning names the experiment"
        );
        assert!(!w.kind.as_str().is_empty());
    }
    (e.is_some(), warnings.into_iter().map(|w| w.kind).collect())
}

fn assert_ranges(got: &[(f64, f64)], expected: &[(f64, f64)]) {
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for (g, e) in got.iter().zip(expected) {
        assert!(
            (g.0 - e.0).abs() < 1e-9 && (g.1 - e.1).abs() < 1e-9,
            "{got:?} != {expected:?}"
        );
    }
}

const VISITOR: Ids = Ids {
    anonymous_id: Some("8d2f6c1e-1b7a-4a53-9f0e-3c2d1b0a9e8f"),
    user_id: None,
};

#[test]
fn growthbook_hash_v2_vectors() {
    for (seed, id, expected) in [
        ("seed", "a", 0.0505),
        ("seed", "b", 0.2696),
        ("foo", "ab", 0.2575),
        ("foo", "def", 0.2019),
        ("89123klj", "8952klfjas09ujkasdf", 0.124),
        ("90850943850283058242805", "123", 0.7516),
        ("()**(%$##$%#$#", "___)((*\":&", 0.0128),
    ] {
        assert_eq!(bucket(seed, id), expected, "{seed:?} {id:?}");
    }
}

/// Computed with node from GrowthBook's JavaScript (`charCodeAt` over the
/// UTF-16 code units): `é` is one unit, `😀` and `𝄞` two (a surrogate pair).
#[test]
fn non_ascii_ids_hash_their_utf16_code_units() {
    for (seed, id, first, expected) in [
        ("seed", "é", 2_730_975_391, 0.8663),
        ("seed", "😀", 1_306_981_241, 0.4346),
        ("exp", "visitor-é😀-ü", 1_159_070_960, 0.5765),
        ("ÿ€", "𝄞x", 3_499_462_080, 0.6316),
        ("", "", 0x811c_9dc5, 0.2305),
    ] {
        let joined = [seed, id].concat();
        assert_eq!(fnv1a32(&joined), first, "{joined:?}");
        assert_eq!(bucket(seed, id), expected, "{joined:?}");
    }
    // Over UTF-8 bytes the hash would differ.
    let utf8 = "seedé".bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    assert_ne!(utf8, fnv1a32("seedé"));
}

#[test]
fn bucket_ranges_match_growthbook() {
    // Exact where JavaScript's values are exact.
    assert_eq!(bucket_ranges(2, 1.0, None), [(0.0, 0.5), (0.5, 1.0)]);
    assert_eq!(bucket_ranges(2, 0.5, None), [(0.0, 0.25), (0.5, 0.75)]);
    assert_eq!(
        bucket_ranges(2, 1.0, Some(&[0.4, 0.1])),
        [(0.0, 0.5), (0.5, 1.0)]
    );
    assert_eq!(bucket_ranges(2, -0.2, None), [(0.0, 0.0), (0.5, 0.5)]);
    assert_eq!(bucket_ranges(2, 1.5, None), [(0.0, 0.5), (0.5, 1.0)]);
    // JavaScript: [[0,0.04000000000000001],[0.2,0.26],[0.5,0.6]].
    let r = bucket_ranges(3, 0.2, Some(&[0.2, 0.3, 0.5]));
    assert_ranges(&r, &[(0.0, 0.04), (0.2, 0.26), (0.5, 0.6)]);
    assert_eq!(r[0].1, 0.2 * 0.2, "the same float operations as JavaScript");
    // JavaScript: [[0,0.3333333333333333],[0.3333333333333333,0.6666666666666666],[0.6666666666666666,1]].
    let thirds = bucket_ranges(3, 1.0, None);
    assert_eq!(thirds[1], (1.0 / 3.0, 2.0 / 3.0));
    assert_eq!(thirds[2], (2.0 / 3.0, 1.0));
    // Weights refused: negative, NaN, infinite, wrong count; NaN coverage is 1.
    for bad in [
        &[1.5, -0.5][..],
        &[f64::NAN, 1.0],
        &[f64::INFINITY, 0.0],
        &[1.0],
    ] {
        assert_eq!(
            bucket_ranges(2, 1.0, Some(bad)),
            [(0.0, 0.5), (0.5, 1.0)],
            "{bad:?}"
        );
    }
    assert_eq!(bucket_ranges(2, f64::NAN, None), [(0.0, 0.5), (0.5, 1.0)]);
    // Within 0.01 of 1 the weights are kept as they are.
    assert_ranges(
        &bucket_ranges(2, 1.0, Some(&[0.5, 0.505])),
        &[(0.0, 0.5), (0.5, 1.005)],
    );
}

#[test]
fn choose_takes_the_range_holding_the_bucket() {
    let r = bucket_ranges(2, 0.5, None);
    assert_eq!(choose(0.0, &r), Some(0));
    assert_eq!(choose(0.2499, &r), Some(0));
    assert_eq!(choose(0.25, &r), None, "the end is not in the range");
    assert_eq!(choose(0.5, &r), Some(1));
    assert_eq!(choose(0.9999, &r), None);
    assert_eq!(choose(0.5, &bucket_ranges(2, 0.0, None)), None);
}

/// Shares over 100,000 ids are within a percentage point of the weights.
#[test]
fn shares_follow_the_weights() {
    const N: usize = 100_000;
    for (weights, coverage) in [
        (vec![0.5, 0.5], 1.0),
        (vec![0.2, 0.3, 0.5], 1.0),
        (vec![0.5, 0.5], 0.5),
        (vec![0.1, 0.2, 0.3, 0.4], 0.8),
    ] {
        let variants: Vec<String> = (0..weights.len()).map(|i| format!("v{i}")).collect();
        let e = experiment(ExperimentOptions {
            key: "share".into(),
            variants,
            weights: Some(weights.clone()),
            coverage: Some(coverage),
            ..ExperimentOptions::default()
        });
        let mut counts = vec![0usize; weights.len()];
        let mut out = 0;
        let mut sticky = Sticky::default();
        for i in 0..N {
            let id = format!("visitor-{i}");
            let ids = Ids {
                anonymous_id: Some(&id),
                user_id: None,
            };
            let d = e.decide(ids, true, None, &mut sticky);
            if d.record {
                counts[d.variant_index] += 1;
            } else {
                assert_eq!(d.variant_index, 0);
                out += 1;
            }
        }
        for (count, w) in counts.iter().zip(&weights) {
            let share = *count as f64 / N as f64;
            assert!(
                (share - w * coverage).abs() < 0.01,
                "{weights:?} {coverage}: {counts:?}"
            );
        }
        let out_share = out as f64 / N as f64;
        assert!((out_share - (1.0 - coverage)).abs() < 0.01, "{out_share}");
    }
}

#[test]
fn options_default_to_the_key_equal_weights_and_full_coverage() {
    let (e, warnings) = Experiment::from_options(options("hero_copy", &["control", "urgent"]));
    let e = e.unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        (e.key(), e.name(), e.seed()),
        ("hero_copy", "hero_copy", "hero_copy")
    );
    assert_eq!(e.hash_attribute(), HashAttribute::AnonymousId);
    assert_eq!(e.variants(), ["control", "urgent"]);
    assert_eq!(e.ranges(), [(0.0, 0.5), (0.5, 1.0)]);
    assert_eq!((e.variant(1), e.variant(7)), ("urgent", "control"));

    let e = experiment(ExperimentOptions {
        name: Some("Hero copy".into()),
        seed: Some("s1".into()),
        hash_attribute: Some("userId".into()),
        weights: Some(vec![0.25, 0.75]),
        coverage: Some(0.4),
        ..options("hero_copy", &["control", "urgent"])
    });
    assert_eq!((e.name(), e.seed()), ("Hero copy", "s1"));
    assert_eq!(e.hash_attribute(), HashAttribute::UserId);
    assert_ranges(e.ranges(), &[(0.0, 0.1), (0.25, 0.55)]);
}

#[test]
fn the_seed_and_id_choose_the_variant() {
    // bucket("seed", "a") is 0.0505, bucket("seed", "b") 0.2696.
    let e = experiment(ExperimentOptions {
        seed: Some("seed".into()),
        weights: Some(vec![0.25, 0.75]),
        ..options("k", &["control", "b"])
    });
    let mut sticky = Sticky::default();
    let id = |id| Ids {
        anonymous_id: Some(id),
        user_id: None,
    };
    assert_eq!(e.decide(id("a"), true, None, &mut sticky).variant_index, 0);
    assert_eq!(e.decide(id("b"), true, None, &mut sticky).variant_index, 1);
}

#[test]
fn bad_options_warn_and_fall_back() {
    use WarningKind::*;
    let ab = |opts: ExperimentOptions| ExperimentOptions {
        variants: vec!["a".into(), "b".into()],
        ..opts
    };
    let base = || options("k", &[]);
    let long = "x".repeat(MAX_TEXT_CHARS + 1);
    let many: Vec<String> = (0..25).map(|i| format!("v{i}")).collect();
    for (opts, usable, expected) in [
        (options("", &["a", "b"]), false, vec![KeyInvalid]),
        (options(&long, &["a", "b"]), false, vec![KeyInvalid]),
        (base(), false, vec![NoVariants]),
        (options("k", &["a"]), false, vec![TooFewVariants]),
        (
            options("k", &["a", "a"]),
            false,
            vec![DuplicateVariant, TooFewVariants],
        ),
        (
            options("k", &["", "a"]),
            false,
            vec![VariantInvalid, TooFewVariants],
        ),
        (options("k", &["a", &long, "b"]), true, vec![VariantInvalid]),
        (options("k", &["a", "b", "a"]), true, vec![DuplicateVariant]),
        (
            ExperimentOptions {
                variants: many.clone(),
                ..base()
            },
            true,
            vec![TooManyVariants],
        ),
        (
            ExperimentOptions {
                variants: many.clone(),
                weights: Some(vec![0.04; 25]),
                ..base()
            },
            true,
            vec![TooManyVariants, WeightsSum],
        ),
        (
            ab(ExperimentOptions {
                weights: Some(vec![1.0]),
                ..base()
            }),
            true,
            vec![WeightsCount],
        ),
        (
            ab(ExperimentOptions {
                weights: Some(vec![0.4, 0.1]),
                ..base()
            }),
            true,
            vec![WeightsSum],
        ),
        (
            ab(ExperimentOptions {
                weights: Some(vec![1.5, -0.5]),
                ..base()
            }),
            true,
            vec![WeightsInvalid],
        ),
        (
            ab(ExperimentOptions {
                weights: Some(vec![f64::NAN, 0.5]),
                ..base()
            }),
            true,
            vec![WeightsInvalid],
        ),
        (
            ab(ExperimentOptions {
                weights: Some(vec![f64::INFINITY, 0.5]),
                ..base()
            }),
            true,
            vec![WeightsInvalid],
        ),
        (
            ab(ExperimentOptions {
                coverage: Some(-0.2),
                ..base()
            }),
            true,
            vec![CoverageClamped],
        ),
        (
            ab(ExperimentOptions {
                coverage: Some(1.5),
                ..base()
            }),
            true,
            vec![CoverageClamped],
        ),
        (
            ab(ExperimentOptions {
                coverage: Some(f64::NEG_INFINITY),
                ..base()
            }),
            true,
            vec![CoverageClamped],
        ),
        (
            ab(ExperimentOptions {
                coverage: Some(f64::NAN),
                ..base()
            }),
            true,
            vec![CoverageInvalid],
        ),
        (
            ab(ExperimentOptions {
                hash_attribute: Some("email".into()),
                ..base()
            }),
            true,
            vec![HashAttributeUnknown],
        ),
        (
            ab(ExperimentOptions {
                name: Some(long.clone()),
                ..base()
            }),
            true,
            vec![TextCut],
        ),
        // A duplicate drops its weight too: what is left does not sum to 1.
        (
            ExperimentOptions {
                weights: Some(vec![0.5, 0.25, 0.25]),
                ..options("k", &["a", "b", "a"])
            },
            true,
            vec![DuplicateVariant, WeightsSum],
        ),
    ] {
        let label = format!("{opts:?}");
        assert_eq!(problems(opts), (usable, expected), "{label}");
    }
}

#[test]
fn bad_options_give_sane_experiments() {
    let many: Vec<String> = (0..25).map(|i| format!("v{i}")).collect();
    let e = experiment(ExperimentOptions {
        variants: many,
        ..options("k", &[])
    });
    assert_eq!(e.variants().len(), MAX_VARIANTS);
    assert_eq!(e.variants()[19], "v19");
    let e = experiment(options("k", &["a", "", "b", "a", "c"]));
    assert_eq!(e.variants(), ["a", "b", "c"]);
    // Weights of the variants kept, when they still sum to 1.
    let e = experiment(ExperimentOptions {
        weights: Some(vec![0.5, 0.0, 0.5]),
        ..options("k", &["a", "a", "b"])
    });
    assert_eq!(e.ranges(), [(0.0, 0.5), (0.5, 1.0)]);
    let e = experiment(ExperimentOptions {
        coverage: Some(-0.2),
        ..options("k", &["a", "b"])
    });
    assert_eq!(e.ranges(), [(0.0, 0.0), (0.5, 0.5)]);
    let long = "é".repeat(150);
    let e = experiment(ExperimentOptions {
        seed: Some(long.clone()),
        name: Some(long),
        ..options("k", &["a", "b"])
    });
    assert_eq!(e.name().chars().count(), MAX_TEXT_CHARS);
    assert_eq!(e.seed().chars().count(), MAX_TEXT_CHARS);
    // An empty name or seed is the key.
    let e = experiment(ExperimentOptions {
        seed: Some(String::new()),
        name: Some(String::new()),
        ..options("k", &["a", "b"])
    });
    assert_eq!((e.name(), e.seed()), ("k", "k"));
}

#[test]
fn experiments_are_bounded_and_keys_unique() {
    let mut list: Vec<ExperimentOptions> = (0..60)
        .map(|i| options(&format!("e{i}"), &["a", "b"]))
        .collect();
    list.insert(1, options("e0", &["x", "y"]));
    list.insert(2, options("broken", &["only"]));
    let (experiments, warnings) = Experiments::from_options(list);
    assert_eq!(experiments.len(), MAX_EXPERIMENTS);
    assert_eq!(
        experiments.get("e0").unwrap().variants(),
        ["a", "b"],
        "the first of a key wins"
    );
    assert!(experiments.get("broken").is_none());
    assert!(experiments.get("e49").is_some() && experiments.get("e50").is_none());
    assert_eq!(warnings[0], Warning::new("e0", WarningKind::DuplicateKey));
    assert_eq!(
        warnings[1],
        Warning::new("broken", WarningKind::TooFewVariants)
    );
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w.kind == WarningKind::TooManyExperiments)
            .count(),
        10
    );
    assert_eq!(warnings.last().unwrap().key, "e59");
    assert_eq!(experiments.iter().next().unwrap().key(), "e0");
}

#[test]
fn unknown_keys_warn() {
    let (experiments, _) = Experiments::from_options(vec![options("hero", &["a", "b"])]);
    let mut sticky = Sticky::default();
    let err = experiments
        .decide("nope", VISITOR, true, &Forced::default(), &mut sticky)
        .unwrap_err();
    assert_eq!(err, Warning::new("nope", WarningKind::UnknownExperiment));
    assert!(sticky.is_empty());
    let (forced, warnings) = experiments.forced(&forced_from_value("nope:a,hero:zz,hero:b"));
    assert_eq!(
        forced.get("hero"),
        None,
        "the first pair of a key wins, and was wrong"
    );
    assert_eq!(
        warnings,
        [
            Warning::new("nope", WarningKind::UnknownExperiment),
            Warning::new("hero", WarningKind::UnknownForcedVariant)
        ]
    );
}
