//! The browser layer: listeners, storage, timers and transport, in web-sys.
//!
//! It owns the [`Engine`](crate::core::engine::Engine) through a
//! [`driver::Driver`], feeds it what the page does, and carries out the
//! effects it returns. It makes no decisions of its own.

pub mod clock;
#[cfg(feature = "datalayer")]
pub mod datalayer;
pub mod dom;
pub mod driver;
pub mod environment;
#[cfg(feature = "errors")]
pub mod errors;
#[cfg(feature = "experiments")]
pub mod experiments;
#[cfg(feature = "forms")]
pub mod forms;
#[cfg(feature = "heatmap")]
pub mod heatmap;
pub mod ids;
#[cfg(feature = "signals")]
pub mod signals;
pub mod storage;
pub mod transport;
#[cfg(feature = "vitals")]
pub mod vitals;
