//! Without attribution and sessions: every event of the page carries the
//! landing URL's campaign parameters and click ids, and nothing of the
//! referrer, the channel or a session.

use super::*;

fn landing(url: &str, referrer: &str) -> Engine {
    let mut environment = env();
    environment.page = Page {
        url: url.into(),
        path: "/".into(),
        title: "Shop".into(),
        referrer: referrer.into(),
        ..Page::default()
    };
    let boot = Boot {
        anonymous_id: Some(AID),
        tab: "tab1",
        online: true,
        ..Boot::default()
    };
    Engine::new(
        config(|o| o.strip_query_params = Some(vec!["token".into()])),
        environment,
        boot,
    )
}

fn flushed(e: &mut Engine, now: u64) -> Vec<Value> {
    e.handle(WallMs(now), Input::Flush { ticket: 1 });
    sends(&drain(e))
        .into_iter()
        .flat_map(|(_, b)| b["batch"].as_array().unwrap().clone())
        .collect()
}

#[test]
fn events_carry_the_landings_campaign_and_click_ids_only() {
    let url = "https://shop.example/?utm_source=News&utm_medium=email&utm_campaign=spring%20sale\
               &gclid=G1&token=secret&utm_source=ignored";
    let mut e = landing(url, "https://www.google.com/search?q=phone+repair");
    track(&mut e, 1_000, "a", None, 1);
    // A route change keeps them: they belong to the page load.
    e.set_page(Page {
        url: "https://shop.example/next".into(),
        path: "/next".into(),
        ..Page::default()
    });
    track(&mut e, 2_000, "b", None, 2);
    let events = flushed(&mut e, 3_000);
    assert_eq!(events.len(), 2);
    for ev in &events {
        let c = &ev["context"];
        assert_eq!(
            c["campaign"],
            serde_json::json!({"source": "News", "medium": "email", "name": "spring sale"})
        );
        assert_eq!(c["clickIds"], serde_json::json!({"gclid": "G1"}));
        for absent in ["referrer", "channel", "session"] {
            assert!(c.get(absent).is_none(), "{absent} in {c}");
        }
    }
    assert_eq!(
        events[0]["context"]["page"]["url"],
        "https://shop.example/?utm_source=News&utm_medium=email&utm_campaign=spring%20sale&gclid=G1&utm_source=ignored",
        "the page URL loses what stripQueryParams names; the campaign is read before"
    );
}

#[test]
fn a_direct_landing_carries_no_campaign() {
    let mut e = landing("https://shop.example/", "");
    track(&mut e, 1_000, "a", None, 1);
    let events = flushed(&mut e, 2_000);
    let c = &events[0]["context"];
    for absent in ["campaign", "clickIds", "referrer", "channel", "session"] {
        assert!(c.get(absent).is_none(), "{absent} in {c}");
    }
    // Nothing of sessions reaches storage either.
    e.handle(WallMs(3_000), Input::Unload { unsent: &[] });
    assert!(!drain(&mut e).iter().any(|eff| matches!(
        eff,
        Effect::Store { key, .. } if key.starts_with("footfall.session") || key.starts_with("footfall.touch")
    )));
}
