//! PageSignals on tables of plain inputs: what each input yields, in order.

use super::*;
use crate::core::config::AutocaptureOptions;
use serde_json::Value;

fn signals(f: impl FnOnce(&mut AutocaptureOptions)) -> PageSignals {
    let mut o = AutocaptureOptions::default();
    f(&mut o);
    PageSignals::new(&Autocapture::resolve(&o), "https://s.example/", "/")
}

fn drain(s: &mut PageSignals) -> Vec<Auto> {
    std::iter::from_fn(|| s.poll_auto()).collect()
}

/// Track events as (name, properties).
fn tracks(autos: &[Auto]) -> Vec<(&'static str, Value)> {
    autos
        .iter()
        .filter_map(|a| match a {
            Auto::Track(n, p) => Some((*n, serde_json::from_str(p).expect("valid JSON"))),
            _ => None,
        })
        .collect()
}

#[test]
fn a_page_view_from_arrival_to_leave() {
    let mut s = signals(|_| {});
    s.start(WallMs(1_000), false, true);
    s.on_scroll(WallMs(1_100), 0, 1000, 4000, false);
    assert!(drain(&mut s).is_empty(), "no milestone on load");
    s.on_scroll(WallMs(3_000), 1000, 1000, 4000, true);
    s.on_mouse_out(WallMs(4_000), -2, true);
    s.on_unload(WallMs(5_000));
    let autos = drain(&mut s);
    assert_eq!(
        autos.get(2),
        Some(&Auto::ExitIntent {
            dwell_ms: 3_000,
            max_scroll_percent: 50
        })
    );
    let t = tracks(&autos);
    let names: Vec<_> = t.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["scroll_depth", "scroll_depth", "exit_intent", "page_leave"]
    );
    assert_eq!(t[0].1["percent"], 25);
    assert_eq!(t[1].1["percent"], 50);
    assert_eq!(
        t[2].1,
        serde_json::json!({"dwell_ms": 3000, "max_scroll_percent": 50})
    );
    // Inputs at 1 s (arrival) and 3 s (scroll): 2 s + 2 s (until leave).
    assert_eq!(
        t[3].1,
        serde_json::json!({"engaged_ms": 4000, "max_scroll_percent": 50})
    );
    // pagehide after hidden: one page_leave.
    s.on_hidden(WallMs(5_001));
    assert!(drain(&mut s).is_empty());
}

#[test]
fn hidden_then_back_sends_a_second_page_leave_with_the_time_since() {
    let mut s = signals(|_| {});
    s.start(WallMs(0), false, true);
    s.on_input(WallMs(2_000));
    s.on_hidden(WallMs(3_000));
    s.on_visible(WallMs(100_000));
    s.on_input(WallMs(101_000));
    s.on_hidden(WallMs(101_500));
    s.on_unload(WallMs(101_600));
    let t = tracks(&drain(&mut s));
    let engaged: Vec<_> = t
        .iter()
        .map(|(n, p)| (*n, p["engaged_ms"].clone()))
        .collect();
    assert_eq!(
        engaged,
        [("page_leave", 3_000.into()), ("page_leave", 1_500.into())]
    );
}

#[test]
fn a_rage_burst_is_described_once_and_reported_when_it_ends() {
    let mut s = signals(|_| {});
    s.start(WallMs(0), false, true);
    s.on_pointer_down(WallMs(100), 50, -3);
    s.on_pointer_down(WallMs(200), 52, -1);
    assert!(drain(&mut s).is_empty());
    s.on_pointer_down(WallMs(300), 51, -2);
    assert_eq!(drain(&mut s), [Auto::DescribeTarget]);
    s.on_target("div#cart > button.buy", "  Buy\n  now ");
    s.on_pointer_down(WallMs(400), 50, -3);
    assert!(drain(&mut s).is_empty(), "described once");
    assert_eq!(s.poll_timeout(), Some(WallMs(1_401)));
    s.on_tick(WallMs(1_401));
    let t = tracks(&drain(&mut s));
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].0, "rage_click");
    assert_eq!(
        t[0].1,
        serde_json::json!({"clicks": 4, "x": 50, "y": -3, "selector": "div#cart > button.buy", "text": "Buy now"})
    );
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn a_rage_burst_in_progress_is_reported_before_page_leave() {
    let mut s = signals(|_| {});
    s.start(WallMs(0), false, true);
    for t in [100, 150, 200] {
        s.on_pointer_down(WallMs(t), 10, 10);
    }
    s.end(WallMs(300));
    let names: Vec<_> = tracks(&drain(&mut s)).iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["rage_click", "page_leave"]);
    // The next page view starts clean.
    s.begin(WallMs(300));
    s.on_pointer_down(WallMs(400), 10, 10);
    s.on_pointer_down(WallMs(450), 10, 10);
    s.end(WallMs(500));
    let names: Vec<_> = tracks(&drain(&mut s)).iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["page_leave"]);
}

#[test]
fn each_signal_can_be_turned_off() {
    let mut s = signals(|o| o.all = Some(false));
    s.start(WallMs(0), true, true);
    s.on_scroll(WallMs(3_000), 3000, 1000, 4000, true);
    s.on_scroll(WallMs(3_016), 0, 1000, 4000, true);
    for t in [3_100, 3_150, 3_200] {
        s.on_pointer_down(WallMs(t), 10, 10);
    }
    s.on_mouse_out(WallMs(4_000), -5, true);
    s.on_hidden(WallMs(5_000));
    s.end(WallMs(6_000));
    assert!(drain(&mut s).is_empty());
    assert_eq!(PageSignals::needs(&Autocapture::off()), Needs::default());
    assert_eq!(
        PageSignals::needs(&Autocapture::default()),
        Needs {
            scroll: true,
            pointer_down: true,
            activity: true,
            mouse_out: true,
            click: true,
            history: true,
            hash_change: false
        }
    );
    let rage_only = Autocapture::resolve(&AutocaptureOptions {
        all: None,
        page_leave: Some(false),
        scroll_depth: Some(false),
        exit_intent: Some(false),
        rage_clicks: Some(0.0),
        ..AutocaptureOptions::default()
    });
    let n = PageSignals::needs(&rage_only);
    assert!(!n.scroll && !n.pointer_down && !n.activity && !n.mouse_out);
}

#[test]
fn touch_exit_intent_on_hidden_comes_before_page_leave() {
    let mut s = signals(|_| {});
    s.start(WallMs(0), true, true);
    s.on_hidden(WallMs(10_000));
    let autos = drain(&mut s);
    assert!(matches!(
        autos.first(),
        Some(Auto::ExitIntent {
            dwell_ms: 10_000,
            ..
        })
    ));
    let names: Vec<_> = tracks(&autos).iter().map(|(n, _)| *n).collect();
    assert_eq!(names, ["exit_intent", "page_leave"]);
}

#[test]
fn negative_coordinates_are_written() {
    let mut out = String::new();
    push_number(&mut out, "", -12);
    push_number(&mut out, ",", i32::MIN.into());
    push_number(&mut out, ",", i64::MIN);
    assert_eq!(out, "-12,-2147483648,-9223372036854775808");
}
