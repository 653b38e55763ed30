//! Delivery: keepalive `fetch` and `navigator.sendBeacon`, both with a string
//! body, which the browser sends as `text/plain;charset=UTF-8` (a "simple"
//! request: no CORS preflight).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// POSTs `body` (a string, or the bytes of a compressed body) to `url` with
/// `keepalive`, then calls `done(status, retry_after)` exactly once: status 0
/// when no HTTP answer came.
pub fn fetch(
    window: &web_sys::Window,
    url: &str,
    body: &JsValue,
    done: impl FnOnce(u16, Option<String>) + 'static,
) {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    // web-sys has no setter for `keepalive`: set the dictionary member.
    let _ = js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
    init.set_body(body);
    let promise = window.fetch_with_str_and_init(url, &init);
    // One closure for both outcomes, so it is always called (and freed) once.
    let settle =
        Closure::once_into_js(
            move |value: JsValue| match value.dyn_into::<web_sys::Response>() {
                Ok(response) => {
                    let status = response.status();
                    let retry_after = response.headers().get("retry-after").ok().flatten();
                    // A keepalive request counts against the page's quota
                    // until its response body has been read: read it, and
                    // answer only then, so that the bytes the core frees
                    // are free in the browser too (an unload beacon sized
                    // on an early answer would be refused).
                    match response.array_buffer() {
                        Ok(read) => {
                            let answer =
                                Closure::once_into_js(move |_: JsValue| done(status, retry_after));
                            then_both(&read, &answer);
                        }
                        Err(_) => done(status, retry_after),
                    }
                }
                Err(_) => done(0, None),
            },
        );
    // `promise.then(settle, settle)` with a plain function (js-sys's `then2`
    // wants two owned closures, one of which would never be freed).
    then_both(&promise, &settle);
}

/// Like [`fetch`], with the body gzip-compressed first by `gzip` (a
/// JavaScript function wrapping the browser's `CompressionStream`, resolving
/// to an `ArrayBuffer`) and `compression=gzip` added to the URL: a query
/// parameter rather than a `Content-Encoding` header, so the request stays a
/// simple one (no CORS preflight). If compression fails, the plain body goes.
pub fn fetch_gzip(
    window: &web_sys::Window,
    url: &str,
    body: &str,
    gzip: &js_sys::Function,
    done: impl FnOnce(u16, Option<String>) + 'static,
) {
    let plain = JsValue::from_str(body);
    let Ok(promise) = gzip.call1(&JsValue::NULL, &plain) else {
        return fetch(window, url, &plain, done);
    };
    let mut compressed_url = String::with_capacity(url.len() + 17);
    compressed_url.push_str(url);
    compressed_url.push(if url.contains('?') { '&' } else { '?' });
    compressed_url.push_str("compression=gzip");
    let window = window.clone();
    let url = url.to_owned();
    let settle = Closure::once_into_js(move |value: JsValue| {
        if value.is_instance_of::<js_sys::ArrayBuffer>() {
            fetch(&window, &compressed_url, &value, done);
        } else {
            fetch(&window, &url, &plain, done);
        }
    });
    then_both(&promise, &settle);
}

/// `promise.then(f, f)`.
fn then_both(promise: &JsValue, f: &JsValue) {
    if let Ok(then) = js_sys::Reflect::get(promise, &JsValue::from_str("then")) {
        let _ = then
            .unchecked_into::<js_sys::Function>()
            .call2(promise, f, f);
    }
}

/// `navigator.sendBeacon(url, body)`: whether the browser queued it.
pub fn beacon(window: &web_sys::Window, url: &str, body: &str) -> bool {
    window
        .navigator()
        .send_beacon_with_opt_str(url, Some(body))
        .unwrap_or(false)
}
