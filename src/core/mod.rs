//! The pure core: every decision footfall makes, with no browser in sight.
//!
//! Nothing in this module uses `wasm_bindgen`, `web_sys` or `js_sys`, reads a
//! clock, or touches storage: time, randomness and the environment come in as
//! arguments, so everything here is tested natively on simulated time.
//!
//! The optional capabilities are modules of their own, each behind the
//! Cargo feature of its name: `signals` (behaviour signals), `attribution`
//! (referrer, channel, sessions) and `datalayer` (the GTM bridge). The
//! engine routes to them and knows nothing of their internals.

pub mod campaign;
pub mod config;
pub mod consent;
pub mod engine;
pub mod envelope;
pub mod json;
pub mod keys;
pub mod outbox;
pub mod privacy;
pub mod retry;
pub mod sanitize;
pub mod tabs;
pub mod time;
pub mod url;
pub mod uuid;

#[cfg(feature = "attribution")]
pub mod attribution;
#[cfg(feature = "datalayer")]
pub mod datalayer;
#[cfg(feature = "ecommerce")]
pub mod ecommerce;
#[cfg(feature = "errors")]
pub mod errors;
#[cfg(feature = "experiments")]
pub mod experiments;
#[cfg(feature = "forms")]
pub mod forms;
#[cfg(feature = "heatmap")]
pub mod heatmap;
#[cfg(feature = "signals")]
pub mod signals;
#[cfg(feature = "vitals")]
pub mod vitals;
