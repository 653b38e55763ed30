//! GA4 ecommerce pushes through the engine: mapped, sent once per order,
//! never forwarded as they are, waiting for consent like every event.

use super::*;
use crate::core::datalayer::DataLayerOptions;
use crate::core::keys::KEY_ORDERS;

const PURCHASE: &str = r#"{"ecommerce":{"transaction_id":"B-1042","value":129.99,"currency":"EUR","items":[{"item_id":"battery","item_name":"Battery replacement","price":19.99,"quantity":1}]}}"#;

fn ecommerce_engine(forward: bool, orders: Option<&str>) -> Engine {
    let config = config(|o| {
        o.flush_at = Some(1.0);
        o.debug = Some(true);
        o.data_layer = Some(DataLayerOptions {
            forward: Some(forward),
            ecommerce: Some(true),
            ..DataLayerOptions::default()
        });
    });
    let boot = Boot {
        anonymous_id: Some(AID),
        fresh_id: [9; 16],
        tab: "tab1",
        seed: 5,
        online: true,
        orders,
        ..Boot::default()
    };
    Engine::new(config, env(), boot)
}

fn push(e: &mut Engine, now: u64, event: &str, properties: &str, n: u8) {
    e.handle(
        WallMs(now),
        Input::DataLayer {
            event,
            properties,
            id: [n; 16],
        },
    );
}

/// The bodies sent (as text) and the effects, after a drain.
fn sent(e: &mut Engine, now: u64) -> (Vec<String>, Vec<Effect>) {
    e.handle(WallMs(now), Input::Drain);
    let effects = drain(e);
    let bodies = effects
        .iter()
        .filter_map(|eff| match eff {
            Effect::Send { body, .. } => Some(body.clone()),
            _ => None,
        })
        .collect();
    (bodies, effects)
}

#[test]
fn a_purchase_is_sent_as_order_completed_with_its_numbers_as_written() {
    let mut e = ecommerce_engine(true, None);
    push(&mut e, 0, "purchase", PURCHASE, 1);
    let (bodies, effects) = sent(&mut e, 0);
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].contains(r#""revenue":129.99"#), "{}", bodies[0]);
    assert!(bodies[0].contains(r#""price":19.99"#));
    let body: Value = serde_json::from_str(&bodies[0]).unwrap();
    let event = &body["batch"][0];
    assert_eq!(event["event"], "Order Completed");
    assert_eq!(event["properties"]["order_id"], "B-1042");
    assert_eq!(event["properties"]["products"][0]["product_id"], "battery");
    assert!(effects.contains(&Effect::Store {
        key: KEY_ORDERS.into(),
        value: "B-1042".into()
    }));
}

#[test]
fn an_order_is_sent_once_from_this_browser() {
    let mut e = ecommerce_engine(true, None);
    push(&mut e, 0, "purchase", PURCHASE, 1);
    sent(&mut e, 0);
    // The thank-you page pushes it again (a reload in the same page's life).
    push(&mut e, 1, "purchase", PURCHASE, 2);
    let (bodies, effects) = sent(&mut e, 1);
    assert!(bodies.is_empty(), "{bodies:?}");
    assert!(effects.contains(&Effect::Log(Log::DuplicateOrder)));
    // A new page that reads the stored ids (a reload) does not send it either.
    let mut reloaded = ecommerce_engine(true, Some("A-1\nB-1042"));
    push(&mut reloaded, 2, "purchase", PURCHASE, 3);
    assert!(sent(&mut reloaded, 2).0.is_empty());
    // Another order is sent, and remembered with the others.
    let other = PURCHASE.replace("B-1042", "B-1043");
    push(&mut reloaded, 3, "purchase", &other, 4);
    let (bodies, effects) = sent(&mut reloaded, 3);
    assert_eq!(bodies.len(), 1);
    assert!(effects.contains(&Effect::Store {
        key: KEY_ORDERS.into(),
        value: "A-1\nB-1042\nB-1043".into()
    }));
    // A refund is not an order: each is sent.
    for n in 0..2 {
        push(
            &mut reloaded,
            4,
            "refund",
            r#"{"ecommerce":{"transaction_id":"B-1042"}}"#,
            5 + n,
        );
    }
    let refunds: usize = sent(&mut reloaded, 4)
        .0
        .iter()
        .map(|b| b.matches("Order Refunded").count())
        .sum();
    assert_eq!(refunds, 2);
}

#[test]
fn at_most_fifty_order_ids_are_kept() {
    let stored: Vec<String> = (0..60).map(|n| format!("T{n}")).collect();
    let mut e = ecommerce_engine(false, Some(&stored.join("\n")));
    push(&mut e, 0, "purchase", &PURCHASE.replace("B-1042", "T5"), 1);
    assert_eq!(
        sent(&mut e, 0).0.len(),
        1,
        "T5 was among the oldest, forgotten"
    );
    push(&mut e, 1, "purchase", &PURCHASE.replace("B-1042", "T59"), 2);
    assert!(sent(&mut e, 1).0.is_empty());
}

#[test]
fn ecommerce_events_are_mapped_not_forwarded_and_others_still_forwarded() {
    let mut e = ecommerce_engine(true, None);
    push(
        &mut e,
        0,
        "add_to_cart",
        r#"{"ecommerce":{"items":[{"item_id":"a"}]}}"#,
        1,
    );
    push(&mut e, 0, "newsletter_signup", r#"{"list":"weekly"}"#, 2);
    push(&mut e, 0, "gtm.dom", "{}", 3);
    let events: Vec<String> = sent(&mut e, 0)
        .0
        .iter()
        .flat_map(|b| {
            let v: Value = serde_json::from_str(b).unwrap();
            v["batch"].as_array().unwrap().clone()
        })
        .map(|ev| ev["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, ["Product Added", "newsletter_signup"]);

    // Ecommerce alone: only the GA4 events are read.
    let mut e = ecommerce_engine(false, None);
    push(&mut e, 0, "newsletter_signup", "{}", 1);
    push(
        &mut e,
        0,
        "view_item",
        r#"{"ecommerce":{"items":[{"item_id":"a"}]}}"#,
        2,
    );
    let (bodies, _) = sent(&mut e, 0);
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].contains("Product Viewed") && !bodies[0].contains("newsletter"));

    // Without ecommerce, a purchase is forwarded as it is.
    let mut e = engine(|o| {
        o.flush_at = Some(1.0);
        o.data_layer = Some(DataLayerOptions::on());
    });
    push(&mut e, 0, "purchase", PURCHASE, 1);
    let (bodies, _) = sent(&mut e, 0);
    assert!(bodies[0].contains(r#""event":"purchase""#), "{}", bodies[0]);
}

#[test]
fn invalid_fields_are_named_and_the_rest_is_sent() {
    let mut e = ecommerce_engine(false, None);
    push(
        &mut e,
        0,
        "purchase",
        r#"{"ecommerce":{"transaction_id":"T1","value":"12","items":[]}}"#,
        1,
    );
    let (bodies, effects) = sent(&mut e, 0);
    assert_eq!(bodies.len(), 1);
    assert!(effects.contains(&Effect::Log(Log::EcommerceField("value"))));
    assert!(effects.contains(&Effect::Log(Log::EcommerceField("items"))));
    let body: Value = serde_json::from_str(&bodies[0]).unwrap();
    assert_eq!(
        body["batch"][0]["properties"],
        serde_json::json!({ "order_id": "T1" })
    );
}

#[test]
fn an_order_waits_for_consent_and_is_not_stored_before() {
    let mut e = consent_engine("opt-in", None, Signals::default(), |o| {
        o.data_layer = Some(DataLayerOptions {
            ecommerce: Some(true),
            ..DataLayerOptions::default()
        });
    });
    push(&mut e, 0, "purchase", PURCHASE, 1);
    let (bodies, effects) = sent(&mut e, 0);
    assert!(bodies.is_empty());
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Store { .. })),
        "nothing stored before consent: {effects:?}"
    );
    e.handle(
        WallMs(10),
        Input::Consent {
            choice: GRANT,
            fresh_id: [0xbb; 16],
        },
    );
    let (bodies, _) = sent(&mut e, 10);
    assert!(bodies.iter().any(|b| b.contains("Order Completed")));
}
