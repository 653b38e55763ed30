//! The wall clock, `Date.now()`.

use crate::core::time::WallMs;

/// Milliseconds since the Unix epoch.
pub fn now() -> WallMs {
    WallMs(js_sys::Date::now() as u64)
}
