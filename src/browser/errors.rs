//! Uncaught errors in the browser: what an `error` or `unhandledrejection`
//! event says, read in a few lines of JavaScript that never throw (a
//! rejection's reason may be anything the page made, a throwing `toString`
//! included). Listening changes nothing for the page: its own `onerror`
//! handlers and the console see every error as without footfall.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::core::errors::ErrorKind;

#[wasm_bindgen(inline_js = "export function describe(e) {
  try {
    if (e.type == 'unhandledrejection') {
      const r = e.reason, o = r !== null && typeof r == 'object';
      return [1, String(o && 'message' in r ? r.message : r), '', 0, 0, o && typeof r.stack == 'string' ? r.stack : ''];
    }
    const x = e.error;
    return [0, String(e.message || (x && x.message) || ''), String(e.filename || ''), e.lineno >>> 0, e.colno >>> 0, x && typeof x.stack == 'string' ? x.stack : ''];
  } catch (_) {
    return null;
  }
}")]
extern "C" {
    /// `[kind (0 error, 1 rejection), message, source, line, column, stack]`
    /// of an `error` or `unhandledrejection` event, or `null`.
    fn describe(event: &JsValue) -> JsValue;
}

/// What an error event reports, owned.
pub struct Described {
    /// Error or rejection.
    pub kind: ErrorKind,
    /// The message.
    pub message: String,
    /// The script URL, or "".
    pub source: String,
    /// Line (0: unknown).
    pub line: u32,
    /// Column (0: unknown).
    pub column: u32,
    /// The stack, or "".
    pub stack: String,
}

/// What the `error` or `unhandledrejection` event `event` reports, if it
/// can be read.
pub fn read(event: &JsValue) -> Option<Described> {
    let parts = describe(event).dyn_into::<js_sys::Array>().ok()?;
    let text = |i: u32| parts.get(i).as_string().unwrap_or_default();
    let number = |i: u32| parts.get(i).as_f64().unwrap_or(0.0) as u32;
    Some(Described {
        kind: if number(0) == 1 {
            ErrorKind::Rejection
        } else {
            ErrorKind::Error
        },
        message: text(1),
        source: text(2),
        line: number(3),
        column: number(4),
        stack: text(5),
    })
}
