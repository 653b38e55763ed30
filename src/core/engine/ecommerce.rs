//! GA4 ecommerce pushes in the engine: mapped by
//! [`core::ecommerce`](crate::core::ecommerce), an order sent once per
//! `transaction_id` from this browser (a reloaded thank-you page pushes its
//! `purchase` again).

use crate::core::ecommerce::map;
use crate::core::engine::{Engine, Log};
use crate::core::envelope::Kind;
use crate::core::keys::KEY_ORDERS;
use crate::core::time::WallMs;

/// Most order ids remembered (the oldest are forgotten first).
pub(super) const MAX_ORDERS: usize = 50;

/// The order ids of the stored record (one per line).
pub(super) fn read_orders(record: Option<&str>) -> Vec<String> {
    let mut orders: Vec<String> = record
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let excess = orders.len().saturating_sub(MAX_ORDERS);
    orders.drain(..excess);
    orders
}

impl Engine {
    /// A GA4 ecommerce push: its Segment v2 event, unless it is an order
    /// already sent from this browser.
    pub(super) fn ecommerce(&mut self, now: WallMs, event: &str, properties: &str, id: [u8; 16]) {
        let Some(mapped) = map(event, properties) else {
            return;
        };
        for field in &mapped.invalid {
            self.log(Log::EcommerceField(field));
        }
        if let Some(order) = mapped.order_id {
            if self.orders.contains(&order) {
                return self.log(Log::DuplicateOrder);
            }
            if self.orders.len() >= MAX_ORDERS {
                self.orders.remove(0);
            }
            self.orders.push(order);
            self.store(KEY_ORDERS, self.orders.join("\n"));
        }
        self.accept(now, Kind::Track(mapped.name), Some(&mapped.properties), id);
    }
}
