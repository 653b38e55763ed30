//! A build without some capability: its options are accepted, ignored and
//! named with `debug`; the core goes on as in every build.

use super::*;

#[test]
fn ignored_options_are_named_with_debug() {
    let mut e = engine(|o| {
        o.debug = Some(true);
        o.session_timeout_min = Some(45.0);
        o.consent_mode_bridge = Some(true);
        o.autocapture.rage_click = Some(true);
    });
    let logged: Vec<Log> = drain(&mut e)
        .into_iter()
        .filter_map(|eff| match eff {
            Effect::Log(what) => Some(what),
            _ => None,
        })
        .collect();
    let expected: Vec<Log> = [
        (cfg!(not(feature = "signals")), "autocapture.rageClick"),
        (cfg!(not(feature = "attribution")), "sessionTimeoutMin"),
        (cfg!(not(feature = "datalayer")), "dataLayer"),
    ]
    .into_iter()
    .filter(|(lacking, _)| *lacking)
    .map(|(_, name)| Log::Ignored(name))
    .collect();
    assert_eq!(logged, expected);
    assert!(logged
        .iter()
        .all(|l| l.name().is_some() && l.as_str().contains("ignored")));

    // Without `debug`, nothing is said.
    let mut e = engine(|o| o.session_timeout_min = Some(45.0));
    assert!(drain(&mut e).is_empty());
}

#[test]
fn the_first_page_view_and_unload_delivery_are_the_cores() {
    let mut e = engine(|o| o.flush_at = Some(1.0));
    start(&mut e, 1_000);
    e.handle(WallMs(1_000), Input::Drain);
    let sent = sends(&drain(&mut e));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1["batch"][0]["type"], "page");
    track(&mut e, 2_000, "a", None, 1);
    e.handle(WallMs(2_001), Input::Unload { unsent: &[] });
    let beaconed: Vec<String> = sends(&drain(&mut e))
        .iter()
        .flat_map(|(_, b)| b["batch"].as_array().unwrap().clone())
        .map(|ev| ev["event"].as_str().unwrap_or_default().to_owned())
        .collect();
    #[cfg(not(feature = "signals"))]
    assert_eq!(beaconed, ["a"], "no page_leave without the signals");
    #[cfg(feature = "signals")]
    assert_eq!(beaconed, ["a", "page_leave"]);
}
