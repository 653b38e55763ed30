//! Delivery: keepalive `fetch` and `navigator.sendBeacon`, both with a string
//! body, which the browser sends as `text/plain;charset=UTF-8` (a "simple"
//! request: no CORS preflight).
//!
//! A few lines of JavaScript do the calls, because the page controls what
//! they touch: `fetch`, `sendBeacon`, `setTimeout` and `AbortSignal.timeout`
//! are captured when footfall starts ([`capture`]; a later replacement by
//! the page is not used); a call that throws is a network error, reported asynchronously; a
//! request not answered within [`TIMEOUT_MS`] is a network error (aborted
//! where `AbortSignal.timeout` exists). Every answer waits for the response
//! body to be read: a keepalive request counts against the page's quota
//! until then.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::core::outbox::BatchId;

/// A request not answered within this time is a network error (retried
/// later with the same message ids).
pub const TIMEOUT_MS: u32 = 10_000;

#[wasm_bindgen(inline_js = "const w = globalThis, P = Promise, zipping = new Map();
let F, N, B, T, X, A, Z, R, L, H = 0, S = 0, on = 0;
export function capture() { F = w.fetch; N = w.navigator; B = N && N.sendBeacon; T = w.setTimeout; X = w.clearTimeout; A = w.AbortSignal; Z = w.CompressionStream; R = w.Response; L = w.Blob; if (!on) { on = 1; try { w.addEventListener('pagehide', () => { H++; }); } catch (e) {} } }
export function hid() { const r = H != S; S = H; return r; }
function go(url, body, ms, end) {
  try {
    const init = { method: 'POST', body, keepalive: true };
    if (A && A.timeout) init.signal = A.timeout(ms);
    F.call(w, url, init).then((r) => { const s = r.status, a = r.headers.get('retry-after'); r.arrayBuffer().then(() => end(s, a), () => end(s, a)); }, () => { try { T.call(w, () => end(0), 0); } catch (e) { end(0); } });
  } catch (e) { P.resolve().then(() => end(0)); }
}
export function post(id, url, body, gzip, ms, done) {
  let over = false, t = 0, h = H;
  const end = (s, a) => { if (!over) { over = true; X.call(w, t); done(s, a == null ? undefined : a, w.closed === true || H != h); } };
  try { t = T.call(w, () => end(0), ms); } catch (e) {}
  if (!F) return P.resolve().then(() => end(0));
  if (!(gzip && Z && R && L)) return go(url, body, ms, end);
  zipping.set(id, 1);
  const plain = () => (zipping.delete(id) ? go(url, body, ms, end) : end(0));
  try {
    new R(new L([body]).stream().pipeThrough(new Z('gzip'))).arrayBuffer().then((z) => (zipping.delete(id) ? go(url + (url.indexOf('?') < 0 ? '?' : '&') + 'compression=gzip', z, ms, end) : end(0)), plain);
  } catch (e) { plain(); }
}
export function takeUnsent() { for (const id of zipping.keys()) { zipping.delete(id); return id; } return -1; }
export function later(f, ms) { try { T.call(w, f, ms); } catch (e) {} }
export function beacon(url, body) { try { return !!B && B.call(N, url, body) === true; } catch (e) { return false; } }")]
extern "C" {
    /// Takes the page's `fetch`, `sendBeacon`, `setTimeout`, `clearTimeout`,
    /// `AbortSignal`, `CompressionStream`, `Response` and `Blob` as they are
    /// now (later replacements by the page are not used); the first call
    /// adds a `pagehide` listener that counts (before any of footfall's
    /// other listeners: see [`hid`]).
    pub fn capture();

    /// Whether a `pagehide` happened since the last call. Firefox, closing
    /// a tab, cancels the script running in it (one interrupt, landing at
    /// the next function call or loop of whatever script runs when it
    /// arrives, often before footfall's `pagehide` listener reaches its
    /// first line), then dispatches `visibilitychange` and runs it to the
    /// end. The counting listener has no call or loop in it, so it is not
    /// interrupted, and the next listener learns of the `pagehide` here.
    pub fn hid() -> bool;

    /// POSTs `body` with `keepalive` (gzip-compressed first when `gzip`
    /// and the browser has `CompressionStream`, with `compression=gzip` added
    /// to the URL); calls `done(status, retryAfter, closing)` exactly once:
    /// status 0 when no HTTP answer came within `ms`, `closing` when the
    /// window was closing (`window.closed`) at that moment or a `pagehide`
    /// came since the request began. A rejected fetch reports in a task of
    /// its own: Chromium rejects keepalive fetches during `pagehide` when
    /// the page navigates away (the requests go on), possibly before
    /// footfall's `pagehide` listener ran.
    #[wasm_bindgen(js_name = post)]
    fn js_post(id: u32, url: &str, body: &str, gzip: bool, ms: u32, done: &JsValue);

    /// Takes back one batch whose body is still being compressed (it will
    /// not be sent; its `done` reports a network error later), or -1.
    #[wasm_bindgen(js_name = takeUnsent)]
    fn js_take_unsent() -> f64;

    /// `setTimeout(f, ms)` as captured at load (never throws).
    pub fn later(f: &JsValue, ms: u32);

    /// `navigator.sendBeacon(url, body)` as captured at load: whether the
    /// browser queued it (false when it threw).
    #[wasm_bindgen(js_name = beacon)]
    fn js_beacon(url: &str, body: &str) -> bool;
}

/// POSTs batch `id`'s `body` to `url` with a keepalive fetch (compressed
/// first when `gzip`), then calls `done(status, retry_after, closing)`
/// exactly once, within [`TIMEOUT_MS`]: status 0 when no HTTP answer came.
pub fn post(
    id: BatchId,
    url: &str,
    body: &str,
    gzip: bool,
    done: impl FnOnce(u16, Option<String>, bool) + 'static,
) {
    let done = Closure::once_into_js(
        move |status: JsValue, retry_after: JsValue, closing: JsValue| {
            let status = status.as_f64().filter(|s| (0.0..=999.0).contains(s));
            done(
                status.map_or(0, |s| s as u16),
                retry_after.as_string(),
                closing.as_bool() == Some(true),
            )
        },
    );
    js_post(id.0, url, body, gzip, TIMEOUT_MS, &done);
}

/// The batches whose bodies were still being compressed, taken back: they
/// will not be sent.
pub fn take_unsent() -> Vec<BatchId> {
    let mut unsent = Vec::new();
    // Bounded: one per fetch in flight, a handful at most.
    for _ in 0..64 {
        let id = js_take_unsent();
        if !(0.0..=f64::from(u32::MAX)).contains(&id) {
            break;
        }
        unsent.push(BatchId(id as u32));
    }
    unsent
}

/// `navigator.sendBeacon(url, body)`: whether the browser queued it.
pub fn beacon(url: &str, body: &str) -> bool {
    js_beacon(url, body)
}
