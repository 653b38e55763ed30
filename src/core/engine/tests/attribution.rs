//! Attribution and sessions in the events.

use super::*;
use crate::core::attribution::session::SessionBoot;

fn landing_engine(
    url: &str,
    referrer: &str,
    now: u64,
    stored: &[(String, String)],
    f: impl FnOnce(&mut Options),
) -> Engine {
    let get = |k: &str| {
        stored
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let mut environment = env();
    environment.page = Page {
        url: url.into(),
        path: "/".into(),
        search: url
            .find('?')
            .map(|i| url[i..].to_owned())
            .unwrap_or_default(),
        title: "Shop".into(),
        referrer: referrer.into(),
    };
    let boot = Boot {
        anonymous_id: Some(AID),
        user_id: None,
        fresh_id: [9; 16],
        tab: "tab1",
        seed: 5,
        online: true,
        consent_record: None,
        signals: Default::default(),
        #[cfg(feature = "ecommerce")]
        orders: None,
        #[cfg(feature = "experiments")]
        exposed: None,
        session: SessionBoot {
            now: WallMs(now),
            session: get(crate::core::attribution::session::KEY_SESSION),
            first_touch: get(crate::core::attribution::session::KEY_FIRST_TOUCH),
            last_touch: get(crate::core::attribution::session::KEY_LAST_TOUCH),
            fresh_id: [0x51; 16],
        },
    };
    Engine::new(config(f), environment, boot)
}

/// Drains at `now` and returns (events sent, session and touch records stored).
fn drain_events(e: &mut Engine, now: u64) -> (Vec<Value>, Vec<(String, String)>) {
    e.handle(WallMs(now), Input::Flush { ticket: 99 });
    let effects = drain(e);
    let events = sends(&effects)
        .into_iter()
        .flat_map(|(_, b)| b["batch"].as_array().unwrap().clone())
        .collect();
    let stored = effects
        .into_iter()
        .filter_map(|eff| match eff {
            Effect::Store { key, value }
                if key == crate::core::attribution::session::KEY_SESSION
                    || key.starts_with("footfall.touch.") =>
            {
                Some((key, value))
            }
            _ => None,
        })
        .collect();
    (events, stored)
}

#[test]
fn events_carry_the_visits_attribution_and_session() {
    let url = "https://shop.example/?utm_source=google&utm_medium=cpc&utm_campaign=spring&gclid=G1";
    let mut e = landing_engine(url, "https://www.google.com/", 1000, &[], |_| {});
    track(&mut e, 1000, "a", None, 1);
    track(&mut e, 1001, "b", None, 2);
    e.handle(
        WallMs(1002),
        Input::Page {
            name: None,
            properties: None,
            id: [3; 16],
            current: None,
        },
    );
    let (events, stored) = drain_events(&mut e, 1003);
    assert_eq!(events.len(), 3);
    let session_id = e.session_id().to_owned();
    assert!(is_uuid(&session_id));
    for (i, ev) in events.iter().enumerate() {
        let c = &ev["context"];
        assert_eq!(c["campaign"]["source"], "google");
        assert_eq!(c["campaign"]["medium"], "cpc");
        assert_eq!(c["campaign"]["name"], "spring");
        assert!(c["campaign"].get("term").is_none(), "empty fields omitted");
        assert_eq!(c["clickIds"]["gclid"], "G1");
        assert_eq!(c["referrer"]["type"], "search");
        assert_eq!(c["referrer"]["name"], "google");
        assert_eq!(c["referrer"]["host"], "www.google.com");
        assert_eq!(c["channel"], "Paid Search");
        assert_eq!(c["session"]["id"], session_id.as_str());
        assert_eq!(c["session"].get("start").is_some(), i == 0, "{i}");
    }
    // Session and touches stored once for the whole task.
    let keys: Vec<&str> = stored.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "footfall.touch.first",
            "footfall.touch.last",
            "footfall.session"
        ]
    );
    // The next page load (internal) continues the session and its attribution.
    let mut e2 = landing_engine(
        "https://shop.example/cart",
        "https://shop.example/",
        60_000,
        &stored,
        |_| {},
    );
    assert_eq!(e2.session_id(), session_id);
    track(&mut e2, 60_000, "c", None, 4);
    let (events, stored2) = drain_events(&mut e2, 60_001);
    let c = &events[0]["context"];
    assert_eq!(c["channel"], "Paid Search");
    assert_eq!(c["campaign"]["name"], "spring");
    assert_eq!(c["referrer"]["name"], "google");
    assert_eq!(c["session"]["id"], session_id.as_str());
    assert!(c["session"].get("start").is_none());
    let keys: Vec<&str> = stored2.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["footfall.session"], "first and last touch unchanged");
    // Nothing more to store until the next activity.
    e2.handle(WallMs(60_002), Input::Tick);
    assert!(!drain(&mut e2)
        .iter()
        .any(|x| matches!(x, Effect::Store { .. })));
}

#[test]
fn a_session_that_idles_out_mid_page_gets_a_new_id_and_start() {
    let mut e = landing_engine("https://shop.example/", "", 0, &[], |o| {
        o.session_timeout_min = Some(5.0)
    });
    track(&mut e, 0, "a", None, 1);
    let first = e.session_id().to_owned();
    track(&mut e, 6 * 60_000, "b", None, 2);
    assert_ne!(e.session_id(), first);
    let (events, _) = drain_events(&mut e, 6 * 60_000);
    assert_eq!(events[0]["context"]["session"]["start"], true);
    assert_eq!(events[1]["context"]["session"]["start"], true);
    assert_eq!(events[1]["context"]["session"]["id"], e.session_id());
    assert_eq!(events[1]["context"]["channel"], "Direct");
}

#[test]
fn urls_are_redacted_but_campaigns_kept() {
    let url = "https://u:pw@shop.example/account/jo@example.com?token=s3cr3t&utm_source=news&utm_medium=email&email=jo%40example.com&fbclid=F";
    let referrer = "https://mail.example.net/read?to=ann@example.org&token=x";
    let mut e = landing_engine(url, referrer, 0, &[], |o| {
        o.strip_query_params = Some(vec!["token".into()]);
    });
    // The path as the browser reports it.
    e.set_page(Page {
        url: url.into(),
        path: "/account/jo@example.com".into(),
        search: "?token=s3cr3t&utm_source=news&utm_medium=email&email=jo%40example.com&fbclid=F"
            .into(),
        title: "Shop".into(),
        referrer: referrer.into(),
    });
    e.handle(
        WallMs(1),
        Input::Page {
            name: None,
            properties: None,
            id: [1; 16],
            current: None,
        },
    );
    let (events, _) = drain_events(&mut e, 2);
    let ev = &events[0];
    let text = ev.to_string();
    for secret in ["s3cr3t", "jo@", "jo%40", "ann@", "pw@", "token"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let page = &ev["context"]["page"];
    assert_eq!(
        page["url"],
        "https://u:[email]/account/[email]?utm_source=news&utm_medium=email&email=[email]&fbclid=F"
    );
    assert_eq!(page["path"], "/account/[email]");
    assert_eq!(
        page["search"],
        "?utm_source=news&utm_medium=email&email=[email]&fbclid=F"
    );
    assert_eq!(page["referrer"], "https://mail.example.net/read?to=[email]");
    assert_eq!(ev["properties"]["url"], page["url"]);
    assert_eq!(ev["properties"]["referrer"], page["referrer"]);
    let c = &ev["context"];
    assert_eq!(c["campaign"]["source"], "news");
    assert_eq!(c["clickIds"]["fbclid"], "F");
    assert_eq!(c["channel"], "Email");
    assert_eq!(c["referrer"]["host"], "mail.example.net");
}

#[test]
fn a_page_change_keeps_the_attribution() {
    let mut e = landing_engine(
        "https://shop.example/?utm_source=news&utm_medium=email",
        "",
        0,
        &[],
        |_| {},
    );
    track(&mut e, 0, "a", None, 1);
    e.set_page(Page {
        url: "https://shop.example/route2".into(),
        path: "/route2".into(),
        ..Page::default()
    });
    track(&mut e, 1, "b", None, 2);
    let (events, _) = drain_events(&mut e, 2);
    assert_eq!(events[1]["context"]["page"]["path"], "/route2");
    assert_eq!(events[1]["context"]["channel"], "Email");
    assert_eq!(events[1]["context"]["campaign"]["source"], "news");
    assert_eq!(
        events[0]["context"]["session"]["id"],
        events[1]["context"]["session"]["id"]
    );
}

#[test]
fn the_session_waits_for_consent_like_everything_else() {
    let mut e = consent_engine("opt-in", None, Signals::default(), |_| {});
    track(&mut e, 10, "early", None, 1);
    e.handle(WallMs(11), Input::Drain);
    assert!(
        !drain(&mut e)
            .iter()
            .any(|x| matches!(x, Effect::Store { .. })),
        "nothing stored before consent"
    );
    e.handle(
        WallMs(20),
        Input::Consent {
            choice: GRANT,
            fresh_id: [3; 16],
        },
    );
    e.handle(WallMs(21), Input::Flush { ticket: 1 });
    let effects = drain(&mut e);
    assert!(effects.iter().any(
        |x| matches!(x, Effect::Store { key, .. } if key == crate::core::attribution::session::KEY_SESSION)
    ));
    let sent = sends(&effects);
    let early = sent
        .iter()
        .flat_map(|(_, b)| b["batch"].as_array().unwrap().clone())
        .find(|ev| ev["event"] == "early")
        .unwrap();
    assert_eq!(early["context"]["session"]["id"], e.session_id());
    assert_eq!(early["context"]["session"]["start"], true);
    assert_eq!(early["context"]["channel"], "Direct");
    assert_eq!(
        early["context"]["consent"]["categoryPreferences"]["analytics"],
        true
    );
}
