//! The pure core: every decision footfall makes, with no browser in sight.
//!
//! Nothing in this module uses `wasm_bindgen`, `web_sys` or `js_sys`, reads a
//! clock, or touches storage: time, randomness and the environment come in as
//! arguments, so everything here is tested natively on simulated time.

pub mod config;
pub mod consent;
pub mod datalayer;
pub mod engine;
pub mod envelope;
pub mod json;
pub mod keys;
pub mod outbox;
pub mod retry;
pub mod sanitize;
pub mod tabs;
pub mod time;
pub mod uuid;

// Behaviour signals (issue 5).
pub mod signals;

// Attribution and sessions.
pub mod attribution;
pub mod campaign;
pub mod privacy;
pub mod url;
