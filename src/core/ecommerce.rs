//! GA4 ecommerce pushes as Segment Ecommerce v2 events (the `ecommerce`
//! capability, `dataLayer: { ecommerce: true }`): which GA4 event becomes
//! which Segment event, field by field, numbers copied as written. What is
//! invalid is left out and named (a debug warning), never the whole push.
//!
//! The parameters are read from the push's `ecommerce` object (GTM's form,
//! `{ event: 'purchase', ecommerce: { ... } }`), else from the push itself.

use crate::core::json::read::{elements, member};
use crate::core::json::{push_key, push_str};

/// GA4 event names and the Segment v2 event each becomes.
const EVENTS: [(&str, &str); 7] = [
    ("view_item", "Product Viewed"),
    ("add_to_cart", "Product Added"),
    ("remove_from_cart", "Product Removed"),
    ("begin_checkout", "Checkout Started"),
    ("add_payment_info", "Payment Info Entered"),
    ("purchase", "Order Completed"),
    ("refund", "Order Refunded"),
];

/// What a GA4 field must hold.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    /// A string, or a number written as a string (ids).
    Id,
    /// A string.
    Text,
    /// A number, zero or more.
    Amount,
}

/// The order's fields: GA4 name, Segment name, kind.
const ORDER_FIELDS: [(&str, &str, Field); 7] = [
    ("transaction_id", "order_id", Field::Id),
    ("affiliation", "affiliation", Field::Text),
    ("value", "revenue", Field::Amount),
    ("tax", "tax", Field::Amount),
    ("shipping", "shipping", Field::Amount),
    ("currency", "currency", Field::Text),
    ("coupon", "coupon", Field::Text),
];

/// An item's fields: GA4 name, Segment name, kind.
const ITEM_FIELDS: [(&str, &str, Field); 9] = [
    ("item_id", "product_id", Field::Id),
    ("item_name", "name", Field::Text),
    ("item_category", "category", Field::Text),
    ("item_brand", "brand", Field::Text),
    ("item_variant", "variant", Field::Text),
    ("price", "price", Field::Amount),
    ("quantity", "quantity", Field::Amount),
    ("coupon", "coupon", Field::Text),
    ("index", "position", Field::Amount),
];

/// Whether `event` is a GA4 ecommerce event this module maps.
pub fn is_ecommerce_event(event: &str) -> bool {
    EVENTS.iter().any(|(ga4, _)| *ga4 == event)
}

/// A GA4 push made a Segment event.
#[derive(Debug, PartialEq)]
pub struct Mapped {
    /// The Segment v2 event name.
    pub name: &'static str,
    /// Its properties, a JSON object.
    pub properties: String,
    /// `order_id` for an `Order Completed`, as sent (for the once-per-order rule).
    pub order_id: Option<String>,
    /// The GA4 fields left out as invalid (for debug warnings).
    pub invalid: Vec<&'static str>,
}

/// Maps the GA4 ecommerce push `event` with `properties` (the push's
/// other keys, a JSON object) to its Segment v2 event, or `None` when
/// `event` is not one of the GA4 ecommerce events.
///
/// ```
/// use footfall::core::ecommerce::map;
/// let m = map("purchase", r#"{"ecommerce":{"transaction_id":"T1","value":129.99,"currency":"EUR",
///   "items":[{"item_id":"battery","item_name":"Battery","price":19.99,"quantity":1}]}}"#).unwrap();
/// assert_eq!(m.name, "Order Completed");
/// assert_eq!(m.properties, r#"{"order_id":"T1","revenue":129.99,"currency":"EUR","products":[{"product_id":"battery","name":"Battery","price":19.99,"quantity":1}]}"#);
/// assert_eq!(m.order_id.as_deref(), Some("T1"));
/// ```
pub fn map(event: &str, properties: &str) -> Option<Mapped> {
    let name = EVENTS.iter().find(|(ga4, _)| *ga4 == event)?.1;
    let params = member(properties, "ecommerce")
        .filter(|v| v.starts_with('{'))
        .unwrap_or(properties);
    let mut out = String::with_capacity(params.len() + 64);
    let mut invalid = Vec::new();
    out.push('{');
    let order_id = copy_fields(&mut out, params, &ORDER_FIELDS, &mut invalid);
    let mut products = String::new();
    let mut count = 0;
    let mut single = String::new();
    match member(params, "items") {
        Some(items) if items.starts_with('[') => {
            for item in elements(items) {
                // A product is named by its id or its name.
                let named = item.starts_with('{')
                    && [("item_id", Field::Id), ("item_name", Field::Text)]
                        .iter()
                        .any(|&(key, kind)| member(item, key).is_some_and(|raw| valid(raw, kind)));
                if !named {
                    invalid.push("items");
                    continue;
                }
                let mut product = String::from("{");
                copy_fields(&mut product, item, &ITEM_FIELDS, &mut invalid);
                product.push('}');
                if count > 0 {
                    products.push(',');
                }
                products.push_str(&product);
                single = product;
                count += 1;
            }
        }
        Some(_) => invalid.push("items"),
        None => {}
    }
    if count == 0 && name != "Order Refunded" {
        // Every event but a full refund describes items.
        invalid.push("items");
    }
    // A single-product event also has the product's fields at the top
    // (Segment's v2 shape for Product Viewed, Added and Removed).
    if count == 1 && name.starts_with("Product ") {
        if let Some(fields) = single.get(1..single.len() - 1) {
            push_member_separator(&mut out);
            out.push_str(fields);
        }
    }
    if count > 0 {
        push_member_separator(&mut out);
        push_key(&mut out, "products");
        out.push('[');
        out.push_str(&products);
        out.push(']');
    }
    out.push('}');
    invalid.dedup();
    Some(Mapped {
        name,
        properties: out,
        order_id: if name == "Order Completed" {
            order_id
        } else {
            None
        },
        invalid,
    })
}

/// Writes the `fields` of the object `from` that are valid into `out`
/// (an object being written), renamed; names the invalid ones. Returns the
/// id field's value as text, when there is one.
fn copy_fields(
    out: &mut String,
    from: &str,
    fields: &[(&'static str, &'static str, Field)],
    invalid: &mut Vec<&'static str>,
) -> Option<String> {
    let mut id = None;
    for &(ga4, segment, kind) in fields {
        let Some(raw) = member(from, ga4) else {
            continue;
        };
        if raw == "null" {
            continue;
        }
        if !valid(raw, kind) {
            invalid.push(ga4);
            continue;
        }
        push_member_separator(out);
        push_key(out, segment);
        if kind == Field::Id && !raw.starts_with('"') {
            // Ids are strings in Segment's spec: 12345 becomes "12345".
            push_str(out, raw);
            id = Some(raw.to_owned());
        } else {
            out.push_str(raw);
            if kind == Field::Id {
                id = raw.get(1..raw.len() - 1).map(str::to_owned);
            }
        }
    }
    id
}

/// Whether the raw JSON value `raw` is what a field of `kind` holds.
fn valid(raw: &str, kind: Field) -> bool {
    let is_string = raw.starts_with('"');
    let is_number = raw.starts_with(|c: char| c == '-' || c.is_ascii_digit());
    match kind {
        Field::Id => is_string && raw.len() > 2 || is_number,
        Field::Text => is_string,
        Field::Amount => is_number && !raw.starts_with('-'),
    }
}

/// A comma unless `out` is an object just opened.
fn push_member_separator(out: &mut String) {
    if !out.ends_with('{') {
        out.push(',');
    }
}

#[cfg(test)]
mod tests;
