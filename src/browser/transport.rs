//! Delivery: keepalive `fetch` and `navigator.sendBeacon`, both with a string
//! body, which the browser sends as `text/plain;charset=UTF-8` (a "simple"
//! request: no CORS preflight).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// POSTs `body` to `url` with `keepalive`, then calls `done(status,
/// retry_after)` exactly once: status 0 when no HTTP answer came.
pub fn fetch(
    window: &web_sys::Window,
    url: &str,
    body: &str,
    done: impl FnOnce(u16, Option<String>) + 'static,
) {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    // web-sys has no setter for `keepalive`: set the dictionary member.
    let _ = js_sys::Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
    init.set_body(&JsValue::from_str(body));
    let promise = window.fetch_with_str_and_init(url, &init);
    // One closure for both outcomes, so it is always called (and freed) once.
    let settle =
        Closure::once_into_js(
            move |value: JsValue| match value.dyn_into::<web_sys::Response>() {
                Ok(response) => {
                    let retry_after = response.headers().get("retry-after").ok().flatten();
                    // A keepalive response body that is never read keeps counting
                    // against the page's keepalive quota: read it.
                    let _ = response.array_buffer();
                    done(response.status(), retry_after);
                }
                Err(_) => done(0, None),
            },
        );
    // `promise.then(settle, settle)` with a plain function (js-sys's `then2`
    // wants two owned closures, one of which would never be freed).
    if let Ok(then) = js_sys::Reflect::get(&promise, &JsValue::from_str("then")) {
        let _ = then
            .unchecked_into::<js_sys::Function>()
            .call2(&promise, &settle, &settle);
    }
}

/// `navigator.sendBeacon(url, body)`: whether the browser queued it.
pub fn beacon(window: &web_sys::Window, url: &str, body: &str) -> bool {
    window
        .navigator()
        .send_beacon_with_opt_str(url, Some(body))
        .unwrap_or(false)
}
