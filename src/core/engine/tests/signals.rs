//! Behaviour signals through the engine: page views, route changes, page_leave, rage clicks.

use super::*;

/// Every event of every Send or Beacon effect, in order.
fn wire(effects: &[Effect]) -> Vec<Value> {
    sends(effects)
        .into_iter()
        .flat_map(|(_, body)| {
            let context = body.get("context").cloned();
            body["batch"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    let mut e = e.clone();
                    if let Some(Value::Object(shared)) = &context {
                        let own = e["context"].as_object().cloned().unwrap_or_default();
                        let mut merged = shared.clone();
                        merged.extend(own);
                        e["context"] = Value::Object(merged);
                    }
                    e
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn name(e: &Value) -> String {
    e["event"]
        .as_str()
        .map_or_else(|| e["type"].as_str().unwrap().to_owned(), str::to_owned)
}

fn page(path: &str) -> Page {
    let before_hash = path.split('#').next().unwrap();
    Page {
        url: format!("https://shop.example{path}"),
        path: before_hash.split('?').next().unwrap().to_owned(),
        search: before_hash
            .find('?')
            .map_or(String::new(), |i| before_hash[i..].to_owned()),
        title: "Shop".into(),
        ..Page::default()
    }
}

#[test]
fn start_records_the_first_page_view() {
    let mut e = engine(|o| o.flush_at = Some(1.0));
    start(&mut e, 1_000);
    e.handle(WallMs(1_000), Input::Drain);
    let events = wire(&drain(&mut e));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["type"], "page");
    assert_eq!(events[0]["properties"]["path"], "/");
    assert_eq!(events[0]["context"]["page"]["url"], "https://shop.example/");
    assert_eq!(
        events[0]["messageId"],
        "5a5a5a5a-5a5a-4a5a-9a5a-5a5a5a5a5a5b"
    );

    let mut e = engine(|o| o.autocapture.page_views = Some(false));
    start(&mut e, 1_000);
    assert!(drain(&mut e).is_empty(), "no page event");
    let mut e = engine(|o| o.autocapture.all = Some(false));
    start(&mut e, 1_000);
    e.handle(WallMs(9_000), Input::Unload { unsent: &[] });
    assert!(wire(&drain(&mut e)).is_empty(), "nothing automatic at all");
}

#[test]
fn a_route_change_ends_the_page_view_and_starts_the_next() {
    let mut e = engine(|o| o.flush_at = Some(100.0));
    start(&mut e, 0);
    for t in [100, 150, 200] {
        e.handle(WallMs(t), Input::PointerDown { x: 5, y: 5 });
    }
    assert!(drain(&mut e).contains(&Effect::Signal(SignalEffect::DescribeTarget)));
    e.handle(
        WallMs(200),
        Input::RageTarget {
            selector: "button#buy",
            text: "Buy",
        },
    );
    let shop = page("/shop?sort=price");
    e.handle(
        WallMs(1_000),
        Input::Route {
            change: RouteChange::Push,
            page: &shop,
        },
    );
    // The same location again, and a replace keeping the path: nothing.
    e.handle(
        WallMs(1_100),
        Input::Route {
            change: RouteChange::Push,
            page: &shop,
        },
    );
    let filtered = page("/shop?sort=name");
    e.handle(
        WallMs(1_200),
        Input::Route {
            change: RouteChange::Replace,
            page: &filtered,
        },
    );
    track(&mut e, 1_300, "after", None, 7);
    e.handle(WallMs(1_400), Input::Flush { ticket: 1 });
    let events = wire(&drain(&mut e));
    let names: Vec<_> = events.iter().map(name).collect();
    assert_eq!(names, ["page", "rage_click", "page_leave", "page", "after"]);
    let paths: Vec<_> = events
        .iter()
        .map(|e| e["context"]["page"]["path"].clone())
        .collect();
    assert_eq!(paths, ["/", "/", "/", "/shop", "/shop"]);
    assert_eq!(events[1]["properties"]["clicks"], 3);
    assert_eq!(events[1]["properties"]["selector"], "button#buy");
    assert_eq!(events[2]["properties"]["engaged_ms"], 1_000);
    assert_eq!(events[3]["properties"]["search"], "?sort=price");
    assert_eq!(
        events[3]["properties"]["url"],
        "https://shop.example/shop?sort=price"
    );
    let ids: std::collections::BTreeSet<_> =
        events.iter().map(|e| e["messageId"].to_string()).collect();
    assert_eq!(ids.len(), 5, "distinct message ids");

    // With history off, route changes are ignored.
    let mut e = engine(|o| o.autocapture.history = Some(false));
    start(&mut e, 0);
    drain(&mut e);
    e.handle(
        WallMs(1_000),
        Input::Route {
            change: RouteChange::Push,
            page: &shop,
        },
    );
    assert!(drain(&mut e).is_empty());
}

#[test]
fn page_leave_leaves_with_the_unload_beacons() {
    let mut e = engine(|_| {});
    start(&mut e, 0);
    e.handle(
        WallMs(10),
        Input::Scroll {
            scroll_y: 0,
            viewport_h: 600,
            doc_h: 2400,
            scrolled: false,
        },
    );
    e.handle(WallMs(1_000), Input::Activity);
    drain(&mut e);
    e.handle(WallMs(2_000), Input::Unload { unsent: &[] });
    let mut events = Vec::new();
    loop {
        let effects = drain(&mut e);
        let Some((batch, _)) = sends(&effects).into_iter().next() else {
            break;
        };
        events.extend(wire(&effects));
        e.handle(
            WallMs(2_000),
            Input::BeaconResult {
                batch,
                accepted: true,
            },
        );
    }
    let names: Vec<_> = events.iter().map(name).collect();
    assert_eq!(names, ["page", "page_leave"]);
    assert_eq!(events[1]["properties"]["engaged_ms"], 2_000);
    assert_eq!(events[1]["properties"]["max_scroll_percent"], 25);
    // visibilitychange after pagehide adds nothing.
    e.handle(WallMs(2_001), Input::Hidden);
    assert!(wire(&drain(&mut e)).is_empty());
}

#[test]
fn hidden_beacons_page_leave_and_a_return_continues_the_page_view() {
    let mut e = engine(|_| {});
    start(&mut e, 0);
    drain(&mut e);
    e.handle(WallMs(3_000), Input::Hidden);
    let effects = drain(&mut e);
    let names: Vec<_> = wire(&effects).iter().map(name).collect();
    assert_eq!(names, ["page", "page_leave"]);
    assert!(
        effects.iter().all(|e| !matches!(e, Effect::Send { .. })),
        "beacons only"
    );
    e.handle(WallMs(60_000), Input::Visible);
    e.handle(WallMs(61_000), Input::Activity);
    e.handle(WallMs(62_000), Input::Hidden);
    let events = wire(&drain(&mut e));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["event"], "page_leave");
    assert_eq!(events[0]["properties"]["engaged_ms"], 2_000);
}

#[test]
fn signals_flow_through_the_engine() {
    let mut e = engine(|o| {
        o.flush_at = Some(100.0);
        o.autocapture.min_dwell_ms = Some(500.0);
    });
    start(&mut e, 0);
    // Scroll milestones.
    e.handle(
        WallMs(100),
        Input::Scroll {
            scroll_y: 1800,
            viewport_h: 600,
            doc_h: 2400,
            scrolled: true,
        },
    );
    // A rage burst ends by the timer.
    for t in [200, 250, 300] {
        e.handle(WallMs(t), Input::PointerDown { x: 1, y: 2 });
    }
    assert_eq!(e.poll_timeout(), Some(WallMs(1_301)));
    e.handle(WallMs(1_301), Input::Tick);
    // Exit intent: the callbacks, then the event.
    e.handle(
        WallMs(1_400),
        Input::MouseOut {
            client_y: -4,
            left_window: true,
        },
    );
    let effects = drain(&mut e);
    assert!(effects.contains(&Effect::Signal(SignalEffect::ExitIntent {
        dwell_ms: 1_400,
        max_scroll_percent: 100
    })));
    // A declarative click.
    e.handle(
        WallMs(1_500),
        Input::Declared {
            name: "price_checked",
            properties: r#"{"service":"battery"}"#,
        },
    );
    e.handle(
        WallMs(1_500),
        Input::Declared {
            name: " ",
            properties: "{}",
        },
    );
    e.handle(WallMs(1_600), Input::Flush { ticket: 1 });
    let events = wire(&drain(&mut e));
    let names: Vec<_> = events.iter().map(name).collect();
    assert_eq!(
        names,
        [
            "page",
            "scroll_depth",
            "scroll_depth",
            "scroll_depth",
            "scroll_depth",
            "scroll_depth",
            "rage_click",
            "exit_intent",
            "price_checked",
            "element_clicked"
        ]
    );
    let percents: Vec<_> = events[1..6]
        .iter()
        .map(|e| e["properties"]["percent"].clone())
        .collect();
    assert_eq!(percents, [25, 50, 75, 90, 100]);
    assert_eq!(events[6]["properties"]["x"], 1);
    assert_eq!(events[6]["properties"]["selector"], "");
    assert_eq!(events[7]["properties"]["dwell_ms"], 1_400);
    assert_eq!(events[8]["properties"]["service"], "battery");

    // Declarative clicks off.
    let mut e = engine(|o| o.autocapture.clicks = Some(false));
    start(&mut e, 0);
    drain(&mut e);
    e.handle(
        WallMs(1),
        Input::Declared {
            name: "x",
            properties: "{}",
        },
    );
    assert!(drain(&mut e).is_empty());
}

#[test]
fn shutdown_keeps_a_rage_burst_in_progress() {
    let mut e = engine(|_| {});
    start(&mut e, 0);
    for t in [200, 250, 300] {
        e.handle(WallMs(t), Input::PointerDown { x: 1, y: 2 });
    }
    drain(&mut e);
    e.handle(WallMs(400), Input::Shutdown);
    let stored: String = drain(&mut e)
        .into_iter()
        .filter_map(|e| match e {
            Effect::Store { key, value } if key.starts_with(crate::core::tabs::SEGMENT_PREFIX) => {
                Some(value)
            }
            _ => None,
        })
        .collect();
    assert!(stored.contains(r#""event":"rage_click""#), "{stored}");
    assert_eq!(e.poll_timeout(), None);
}

#[test]
fn a_page_back_from_the_bfcache_is_a_new_page_view() {
    let mut e = engine(|o| o.flush_at = Some(100.0));
    start(&mut e, 0);
    e.handle(WallMs(1_000), Input::Unload { unsent: &[] });
    let first: Vec<_> = wire(&drain(&mut e)).iter().map(name).collect();
    assert_eq!(first, ["page", "page_leave"]);
    e.handle(WallMs(60_000), Input::Resume { fresh_tab: [7; 16] });
    e.handle(WallMs(60_000), Input::Visible);
    e.handle(WallMs(61_000), Input::Hidden);
    let events = wire(&drain(&mut e));
    let names: Vec<_> = events.iter().map(name).collect();
    assert_eq!(names, ["page", "page_leave"]);
    assert_eq!(events[1]["properties"]["engaged_ms"], 1_000);
}
