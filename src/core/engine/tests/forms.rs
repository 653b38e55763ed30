//! Form analytics through the engine: off unless asked; started, submitted;
//! abandoned when the page view ends, leaving with the unload beacons.

use super::*;

fn form(e: &mut Engine, now: u64, submit: bool, field: &str) {
    e.handle(
        WallMs(now),
        Input::Form {
            submit,
            form: "quote",
            fields: 4,
            field,
        },
    );
}

/// Every event of every Send or Beacon effect, in order.
fn wire(effects: &[Effect]) -> Vec<Value> {
    sends(effects)
        .into_iter()
        .flat_map(|(_, body)| body["batch"].as_array().unwrap().clone())
        .collect()
}

fn names(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| e["event"].as_str())
        .filter(|n| n.starts_with("form_"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn forms_are_not_followed_unless_asked() {
    let mut e = engine(|o| o.flush_at = Some(1.0));
    start(&mut e, 0);
    form(&mut e, 1, false, "model");
    e.handle(WallMs(2), Input::Unload { unsent: &[] });
    assert!(names(&wire(&drain(&mut e))).is_empty());
}

#[test]
fn a_form_left_unsubmitted_is_abandoned_in_the_unload_beacons() {
    let mut e = engine(|o| o.autocapture.forms = Some(true));
    start(&mut e, 0);
    form(&mut e, 1_000, false, "model");
    form(&mut e, 2_000, false, "email");
    e.handle(WallMs(2_100), Input::Flush { ticket: 1 });
    let sent = wire(&drain(&mut e));
    assert_eq!(names(&sent), ["form_started"]);
    e.handle(WallMs(5_000), Input::Unload { unsent: &[] });
    let effects = drain(&mut e);
    assert!(
        effects.iter().any(|e| matches!(e, Effect::Beacon { .. })),
        "{effects:?}"
    );
    let sent = wire(&effects);
    let abandoned: Vec<&Value> = sent
        .iter()
        .filter(|e| e["event"] == "form_abandoned")
        .collect();
    assert_eq!(abandoned.len(), 1);
    assert_eq!(
        abandoned[0]["properties"],
        serde_json::json!({ "form": "quote", "fields": 4, "duration_ms": 4000, "last_field": "email" })
    );
}

#[test]
fn a_submitted_form_is_not_abandoned() {
    let mut e = engine(|o| o.autocapture.forms = Some(true));
    start(&mut e, 0);
    form(&mut e, 1_000, false, "model");
    form(&mut e, 3_000, true, "");
    e.handle(WallMs(4_000), Input::Unload { unsent: &[] });
    let sent = wire(&drain(&mut e));
    assert_eq!(names(&sent), ["form_started", "form_submitted"]);
    let submitted = sent
        .iter()
        .find(|e| e["event"] == "form_submitted")
        .unwrap();
    assert_eq!(submitted["properties"]["duration_ms"], 2000);
}
