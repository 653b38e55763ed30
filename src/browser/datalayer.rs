//! The dataLayer bridge's browser side: wraps `dataLayer.push` to forward
//! pushes, replays the entries pushed before footfall loaded, and pushes
//! footfall's own entries. What is forwarded, and how, is decided in
//! [`core::datalayer`](crate::core::datalayer).
//!
//! Load order. GTM, when it loads, keeps the array's current `push` and
//! replaces it with a function that calls it first, then processes the
//! entries. footfall wraps whatever `push` is there when it starts, the same
//! way (every argument and `this` pass through untouched):
//!
//! - GTM first: `push` is GTM's; footfall's wrapper forwards, then calls it.
//! - footfall first: GTM wraps footfall's wrapper, which forwards once, then
//!   calls `Array.prototype.push`.
//!
//! Either way each push is forwarded exactly once and reaches GTM exactly
//! once. A non-enumerable marker on the array (`__footfall`) says that a
//! bridge is active (a second one does nothing) or, after `shutdown`, how
//! many entries were already forwarded (a later bridge replays only the
//! rest).
//!
//! The wrapping itself is a few lines of JavaScript: a wrapper must see
//! every argument and `this`, which a Rust closure does not, and the same
//! lines in Rust cost several times their size in wasm.

use js_sys::Reflect;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::browser::environment::prop;
use crate::core::datalayer::{keeps_key, DataLayerConfig, Route};

#[wasm_bindgen(
    inline_js = "const M = '__footfall', J = JSON, S = J.stringify, P = J.parse, MAX = 1000;
const layer = (w, n) => (w[n] === undefined ? (w[n] = []) : w[n]);
export function bridge(w, n, forward) {
  const a = layer(w, n);
  if (!Array.isArray(a) || a[M] === true || typeof a.push != 'function') return;
  const from = +a[M] || 0, to = Math.min(a.length >>> 0, from + MAX);
  for (let i = from; i < to; i++) forward(a[i]);
  const mark = (value) => Object.defineProperty(a, M, { value, configurable: true });
  const previous = a.push;
  const push = a.push = function () {
    for (let i = 0; i < arguments.length; i++) forward(arguments[i]);
    return previous.apply(this, arguments);
  };
  mark(true);
  return () => { if (a.push === push) a.push = previous; mark(a.length); };
}
export function argumentsPusher() { return function () { this.push(arguments); }; }
export function push(w, n, entry) { const a = layer(w, n); if (a && typeof a.push == 'function') a.push(P.call(J, entry)); }
export function members(e, keys) {
  let o = '';
  for (const k of keys) {
    try {
      const v = e[k];
      const j = typeof v == 'function' || (v && v.nodeType > 0) ? undefined : S.call(J, v);
      if (j !== undefined) o += (o ? ',' : '') + S.call(J, k) + ':' + j;
    } catch (_) {}
  }
  return '{' + o + '}';
}"
)]
extern "C" {
    /// A function that pushes its `arguments` object onto `this`: what
    /// `gtag()` pushes to the dataLayer, made without `eval` (CSP-safe).
    #[wasm_bindgen(js_name = argumentsPusher)]
    pub fn arguments_pusher() -> js_sys::Function;

    /// Bridges `w[n]` (created when missing, never replaced): calls
    /// `forward` with each entry already there (from the marker's count on,
    /// at most 1,000: a page's `length` cannot make it loop), then wraps `push`
    /// to call it with each pushed entry before the previous `push`.
    /// Returns the function that undoes it, or `undefined` when `w[n]` is
    /// not an array or is bridged already.
    #[wasm_bindgen(catch)]
    fn bridge(window: &JsValue, name: &str, forward: &JsValue) -> Result<JsValue, JsValue>;

    /// `w[n].push(JSON.parse(entry))`, `w[n]` created when missing; nothing
    /// when it is something without a `push`.
    #[wasm_bindgen(catch)]
    fn push(window: &JsValue, name: &str, entry: &str) -> Result<(), JsValue>;

    /// The JSON object of `entry`'s `keys` whose values serialize: functions,
    /// DOM nodes, cyclic or BigInt values and throwing getters are left out.
    #[wasm_bindgen(catch)]
    fn members(entry: &JsValue, keys: &js_sys::Array) -> Result<String, JsValue>;
}

/// A bridged dataLayer. Dropping it (on `shutdown`) restores the previous
/// `push` when nothing wrapped footfall's since (otherwise the wrapper stays
/// in the chain and passes every push through) and records how many
/// entries were seen.
pub struct Bridge {
    undo: js_sys::Function,
}

impl Bridge {
    /// Bridges `window[name]`: the entries already there, then every later
    /// push, that `config` forwards become `track(event, properties)` (the
    /// event name and the other keys as a JSON object) while `live()` holds
    /// (after `shutdown`, a wrapper left in the chain only passes pushes on).
    pub fn install(
        window: &JsValue,
        name: &str,
        config: &DataLayerConfig,
        live: impl Fn() -> bool + 'static,
        track: impl Fn(&str, &str) + 'static,
    ) -> Option<Bridge> {
        let config = config.clone();
        let forwarder = Closure::<dyn FnMut(JsValue)>::new(move |entry: JsValue| {
            if live() {
                forward(&config, &entry, &track);
            }
        });
        // Owned by the wrapper from now on: GTM may keep calling it after
        // `shutdown`, when it only passes pushes through.
        let undo = bridge(window, name, &forwarder.into_js_value()).ok()?;
        Some(Bridge {
            undo: undo.dyn_into().ok()?,
        })
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.undo.call0(&JsValue::UNDEFINED);
    }
}

/// `dataLayer.push(JSON.parse(entry))` on `window[name]` (created when
/// missing), through whatever `push` is there (GTM's, once it loaded).
/// Errors are swallowed: a tag failing inside GTM is not footfall's to
/// report.
pub fn push_entry(window: &JsValue, name: &str, entry: &str) {
    let _ = push(window, name, entry);
}

/// Hands one dataLayer entry over as `(event, otherKeys)` when the
/// configuration forwards or maps it. Keys whose value is a function, a DOM node or not
/// serializable (cyclic, BigInt, a throwing getter) are left out; nothing
/// here throws.
fn forward(config: &DataLayerConfig, entry: &JsValue, track: &impl Fn(&str, &str)) {
    if !entry.is_object() {
        return;
    }
    let Some(event) = prop(entry, "event").as_string() else {
        return;
    };
    if config.route(&event) == Route::Ignore {
        return;
    }
    let Ok(keys) = Reflect::own_keys(entry.unchecked_ref()) else {
        return;
    };
    let kept = js_sys::Array::new();
    for key in keys.iter() {
        if key.as_string().is_some_and(|k| keeps_key(&k)) {
            kept.push(&key);
        }
    }
    let Ok(properties) = members(entry, &kept) else {
        return;
    };
    track(&event, &properties);
}
