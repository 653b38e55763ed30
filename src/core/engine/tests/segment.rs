//! Segment's `group` and `alias` calls: their wire form, their defaults,
//! redaction, and the wait for consent.

use super::*;

fn group(e: &mut Engine, now: u64, group_id: &str, traits: Option<&str>, n: u8) {
    e.handle(
        WallMs(now),
        Input::Group {
            group_id,
            traits,
            id: [n; 16],
        },
    );
}

fn alias(e: &mut Engine, now: u64, user_id: &str, previous_id: Option<&str>, n: u8) {
    e.handle(
        WallMs(now),
        Input::Alias {
            user_id,
            previous_id,
            id: [n; 16],
        },
    );
}

fn sent_events(e: &mut Engine, now: u64) -> Vec<Value> {
    e.handle(WallMs(now), Input::Drain);
    sends(&drain(e))
        .into_iter()
        .flat_map(|(_, b)| b["batch"].as_array().unwrap().clone())
        .collect()
}

#[test]
fn group_sends_the_group_id_and_its_traits() {
    let mut e = engine(|o| o.flush_at = Some(1.0));
    group(
        &mut e,
        0,
        "acme",
        Some(r#"{"plan":"enterprise","seats":40}"#),
        1,
    );
    let events = sent_events(&mut e, 0);
    assert_eq!(events.len(), 1);
    let ev = &events[0];
    assert_eq!(ev["type"], "group");
    assert_eq!(ev["groupId"], "acme");
    assert_eq!(ev["traits"]["plan"], "enterprise");
    assert_eq!(ev["traits"]["seats"], 40);
    assert_eq!(ev["anonymousId"], AID);
    assert_eq!(ev["messageId"], "01010101-0101-4101-8101-010101010101");
    assert!(ev.get("properties").is_none() && ev.get("event").is_none());
    assert_eq!(ev["context"]["library"]["name"], "footfall");
}

#[test]
fn alias_previous_id_defaults_to_the_user_then_the_anonymous_id() {
    let mut e = engine(|o| o.flush_at = Some(1.0));
    alias(&mut e, 0, "u-new", None, 1);
    alias(&mut e, 0, "u-new", Some("crm-7"), 2);
    e.handle(
        WallMs(0),
        Input::Identify {
            user_id: Some("u-old"),
            traits: None,
            id: [3; 16],
        },
    );
    alias(&mut e, 0, "u-new", None, 4);
    track(&mut e, 0, "after", None, 5);
    let events = sent_events(&mut e, 0);
    let aliases: Vec<(&Value, &Value)> = events
        .iter()
        .filter(|ev| ev["type"] == "alias")
        .map(|ev| (&ev["userId"], &ev["previousId"]))
        .collect();
    assert_eq!(
        aliases,
        [
            (&Value::from("u-new"), &Value::from(AID)),
            (&Value::from("u-new"), &Value::from("crm-7")),
            (&Value::from("u-new"), &Value::from("u-old")),
        ]
    );
    assert!(events
        .iter()
        .all(|ev| ev.get("traits").is_none() || ev["type"] == "identify"));
    // alias does not change the user of later events; identify does.
    assert_eq!(events.last().unwrap()["userId"], "u-old");
}

#[test]
fn group_and_alias_ids_are_redacted_and_empty_ones_refused() {
    let mut e = engine(|o| o.flush_at = Some(1.0));
    group(
        &mut e,
        0,
        "jo@example.com",
        Some(r#"{"owner":"jo@example.com"}"#),
        1,
    );
    alias(&mut e, 0, "jo@example.com", Some("old jo@example.com"), 2);
    group(&mut e, 0, "", None, 3);
    alias(&mut e, 0, "", None, 4);
    let events = sent_events(&mut e, 0);
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["groupId"], "[email]");
    assert_eq!(events[0]["traits"]["owner"], "[email]");
    assert_eq!(events[1]["userId"], "[email]");
    assert_eq!(events[1]["previousId"], "old [email]");
    assert_eq!(e.stats().invalid, 2);
    let text = serde_json::to_string(&events).unwrap();
    assert!(!text.contains("jo@"), "{text}");
}

#[test]
fn group_and_alias_wait_for_consent_like_every_call() {
    let mut e = consent_engine("opt-in", None, Signals::default(), |_| {});
    group(&mut e, 1000, "acme", Some(r#"{"plan":"pro"}"#), 1);
    alias(&mut e, 1001, "u-new", None, 2);
    assert!(
        sent_events(&mut e, 1002).is_empty(),
        "nothing sent before consent"
    );
    e.handle(
        WallMs(5000),
        Input::Consent {
            choice: GRANT,
            fresh_id: [0xbb; 16],
        },
    );
    let events = sent_events(&mut e, 5000);
    let id = "bbbbbbbb-bbbb-4bbb-bbbb-bbbbbbbbbbbb";
    assert_eq!(events[0]["type"], "group");
    assert_eq!(events[0]["groupId"], "acme");
    assert_eq!(events[0]["traits"]["plan"], "pro");
    assert_eq!(events[0]["timestamp"], "1970-01-01T00:00:01.000Z");
    assert_eq!(events[1]["type"], "alias");
    assert_eq!(events[1]["userId"], "u-new");
    assert_eq!(
        events[1]["previousId"], id,
        "the anonymous id given at consent, not the empty one of the call"
    );
    assert_eq!(events[1]["anonymousId"], id);

    // Denied: dropped, like every call.
    let mut e = consent_engine("opt-in", None, Signals::default(), |_| {});
    group(&mut e, 0, "acme", None, 1);
    e.handle(
        WallMs(1),
        Input::Consent {
            choice: DENY,
            fresh_id: [0xbb; 16],
        },
    );
    alias(&mut e, 2, "u-new", None, 2);
    assert!(sent_events(&mut e, 3).is_empty());
}
