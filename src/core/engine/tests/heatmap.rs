//! Click maps through the engine: off unless asked; the points of a page
//! view leave 10 s after the first (the timer), or when the page is
//! hidden or the page view ends, under the page view's path.

use super::*;
use crate::core::heatmap::Click;

/// Every event of every Send or Beacon effect, in order.
fn wire(effects: &[Effect]) -> Vec<Value> {
    sends(effects)
        .into_iter()
        .flat_map(|(_, body)| body["batch"].as_array().unwrap().clone())
        .collect()
}

fn heatmaps(events: &[Value]) -> Vec<&Value> {
    events.iter().filter(|e| e["event"] == "heatmap").collect()
}

fn click(e: &mut Engine, now: u64, x: f64) {
    e.handle(
        WallMs(now),
        Input::Click(Click {
            client_x: x,
            client_y: 10.0,
            scroll_y: 90.0,
            width: 1000,
            height: 500,
            interactive: true,
            changed: true,
            age_ms: 0,
        }),
    );
}

#[test]
fn clicks_are_not_recorded_unless_asked() {
    let mut e = engine(|o| o.flush_at = Some(1.0));
    start(&mut e, 0);
    click(&mut e, 1, 10.0);
    e.handle(WallMs(2), Input::Unload { unsent: &[] });
    assert!(heatmaps(&wire(&drain(&mut e))).is_empty());
}

#[test]
fn points_leave_ten_seconds_after_the_first_and_at_the_end() {
    let mut e = engine(|o| {
        o.autocapture.heatmap = Some(true);
        o.flush_at = Some(1.0);
    });
    start(&mut e, 0);
    drain(&mut e);
    click(&mut e, 1_000, 100.0);
    click(&mut e, 4_000, 200.0);
    assert!(heatmaps(&wire(&drain(&mut e))).is_empty(), "not yet");
    assert!(e.poll_timeout().is_some_and(|at| at <= WallMs(11_000)));
    e.handle(WallMs(11_000), Input::Tick);
    let events = wire(&drain(&mut e));
    let sent = heatmaps(&events);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0]["properties"],
        serde_json::json!({ "path": "/", "viewport": [1000, 500], "points": [[0.1, 100, "click"], [0.2, 100, "click"]] })
    );
    click(&mut e, 12_000, 300.0);
    e.handle(WallMs(13_000), Input::Hidden);
    let effects = drain(&mut e);
    let events = wire(&effects);
    let sent = heatmaps(&events);
    assert_eq!(
        sent.len(),
        1,
        "what is pending leaves when the page is hidden"
    );
    assert_eq!(
        sent[0]["properties"]["points"],
        serde_json::json!([[0.3, 100, "click"]])
    );
    e.handle(WallMs(14_000), Input::Unload { unsent: &[] });
    assert!(heatmaps(&wire(&drain(&mut e))).is_empty(), "nothing twice");
}

#[test]
fn a_route_change_sends_the_ended_page_views_points_under_its_path() {
    let mut e = engine(|o| {
        o.autocapture.heatmap = Some(true);
        o.flush_at = Some(100.0);
    });
    start(&mut e, 0);
    click(&mut e, 1_000, 100.0);
    let next = Page {
        url: "https://shop.example/cart".into(),
        path: "/cart".into(),
        ..Page::default()
    };
    e.handle(
        WallMs(2_000),
        Input::Route {
            change: RouteChange::Push,
            page: &next,
        },
    );
    click(&mut e, 3_000, 500.0);
    e.handle(WallMs(4_000), Input::Unload { unsent: &[] });
    let events = wire(&drain(&mut e));
    let sent = heatmaps(&events);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0]["properties"]["path"], "/");
    assert_eq!(sent[0]["context"]["page"]["path"], "/");
    assert_eq!(sent[1]["properties"]["path"], "/cart");
    assert_eq!(
        sent[1]["properties"]["points"],
        serde_json::json!([[0.5, 100, "click"]])
    );
}
