//! Storage keys shared across the core and the browser layer: the prefix
//! every footfall record has, and the visitor's identifiers.
//!
//! Each capability names its own records next to its decisions (outbox
//! segments and heartbeats in [`tabs`](crate::core::tabs), the consent
//! record in [`consent`](crate::core::consent), sessions and touches in
//! attribution); all of them start with [`KEY_PREFIX`], which is how a
//! purge finds them.

/// Prefix of every storage key footfall writes.
pub const KEY_PREFIX: &str = "footfall.";
/// Storage key of the anonymous id.
pub const KEY_ANONYMOUS_ID: &str = "footfall.aid";
/// Storage key of the user id set by `identify`.
pub const KEY_USER_ID: &str = "footfall.uid";
/// Storage key of the ids of the orders sent from this browser (the
/// `ecommerce` capability), one per line, newest last.
pub const KEY_ORDERS: &str = "footfall.orders";
