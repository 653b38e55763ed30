use super::*;
use serde_json::{json, Value};

fn ended(v: &mut PageVitals) -> Value {
    serde_json::from_str(&v.end().unwrap()).unwrap()
}

fn measured(measures: &[Measure]) -> PageVitals {
    let mut v = PageVitals::default();
    for m in measures {
        v.on_measure(*m);
    }
    v
}

#[test]
fn every_metric_rounded_and_rated_once_per_page_view() {
    let mut v = measured(&[
        Measure::Ttfb(120.4),
        Measure::Fcp(900.6),
        Measure::Lcp(1_200.0),
        Measure::Lcp(2_600.0),
        Measure::LayoutShifts,
        Measure::Shift {
            start: 1_000.0,
            value: 0.123_456,
        },
        Measure::Interaction {
            id: 7,
            duration: 240.0,
        },
        Measure::Count(1),
    ]);
    assert_eq!(
        ended(&mut v),
        json!({
            "lcp": 2600, "fcp": 901, "ttfb": 120, "inp": 240, "cls": 0.1235,
            "rating": { "lcp": "needs-improvement", "fcp": "good", "ttfb": "good", "inp": "needs-improvement", "cls": "needs-improvement" }
        })
    );
    assert_eq!(v.end(), None, "once per page view");
    v.on_measure(Measure::Lcp(5_000.0));
    assert_eq!(v.end(), None, "what comes after the end is not sent");
}

#[test]
fn only_what_the_engine_measures() {
    // WebKit: no layout shifts, no event timing.
    let mut v = measured(&[Measure::Ttfb(10.0), Measure::Fcp(50.0)]);
    assert_eq!(
        ended(&mut v),
        json!({ "fcp": 50, "ttfb": 10, "rating": { "fcp": "good", "ttfb": "good" } })
    );
    assert_eq!(
        PageVitals::default().end(),
        None,
        "nothing measured, no event"
    );
    // Layout shifts observed but none happened: CLS 0, as web-vitals says.
    let mut v = measured(&[Measure::LayoutShifts]);
    assert_eq!(
        ended(&mut v),
        json!({ "cls": 0, "rating": { "cls": "good" } })
    );
}

#[test]
fn lcp_stops_at_the_first_input() {
    let mut v = measured(&[Measure::Lcp(800.0), Measure::Input, Measure::Lcp(3_000.0)]);
    assert_eq!(ended(&mut v)["lcp"], 800);
}

#[test]
fn cls_is_the_largest_session_window() {
    let shift = |start: f64, value: f64| Measure::Shift { start, value };
    let mut v = measured(&[
        Measure::LayoutShifts,
        // Window 1: 0.1 + 0.1 (gap under 1 s).
        shift(100.0, 0.1),
        shift(900.0, 0.1),
        // A gap of 1 s or more: window 2, 0.05 + 0.05 + 0.05.
        shift(1_900.0, 0.05),
        shift(2_500.0, 0.05),
        shift(3_000.0, 0.05),
        // Window 2 has lasted 5 s: window 3, 0.15 + 0.1.
        shift(6_900.0, 0.15),
        shift(7_500.0, 0.1),
    ]);
    assert_eq!(ended(&mut v)["cls"], 0.25);
    let mut v = measured(&[Measure::LayoutShifts, shift(0.0, 0.3), shift(5_000.0, 0.01)]);
    assert_eq!(ended(&mut v)["cls"], 0.3);
    assert_eq!(v.end(), None);
    let mut v = measured(&[
        Measure::LayoutShifts,
        shift(0.0, f64::NAN),
        shift(1.0, -1.0),
    ]);
    assert_eq!(ended(&mut v)["cls"], 0, "nonsense ignored");
}

#[test]
fn inp_is_the_longest_interaction_or_the_98th_percentile() {
    // An interaction's longest event counts once.
    let mut v = measured(&[
        Measure::Interaction {
            id: 1,
            duration: 48.0,
        },
        Measure::Interaction {
            id: 1,
            duration: 160.0,
        },
        Measure::Interaction {
            id: 2,
            duration: 104.0,
        },
        Measure::Interaction {
            id: 0,
            duration: 900.0,
        },
        Measure::Count(2),
    ]);
    assert_eq!(ended(&mut v)["inp"], 160);
    // 120 interactions: the third longest (index 120 / 50 = 2).
    let mut v = PageVitals::default();
    for id in 1..=120u64 {
        v.on_measure(Measure::Interaction {
            id,
            duration: id as f64,
        });
    }
    v.on_measure(Measure::Count(120));
    assert_eq!(ended(&mut v)["inp"], 118);
    // Past 500 interactions, the tenth longest: only 10 are kept.
    let mut v = PageVitals::default();
    for id in 1..=1_000u64 {
        v.on_measure(Measure::Interaction {
            id,
            duration: (id % 977) as f64,
        });
    }
    v.on_measure(Measure::Count(1_000));
    assert_eq!(v.longest.len(), 10);
    assert_eq!(ended(&mut v)["inp"], 967);
    // No interaction: no INP.
    let mut v = measured(&[Measure::Count(3), Measure::Fcp(1.0)]);
    assert!(ended(&mut v).get("inp").is_none());
}

#[test]
fn a_route_change_measures_cls_and_inp_again_and_nothing_of_loading() {
    let mut v = measured(&[
        Measure::Ttfb(10.0),
        Measure::Fcp(20.0),
        Measure::Lcp(30.0),
        Measure::LayoutShifts,
        Measure::Shift {
            start: 10.0,
            value: 0.2,
        },
        Measure::Interaction {
            id: 1,
            duration: 300.0,
        },
        Measure::Count(60),
    ]);
    assert_eq!(ended(&mut v)["inp"], 300);
    v.begin_route();
    v.on_measure(Measure::Lcp(5_000.0));
    v.on_measure(Measure::Interaction {
        id: 2,
        duration: 56.0,
    });
    v.on_measure(Measure::Count(61));
    assert_eq!(
        ended(&mut v),
        json!({ "inp": 56, "cls": 0, "rating": { "inp": "good", "cls": "good" } }),
        "the count is the page view's own (61 - 60 = 1: the longest)"
    );
}

#[test]
fn back_from_the_bfcache_ttfb_is_0_and_paints_come_from_the_first_frame() {
    let mut v = measured(&[Measure::Fcp(20.0), Measure::Lcp(30.0)]);
    v.end();
    v.begin_restored();
    v.on_measure(Measure::Fcp(16.0));
    v.on_measure(Measure::Lcp(16.0));
    assert_eq!(
        ended(&mut v),
        json!({ "lcp": 16, "fcp": 16, "ttfb": 0, "rating": { "lcp": "good", "fcp": "good", "ttfb": "good" } })
    );
}

#[test]
fn ratings_follow_googles_thresholds() {
    for (name, value, want) in [
        ("lcp", 2_500.0, "good"),
        ("lcp", 2_501.0, "needs-improvement"),
        ("lcp", 4_001.0, "poor"),
        ("inp", 200.0, "good"),
        ("inp", 500.0, "needs-improvement"),
        ("inp", 501.0, "poor"),
        ("cls", 0.1, "good"),
        ("cls", 0.25, "needs-improvement"),
        ("cls", 0.26, "poor"),
        ("fcp", 1_800.0, "good"),
        ("fcp", 3_001.0, "poor"),
        ("ttfb", 800.0, "good"),
        ("ttfb", 1_800.0, "needs-improvement"),
        ("ttfb", 1_801.0, "poor"),
    ] {
        assert_eq!(rating(name, value), want, "{name} {value}");
    }
}
