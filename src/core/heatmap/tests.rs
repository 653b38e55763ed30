use super::*;
use serde_json::{json, Value};

fn click(x: f64, y: f64) -> Click {
    Click {
        client_x: x,
        client_y: y,
        scroll_y: 0.0,
        width: 1000,
        height: 800,
        interactive: true,
        changed: true,
        age_ms: 0,
    }
}

fn taken(h: &mut PageHeatmap) -> Value {
    serde_json::from_str(&h.take("/p").unwrap()).unwrap()
}

#[test]
fn points_are_viewport_fractions_and_page_pixels() {
    let mut h = PageHeatmap::default();
    let rage = RageClickSettings::default();
    h.on_click(
        WallMs(1_000),
        &Click {
            scroll_y: 1_500.0,
            ..click(250.0, 100.4)
        },
        rage,
    );
    h.on_click(WallMs(5_000), &click(999.6, 0.0), rage);
    h.on_click(WallMs(9_000), &click(-5.0, -3.0), rage);
    assert_eq!(
        h.poll_timeout(),
        Some(WallMs(11_000)),
        "10 s after the first"
    );
    assert_eq!(
        taken(&mut h),
        json!({ "path": "/p", "viewport": [1000, 800], "points": [[0.25, 1600, "click"], [1, 0, "click"], [0, 0, "click"]] })
    );
    assert_eq!(h.take("/p"), None, "taken once");
    assert_eq!(h.poll_timeout(), None);
}

#[test]
fn dead_clicks_are_non_interactive_clicks_that_changed_nothing() {
    let mut h = PageHeatmap::default();
    let rage = RageClickSettings::default();
    let quiet = Click {
        interactive: false,
        changed: false,
        age_ms: 1_000,
        ..click(10.0, 10.0)
    };
    h.on_click(WallMs(2_000), &quiet, rage);
    h.on_click(
        WallMs(4_000),
        &Click {
            changed: true,
            ..quiet
        },
        rage,
    );
    h.on_click(
        WallMs(6_000),
        &Click {
            interactive: true,
            changed: false,
            ..quiet
        },
        rage,
    );
    let kinds: Vec<Value> = taken(&mut h)["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[2].clone())
        .collect();
    assert_eq!(kinds, [json!("dead"), json!("click"), json!("click")]);
}

#[test]
fn a_burst_of_clicks_on_one_spot_is_rage_every_click_of_it() {
    let mut h = PageHeatmap::default();
    let rage = RageClickSettings::default();
    h.on_click(WallMs(0), &click(100.0, 100.0), rage);
    h.on_click(WallMs(2_000), &click(500.0, 500.0), rage);
    h.on_click(WallMs(2_200), &click(505.0, 498.0), rage);
    h.on_click(WallMs(2_400), &click(498.0, 503.0), rage);
    // Too far (40 px), then too late (after 1 s).
    h.on_click(WallMs(2_500), &click(540.0, 500.0), rage);
    h.on_click(WallMs(4_000), &click(500.0, 500.0), rage);
    let kinds: Vec<Value> = taken(&mut h)["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[2].clone())
        .collect();
    assert_eq!(kinds, ["click", "rage", "rage", "rage", "click", "click"]);
    // Dead clicks in a burst are rage clicks: the burst says more. Their
    // times are when they happened, not when reported.
    let mut h = PageHeatmap::default();
    for t in [1_000, 1_100, 1_200] {
        let quiet = Click {
            interactive: false,
            changed: false,
            age_ms: 1_000,
            ..click(10.0, 10.0)
        };
        h.on_click(WallMs(t + 1_000), &quiet, rage);
    }
    let kinds: Vec<Value> = taken(&mut h)["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[2].clone())
        .collect();
    assert_eq!(kinds, ["rage", "rage", "rage"]);
}

#[test]
fn at_most_500_points_per_page_view() {
    let mut h = PageHeatmap::default();
    let rage = RageClickSettings {
        clicks: 0,
        ..RageClickSettings::default()
    };
    for t in 0..600 {
        h.on_click(WallMs(t * 100), &click(1.0, 1.0), rage);
        if t == 99 {
            h.take("/p");
        }
    }
    assert_eq!(taken(&mut h)["points"].as_array().unwrap().len(), 400);
    h.on_click(WallMs(70_000), &click(1.0, 1.0), rage);
    assert_eq!(h.take("/p"), None, "the page view's 500 are spent");
    h.begin();
    h.on_click(WallMs(70_000), &click(1.0, 1.0), rage);
    assert_eq!(
        taken(&mut h)["points"].as_array().unwrap().len(),
        1,
        "a new page view"
    );
    // A zero-width viewport (a hostile or detached report) records nothing.
    h.on_click(
        WallMs(71_000),
        &Click {
            width: 0,
            ..click(1.0, 1.0)
        },
        rage,
    );
    assert_eq!(h.take("/p"), None);
}
