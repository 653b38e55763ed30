//! Web vitals through the engine: off unless asked; one `web_vitals` event
//! per page view, formed before the beacons of a hidden or leaving page,
//! attributed to the page view it measured.

use super::*;
use crate::core::vitals::Measure;

/// Every event of every Send or Beacon effect, in order.
fn wire(effects: &[Effect]) -> Vec<Value> {
    sends(effects)
        .into_iter()
        .flat_map(|(_, body)| body["batch"].as_array().unwrap().clone())
        .collect()
}

fn vitals(events: &[Value]) -> Vec<&Value> {
    events
        .iter()
        .filter(|e| e["event"] == "web_vitals")
        .collect()
}

fn measure(e: &mut Engine, measures: &[Measure]) {
    for m in measures {
        e.handle(WallMs(500), Input::Vital(*m));
    }
}

#[test]
fn vitals_are_not_measured_unless_asked() {
    let mut e = engine(|o| o.flush_at = Some(1.0));
    start(&mut e, 0);
    measure(&mut e, &[Measure::Fcp(100.0)]);
    e.handle(WallMs(2), Input::Hidden);
    e.handle(WallMs(3), Input::Unload { unsent: &[] });
    assert!(vitals(&wire(&drain(&mut e))).is_empty());
}

#[test]
fn one_event_per_page_view_in_the_beacon_of_the_hidden_page() {
    let mut e = engine(|o| o.autocapture.web_vitals = Some(true));
    start(&mut e, 0);
    measure(
        &mut e,
        &[
            Measure::Ttfb(80.0),
            Measure::Fcp(300.0),
            Measure::Lcp(700.0),
        ],
    );
    e.handle(WallMs(1_000), Input::Hidden);
    let effects = drain(&mut e);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Beacon { .. })),
        "{effects:?}"
    );
    let events = wire(&effects);
    let sent = vitals(&events);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["properties"],
        serde_json::json!({ "lcp": 700, "fcp": 300, "ttfb": 80, "rating": { "lcp": "good", "fcp": "good", "ttfb": "good" } })
    );
    e.handle(WallMs(2_000), Input::Visible);
    e.handle(WallMs(3_000), Input::Hidden);
    e.handle(WallMs(3_100), Input::Unload { unsent: &[] });
    assert!(
        vitals(&wire(&drain(&mut e))).is_empty(),
        "once per page view"
    );
}

#[cfg(feature = "signals")]
#[test]
fn a_route_change_sends_the_ended_page_views_vitals_under_its_path() {
    let mut e = engine(|o| {
        o.autocapture.web_vitals = Some(true);
        o.flush_at = Some(100.0);
    });
    start(&mut e, 0);
    measure(
        &mut e,
        &[
            Measure::Lcp(700.0),
            Measure::LayoutShifts,
            Measure::Interaction {
                id: 1,
                duration: 300.0,
            },
            Measure::Count(1),
        ],
    );
    let next = Page {
        url: "https://shop.example/cart".into(),
        path: "/cart".into(),
        title: "Cart".into(),
        ..Page::default()
    };
    e.handle(
        WallMs(1_000),
        Input::Route {
            change: crate::core::signals::page_view::RouteChange::Push,
            page: &next,
        },
    );
    measure(
        &mut e,
        &[
            Measure::Interaction {
                id: 2,
                duration: 40.0,
            },
            Measure::Count(2),
        ],
    );
    e.handle(WallMs(2_000), Input::Unload { unsent: &[] });
    let events = wire(&drain(&mut e));
    let sent = vitals(&events);
    assert_eq!(sent.len(), 2, "{events:?}");
    assert_eq!(sent[0]["context"]["page"]["path"], "/");
    assert_eq!(sent[0]["properties"]["inp"], 300);
    assert_eq!(sent[0]["properties"]["lcp"], 700);
    assert_eq!(sent[1]["context"]["page"]["path"], "/cart");
    assert_eq!(
        sent[1]["properties"],
        serde_json::json!({ "inp": 40, "cls": 0, "rating": { "inp": "good", "cls": "good" } })
    );
}

#[test]
fn back_from_the_bfcache_a_new_page_views_vitals() {
    let mut e = engine(|o| o.autocapture.web_vitals = Some(true));
    start(&mut e, 0);
    measure(&mut e, &[Measure::Fcp(300.0)]);
    e.handle(WallMs(1_000), Input::Unload { unsent: &[] });
    assert_eq!(vitals(&wire(&drain(&mut e))).len(), 1);
    e.handle(WallMs(60_000), Input::Resume { fresh_tab: [7; 16] });
    measure(&mut e, &[Measure::Fcp(16.0), Measure::Lcp(16.0)]);
    e.handle(WallMs(61_000), Input::Hidden);
    let events = wire(&drain(&mut e));
    let sent = vitals(&events);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["properties"]["ttfb"], 0);
    assert_eq!(sent[0]["properties"]["lcp"], 16);
}
