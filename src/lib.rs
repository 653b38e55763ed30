//! footfall: a browser analytics tracking SDK in Rust and WebAssembly.
//!
//! Events are validated, stamped and serialized once when tracked, persisted
//! before their first send, batched to a Segment-compatible collector, and
//! handed to `sendBeacon` when the page goes away, so none is lost or sent
//! twice. The crate has three layers, with dependencies pointing one way:
//!
//! - [`core`]: pure decisions (batching, retries, the event envelope), tested
//!   natively on simulated time;
//! - `browser` (wasm32 only): listeners, storage, timers and transport;
//! - `api` (wasm32 only): the JavaScript surface, `init` and the `Client`.
//!
//! Optional capabilities are Cargo features, all on by default: `signals`
//! (behaviour signals), `attribution` (referrer, channel, sessions) and
//! `datalayer` (the GTM bridge). Without them the core remains: tracking,
//! automatic page views on load, batching, the persisted outbox, retries,
//! unload delivery, consent, redaction, and the landing's campaign.
//!
//! From JavaScript:
//!
//! ```js
//! import { init } from 'footfall-analytics';
//! const ff = await init({ endpoint: 'https://collect.example.com/v1/batch', writeKey: 'WK' });
//! ff.trackEvent('quote_requested', { service: 'iphone_screen', price: 129 });
//! ```
//!
//! The same engine, driven natively:
//!
//! ```
//! use footfall::core::config::{Config, Options};
//! use footfall::core::engine::{Boot, Effect, Engine, Input};
//! use footfall::core::envelope::Environment;
//! use footfall::core::time::WallMs;
//!
//! let config = Config::resolve(Options { endpoint: Some("/collect".into()), ..Options::default() }).unwrap();
//! let boot = Boot { fresh_id: [1; 16], tab: "t1", seed: 1, online: true, ..Boot::default() };
//! let mut engine = Engine::new(config, Environment::default(), boot);
//! engine.handle(WallMs(1_000), Input::Track { name: "signed_up", properties: Some(r#"{"plan":"pro"}"#), id: [2; 16] });
//! engine.handle(WallMs(1_000), Input::Flush { ticket: 1 });
//! let sent = std::iter::from_fn(|| engine.poll_effect()).find_map(|e| match e {
//!     Effect::Send { body, .. } => Some(body),
//!     _ => None,
//! });
//! assert!(sent.unwrap().contains(r#""event":"signed_up","properties":{"plan":"pro"}"#));
//! ```

pub mod core;

// Lets test code shared with the fuzz crate name this crate `footfall`.
#[cfg(test)]
extern crate self as footfall;

#[cfg(target_arch = "wasm32")]
pub mod browser;

#[cfg(target_arch = "wasm32")]
pub mod api;

/// The allocator: talc's WebAssembly configuration, smaller than std's
/// dlmalloc and O(1); the page's wasm memory grows as needed.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
