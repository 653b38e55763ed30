//! Redaction end to end: what the engine sends for each string a page or
//! the site gives it (the contract's "Redaction covers every string
//! footfall sends").

use serde_json::Value;

use crate::core::config::{Config, Options};
use crate::core::engine::{Boot, CallOptions, Effect, Engine, Input};
use crate::core::envelope::{Environment, Page, PagePatch};
use crate::core::keys::KEY_USER_ID;
use crate::core::time::WallMs;

const AID: &str = "11111111-1111-4111-8111-111111111111";
const ADDRESS: &str = "jo@example.com";

fn config(f: impl FnOnce(&mut Options)) -> Config {
    let mut o = Options {
        endpoint: Some("/collect".into()),
        flush_at: Some(100.0),
        ..Options::default()
    };
    f(&mut o);
    Config::resolve(o).unwrap()
}

fn page() -> Page {
    Page {
        url: "https://shop.example/orders?email=jo%40example.com&token=SECRET".into(),
        path: "/orders".into(),
        search: "?email=jo%40example.com&token=SECRET".into(),
        title: "Orders of jo@example.com".into(),
        referrer: "https://mail.example/?to=jo@example.com".into(),
    }
}

fn engine_with(
    user_id: Option<&str>,
    record: Option<&str>,
    f: impl FnOnce(&mut Options),
) -> Engine {
    let env = Environment {
        page: page(),
        ..Environment::default()
    };
    let boot = Boot {
        anonymous_id: Some(AID),
        user_id,
        fresh_id: [9; 16],
        tab: "tab1",
        seed: 5,
        online: true,
        consent_record: record,
        ..Boot::default()
    };
    Engine::new(config(f), env, boot)
}

fn engine(f: impl FnOnce(&mut Options)) -> Engine {
    engine_with(None, None, f)
}

/// Flushes and returns every request body (parsed: a body that is not
/// valid JSON fails the test) and every stored record.
fn flush(e: &mut Engine) -> (Vec<Value>, Vec<(String, String)>) {
    e.handle(WallMs(10), Input::Flush { ticket: 1 });
    let mut bodies = Vec::new();
    let mut stored = Vec::new();
    while let Some(effect) = e.poll_effect() {
        match effect {
            Effect::Send { body, .. } | Effect::Beacon { body, .. } => {
                bodies.push(serde_json::from_str(&body).expect("a valid JSON body"))
            }
            Effect::Store { key, value } => stored.push((key, value)),
            _ => {}
        }
    }
    (bodies, stored)
}

fn events(e: &mut Engine) -> Vec<Value> {
    let (bodies, _) = flush(e);
    bodies
        .iter()
        .flat_map(|b| b["batch"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn track<'a>(name: &'a str, properties: Option<&'a str>) -> Input<'a> {
    Input::Track {
        name,
        properties,
        id: [1; 16],
    }
}

/// No string anywhere in `value` (keys included) holds `needle`.
fn nowhere(value: &Value, needle: &str) -> bool {
    match value {
        Value::String(s) => !s.contains(needle),
        Value::Array(items) => items.iter().all(|v| nowhere(v, needle)),
        Value::Object(map) => map
            .iter()
            .all(|(k, v)| !k.contains(needle) && nowhere(v, needle)),
        _ => true,
    }
}

#[test]
fn a_newline_before_an_address_keeps_the_batch_valid() {
    let mut e = engine(|_| {});
    e.handle(
        WallMs(1),
        track("q", Some(r#"{"d":"Hi,\njo@example.com"}"#)),
    );
    e.handle(WallMs(2), track("next", Some(r#"{"n":1}"#)));
    let events = events(&mut e);
    assert_eq!(events.len(), 2, "both events of the body arrive");
    assert_eq!(events[0]["properties"]["d"], "Hi,\n[email]");
    assert_eq!(events[1]["properties"]["n"], 1);
}

#[test]
fn names_user_ids_traits_and_properties_are_redacted() {
    let mut e = engine(|_| {});
    e.handle(
        WallMs(1),
        track(
            "signup jo@example.com",
            Some(r#"{"to":"jo%40example.com"}"#),
        ),
    );
    e.handle(
        WallMs(2),
        Input::Identify {
            user_id: Some(ADDRESS),
            traits: Some(r#"{"email":"jo@example.com"}"#),
            id: [2; 16],
        },
    );
    e.handle(
        WallMs(3),
        Input::Page {
            name: Some("Welcome jo@example.com"),
            properties: None,
            id: [3; 16],
            current: None,
        },
    );
    #[cfg(feature = "signals")]
    e.handle(
        WallMs(4),
        Input::Declared {
            name: "clicked jo@example.com",
            properties: r#"{"who":"jo@example.com"}"#,
        },
    );
    let (bodies, stored) = flush(&mut e);
    let events: Vec<&Value> = bodies
        .iter()
        .flat_map(|b| b["batch"].as_array().unwrap())
        .collect();
    assert_eq!(events[0]["event"], "signup [email]");
    assert_eq!(events[0]["properties"]["to"], "[email]");
    assert_eq!(events[1]["userId"], "[email]");
    assert_eq!(events[1]["traits"]["email"], "[email]");
    assert_eq!(events[2]["name"], "Welcome [email]");
    assert_eq!(events[2]["userId"], "[email]", "and on every later event");
    #[cfg(feature = "signals")]
    {
        assert_eq!(events[3]["event"], "clicked [email]");
        assert_eq!(events[3]["properties"]["who"], "[email]");
    }
    assert_eq!(e.user_id(), Some("[email]"));
    assert!(stored.contains(&(KEY_USER_ID.to_owned(), "[email]".to_owned())));
    for body in &bodies {
        assert!(nowhere(body, "jo@") && nowhere(body, "jo%40"), "{body}");
    }
}

#[test]
fn a_stored_user_id_is_redacted_too() {
    let mut e = engine_with(Some(ADDRESS), None, |_| {});
    e.handle(WallMs(1), track("a", None));
    assert_eq!(events(&mut e)[0]["userId"], "[email]");
}

#[test]
fn page_fields_are_redacted_automatic_explicit_and_replayed() {
    let strip = |o: &mut Options| o.strip_query_params = Some(vec!["token".into()]);
    let mut e = engine(strip);
    // Automatic: the page at start (context of every event, page event).
    e.handle(WallMs(1), Input::Start { id: [4; 16] });
    // Explicit: page() where the location moved.
    let moved = Page {
        title: "Invoice for jo@example.com".into(),
        ..page()
    };
    e.handle(
        WallMs(2),
        Input::Page {
            name: None,
            properties: None,
            id: [5; 16],
            current: Some(&moved),
        },
    );
    // Replayed: a call recorded by the snippet on another page.
    let then = PagePatch {
        url: Some("https://shop.example/reset?token=SECRET&email=jo%40example.com".into()),
        path: Some("/reset/jo@example.com".into()),
        search: Some("?token=SECRET&email=jo%40example.com".into()),
        title: Some("Reset for jo@example.com".into()),
        referrer: Some("https://mail.example/?to=jo%40example.com".into()),
    };
    let call = track("replayed", None);
    e.handle(
        WallMs(3),
        Input::WithOptions {
            call: &call,
            options: CallOptions {
                timestamp: None,
                page: Some(&then),
            },
        },
    );
    let call = Input::Page {
        name: None,
        properties: None,
        id: [6; 16],
        current: None,
    };
    e.handle(
        WallMs(4),
        Input::WithOptions {
            call: &call,
            options: CallOptions {
                timestamp: None,
                page: Some(&then),
            },
        },
    );
    let events = events(&mut e);
    assert_eq!(events.len(), 4);
    let auto = &events[0];
    assert_eq!(auto["properties"]["title"], "Orders of [email]");
    assert_eq!(auto["context"]["page"]["title"], "Orders of [email]");
    assert_eq!(
        auto["context"]["page"]["url"],
        "https://shop.example/orders?email=[email]"
    );
    assert_eq!(
        auto["context"]["page"]["referrer"],
        "https://mail.example/?to=[email]"
    );
    assert_eq!(events[1]["properties"]["title"], "Invoice for [email]");
    for replayed in &events[2..] {
        let page = &replayed["context"]["page"];
        assert_eq!(page["url"], "https://shop.example/reset?email=[email]");
        assert_eq!(page["search"], "?email=[email]");
        assert_eq!(page["path"], "/reset/[email]");
        assert_eq!(page["title"], "Reset for [email]");
        assert_eq!(page["referrer"], "https://mail.example/?to=[email]");
    }
    assert_eq!(
        events[3]["properties"]["url"],
        "https://shop.example/reset?email=[email]"
    );
    for event in &events {
        assert!(nowhere(event, "jo@") && nowhere(event, "jo%40"), "{event}");
        assert!(nowhere(event, "SECRET"), "{event}");
    }
}

#[test]
fn redact_emails_false_keeps_the_sites_strings_not_the_pages() {
    let mut e = engine(|o| o.redact_emails = Some(false));
    e.handle(
        WallMs(1),
        Input::Identify {
            user_id: Some(ADDRESS),
            traits: Some(r#"{"email":"jo@example.com"}"#),
            id: [2; 16],
        },
    );
    e.handle(
        WallMs(2),
        track("signup jo@example.com", Some(r#"{"to":"jo@example.com"}"#)),
    );
    let events = events(&mut e);
    assert_eq!(events[0]["userId"], ADDRESS);
    assert_eq!(events[0]["traits"]["email"], ADDRESS);
    assert_eq!(events[1]["event"], "signup jo@example.com");
    assert_eq!(events[1]["properties"]["to"], ADDRESS);
    // What footfall reads from the page by itself is always redacted.
    assert_eq!(events[1]["context"]["page"]["title"], "Orders of [email]");
}

#[test]
fn names_that_waited_for_consent_are_redacted_and_cut() {
    let mut e = engine(|o| {
        o.consent_mode = Some("opt-in".into());
        o.max_string_length = Some(12.0);
    });
    e.handle(WallMs(1), track("signup jo@example.com", None));
    e.handle(WallMs(1), track("a_very_long_event_name", None));
    e.handle(
        WallMs(2),
        Input::Consent {
            choice: crate::core::consent::Choice {
                analytics: Some(true),
                ..Default::default()
            },
            fresh_id: [7; 16],
        },
    );
    let events = events(&mut e);
    assert_eq!(events[0]["event"], "signup [emai");
    assert_eq!(events[1]["event"], "a_very_long_");
}
