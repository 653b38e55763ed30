use super::*;
use serde_json::{json, Value};

fn mapped(event: &str, properties: Value) -> (Mapped, Value) {
    let m = map(event, &properties.to_string()).expect("an ecommerce event");
    let v: Value = serde_json::from_str(&m.properties).expect("valid JSON");
    (m, v)
}

const ITEM: &str = r#"{"item_id":"iphone_screen","item_name":"iPhone screen replacement","item_category":"premium","item_brand":"Fixwell","item_variant":"iPhone 13","price":179,"quantity":1,"coupon":"SPRING","index":0}"#;

#[test]
fn each_ga4_event_becomes_its_segment_event() {
    let names = [
        ("view_item", "Product Viewed"),
        ("add_to_cart", "Product Added"),
        ("remove_from_cart", "Product Removed"),
        ("begin_checkout", "Checkout Started"),
        ("add_payment_info", "Payment Info Entered"),
        ("purchase", "Order Completed"),
        ("refund", "Order Refunded"),
    ];
    for (ga4, segment) in names {
        assert!(is_ecommerce_event(ga4));
        let m = map(ga4, &format!(r#"{{"ecommerce":{{"items":[{ITEM}]}}}}"#)).unwrap();
        assert_eq!(m.name, segment);
        assert_eq!(m.invalid, Vec::<&str>::new(), "{ga4}");
    }
    assert!(map("purchase_done", "{}").is_none());
    assert!(map("page_view", "{}").is_none());
    assert!(!is_ecommerce_event("gtm.js"));
}

#[test]
fn purchase_maps_field_by_field() {
    let (m, v) = mapped(
        "purchase",
        json!({ "ecommerce": {
            "transaction_id": "B-1042", "affiliation": "Fixwell Berlin", "value": 208.99,
            "tax": 33.37, "shipping": 0, "currency": "EUR", "coupon": "SPRING",
            "items": [serde_json::from_str::<Value>(ITEM).unwrap(),
                      { "item_id": "battery", "item_name": "Battery replacement", "price": 29.99, "quantity": 1 }]
        }}),
    );
    assert_eq!(m.order_id.as_deref(), Some("B-1042"));
    assert_eq!(
        v,
        json!({
            "order_id": "B-1042", "affiliation": "Fixwell Berlin", "revenue": 208.99, "tax": 33.37,
            "shipping": 0, "currency": "EUR", "coupon": "SPRING",
            "products": [
                { "product_id": "iphone_screen", "name": "iPhone screen replacement", "category": "premium",
                  "brand": "Fixwell", "variant": "iPhone 13", "price": 179, "quantity": 1, "coupon": "SPRING", "position": 0 },
                { "product_id": "battery", "name": "Battery replacement", "price": 29.99, "quantity": 1 }
            ]
        })
    );
}

#[test]
fn numbers_are_copied_as_written() {
    let m = map(
        "purchase",
        r#"{"ecommerce":{"transaction_id":"T","value":129.99,"tax":1e2,"items":[{"item_id":"a","price":19.99,"quantity":9007199254740991}]}}"#,
    )
    .unwrap();
    assert!(
        m.properties.contains(r#""revenue":129.99"#),
        "{}",
        m.properties
    );
    assert!(m.properties.contains(r#""tax":1e2"#));
    assert!(m.properties.contains(r#""price":19.99"#));
    assert!(m.properties.contains(r#""quantity":9007199254740991"#));
}

#[test]
fn a_single_product_event_has_the_product_at_the_top_too() {
    let (_, v) = mapped(
        "add_to_cart",
        json!({ "ecommerce": { "currency": "EUR", "value": 179,
        "items": [serde_json::from_str::<Value>(ITEM).unwrap()] } }),
    );
    assert_eq!(v["product_id"], "iphone_screen");
    assert_eq!(v["variant"], "iPhone 13");
    assert_eq!(v["price"], 179);
    assert_eq!(v["currency"], "EUR");
    assert_eq!(v["revenue"], 179);
    assert_eq!(v["products"][0]["product_id"], "iphone_screen");
    // Two items: products only.
    let (_, v) = mapped(
        "view_item",
        json!({ "ecommerce": { "items": [{ "item_id": "a" }, { "item_id": "b" }] } }),
    );
    assert!(v.get("product_id").is_none());
    assert_eq!(v["products"].as_array().unwrap().len(), 2);
    // Checkout Started keeps its products in `products` only.
    let (_, v) = mapped(
        "begin_checkout",
        json!({ "ecommerce": { "items": [{ "item_id": "a" }] } }),
    );
    assert!(v.get("product_id").is_none());
}

#[test]
fn parameters_at_the_top_of_the_push_are_read_too() {
    let (m, v) = mapped(
        "purchase",
        json!({ "transaction_id": 12345, "value": 19.99, "currency": "USD",
        "items": [{ "item_id": 7, "item_name": "Case" }] }),
    );
    assert_eq!(m.order_id.as_deref(), Some("12345"));
    assert_eq!(v["order_id"], "12345", "ids are strings");
    assert_eq!(v["products"][0]["product_id"], "7");
    assert_eq!(v["revenue"], 19.99);
}

#[test]
fn bad_pushes_are_forwarded_as_far_as_valid() {
    let (m, v) = mapped(
        "purchase",
        json!({ "ecommerce": {
            "transaction_id": "T9", "value": "129.99", "tax": -3, "currency": 978, "shipping": null,
            "items": [{ "item_id": "ok", "price": "19.99", "quantity": 2 }, "junk", { "price": 5 }, { "item_name": "Named" }]
        }}),
    );
    assert_eq!(
        v,
        json!({ "order_id": "T9", "products": [{ "product_id": "ok", "quantity": 2 }, { "name": "Named" }] })
    );
    assert_eq!(m.invalid, ["value", "tax", "currency", "price", "items"]);

    // No items: sent without products, and said.
    let (m, v) = mapped(
        "purchase",
        json!({ "ecommerce": { "transaction_id": "T10", "value": 5 } }),
    );
    assert_eq!(v, json!({ "order_id": "T10", "revenue": 5 }));
    assert_eq!(m.invalid, ["items"]);
    let (m, _) = mapped(
        "add_to_cart",
        json!({ "ecommerce": { "items": "not a list" } }),
    );
    assert_eq!(m.invalid, ["items"]);
    // A full refund names only the order.
    let (m, v) = mapped(
        "refund",
        json!({ "ecommerce": { "transaction_id": "T10" } }),
    );
    assert_eq!(v, json!({ "order_id": "T10" }));
    assert!(m.invalid.is_empty());
    assert_eq!(m.order_id, None, "only Order Completed is once per order");
    // An empty or non-object ecommerce falls back to the push itself.
    let (_, v) = mapped(
        "purchase",
        json!({ "ecommerce": "x", "transaction_id": "T11" }),
    );
    assert_eq!(v["order_id"], "T11");
    let (m, _) = mapped("purchase", json!({ "ecommerce": { "transaction_id": "" } }));
    assert_eq!(m.order_id, None, "an empty id is no id");
}
