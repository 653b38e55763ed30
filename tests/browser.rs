//! The browser layer in headless Chromium (wasm-bindgen-test): storage
//! fallback, listeners removed on shutdown, timers and transport.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use footfall::api::{start, Client};
use footfall::browser::storage::Storage;
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(code: &str) -> JsValue {
    Function::new_no_args(code).call0(&JsValue::NULL).unwrap()
}

/// Replaces fetch and sendBeacon with recorders: `window.__sent` collects
/// `{ via, body }` for every request.
fn record_requests() {
    js("window.__sent = [];
        window.fetch = (url, init) => { window.__sent.push({ via: 'fetch', body: init.body, keepalive: init.keepalive }); return Promise.resolve(new Response('', { status: 200 })); };
        navigator.sendBeacon = (url, body) => { window.__sent.push({ via: 'beacon', body }); return true; };");
}

fn sent() -> Vec<(String, String)> {
    let list: js_sys::Array = js("return window.__sent").unchecked_into();
    list.iter()
        .map(|r| {
            let via = Reflect::get(&r, &"via".into())
                .unwrap()
                .as_string()
                .unwrap();
            let body = Reflect::get(&r, &"body".into())
                .unwrap()
                .as_string()
                .unwrap();
            (via, body)
        })
        .collect()
}

/// A client; automatic events are off unless `extra` turns them on (tests
/// run concurrently in one page: a page view of one would show in another's
/// recorded requests).
fn client(extra: &str) -> Client {
    let options = js(&format!(
        "return {{ endpoint: '/collect', writeKey: 'WK', autocapture: false, {extra} }}"
    ));
    start(options).unwrap_or_else(|e| panic!("start failed: {:?}", JsValue::from(e)))
}

async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// A rage click's text is what the visitor sees: hidden elements (an
/// address in a `hidden` span, a `display: none` one) are not read.
#[cfg(feature = "signals")]
#[wasm_bindgen_test]
fn the_described_text_is_the_visible_text() {
    let button = js("const b = document.createElement('button');
        b.id = 'ff-visible-text';
        b.innerHTML = 'Buy <span hidden>jo@example.com</span><span style=\"display:none\">secret</span> now';
        document.body.appendChild(b);
        return b;");
    let (selector, text) = footfall::browser::signals::describe(&button);
    js("document.getElementById('ff-visible-text').remove()");
    assert_eq!(selector, "button#ff-visible-text");
    assert_eq!(
        footfall::core::signals::element::clean_text(&text, 100),
        "Buy now"
    );
    assert!(!text.contains("jo@") && !text.contains("secret"), "{text}");
}

#[wasm_bindgen_test]
fn storage_falls_back_to_memory_when_set_item_throws() {
    let window = web_sys::window().unwrap();
    let storage = Storage::local(&window);
    assert!(storage.is_persistent());
    assert!(storage.set("footfall.test.a", "1"));
    js("window.__setItem = Storage.prototype.setItem;
        Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); };");
    let reached_local = storage.set("footfall.test.b", "2");
    js("Storage.prototype.setItem = window.__setItem;");
    assert!(!reached_local);
    assert_eq!(
        storage.get("footfall.test.b").as_deref(),
        Some("2"),
        "kept in memory"
    );
    assert_eq!(
        js("return localStorage.getItem('footfall.test.b')"),
        JsValue::NULL
    );
    let mut keys = storage.keys_with_prefix("footfall.test.");
    keys.sort();
    assert_eq!(keys, ["footfall.test.a", "footfall.test.b"]);
    storage.remove("footfall.test.a");
    storage.remove("footfall.test.b");
    assert_eq!(storage.get("footfall.test.a"), None);
    assert_eq!(storage.get("footfall.test.b"), None);
}

#[wasm_bindgen_test]
fn memory_only_storage_works() {
    let storage = Storage::memory();
    assert!(!storage.is_persistent());
    assert!(!storage.set("k", "v"));
    assert_eq!(storage.get("k").as_deref(), Some("v"));
}

#[wasm_bindgen_test]
fn anonymous_id_is_persisted_and_reused() {
    js("localStorage.removeItem('footfall.aid')");
    let a = client("");
    let id = a.anonymous_id();
    assert_eq!(id.len(), 36);
    assert_eq!(
        js("return localStorage.getItem('footfall.aid')")
            .as_string()
            .as_deref(),
        Some(id.as_str())
    );
    a.shutdown();
    let b = client("");
    assert_eq!(b.anonymous_id(), id, "the next page reuses it");
    b.shutdown();
}

#[wasm_bindgen_test]
fn anonymous_id_survives_a_throwing_local_storage() {
    js("localStorage.removeItem('footfall.aid');
        window.__setItem = Storage.prototype.setItem;
        Storage.prototype.setItem = function () { throw new DOMException('denied', 'SecurityError'); };");
    let c = client("");
    let id = c.anonymous_id();
    record_requests();
    c.track_event("still_works".into(), JsValue::UNDEFINED, JsValue::UNDEFINED);
    let stats = c.stats();
    js("Storage.prototype.setItem = window.__setItem;");
    assert_eq!(id.len(), 36);
    assert_eq!(
        c.driver().storage().get("footfall.aid").as_deref(),
        Some(id.as_str()),
        "memory fallback"
    );
    assert_eq!(
        Reflect::get(&stats, &"queued".into()).unwrap().as_f64(),
        Some(1.0)
    );
    c.shutdown();
}

#[wasm_bindgen_test]
async fn the_timer_sends_after_the_interval() {
    record_requests();
    let c = client("flushIntervalMs: 50");
    c.track_event("timed".into(), JsValue::UNDEFINED, JsValue::UNDEFINED);
    sleep(10).await;
    assert!(sent().is_empty(), "not before the interval");
    sleep(150).await;
    let requests = sent();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].0, "fetch");
    assert!(requests[0].1.contains(r#""event":"timed""#));
    assert_eq!(js("return window.__sent[0].keepalive"), JsValue::TRUE);
    c.shutdown();
}

#[wasm_bindgen_test]
async fn hidden_page_beacons_the_queue() {
    record_requests();
    let c = client("");
    c.track_event("before_hide".into(), JsValue::UNDEFINED, JsValue::UNDEFINED);
    js(
        "Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
        document.dispatchEvent(new Event('visibilitychange'));
        delete document.hidden;",
    );
    let requests = sent();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].0, "beacon");
    assert!(requests[0].1.contains(r#""event":"before_hide""#));
    c.shutdown();
}

#[wasm_bindgen_test]
async fn shutdown_removes_every_listener_and_timer() {
    record_requests();
    let c = client("flushIntervalMs: 30, autocapture: true");
    // Foundation listeners, the signals' listeners and the two history hooks.
    #[cfg(feature = "signals")]
    {
        assert!(
            c.driver().listener_count() >= 14,
            "{}",
            c.driver().listener_count()
        );
        assert_eq!(
            js("return history.pushState !== History.prototype.pushState && history.replaceState !== History.prototype.replaceState"),
            JsValue::TRUE
        );
    }
    c.track_event("queued".into(), JsValue::UNDEFINED, JsValue::UNDEFINED);
    c.shutdown();
    assert_eq!(c.driver().listener_count(), 0);
    assert_eq!(
        js("return history.pushState === History.prototype.pushState && history.replaceState === History.prototype.replaceState"),
        JsValue::TRUE,
        "the originals are back"
    );
    js("window.dispatchEvent(new Event('pagehide'));
        document.dispatchEvent(new Event('visibilitychange'));
        window.dispatchEvent(new Event('online'));
        const b = document.createElement('button');
        b.setAttribute('data-ff-event', 'after_shutdown');
        document.body.appendChild(b);
        for (let i = 0; i < 4; i++) b.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, isPrimary: true, button: 0, clientX: 5, clientY: 5 }));
        b.click();
        b.remove();
        window.dispatchEvent(new Event('scroll'));
        window.dispatchEvent(new PointerEvent('pointermove'));
        document.dispatchEvent(new MouseEvent('mouseout', { clientY: -5, relatedTarget: null }));
        history.pushState({}, '', location.pathname + '?after-shutdown');
        window.dispatchEvent(new PopStateEvent('popstate'));");
    c.track_event("after".into(), JsValue::UNDEFINED, JsValue::UNDEFINED);
    sleep(100).await;
    assert!(
        sent().is_empty(),
        "nothing fires after shutdown: {:?}",
        sent()
    );
    let queued = Reflect::get(&c.stats(), &"queued".into()).unwrap().as_f64();
    assert_eq!(queued, Some(0.0), "handed over to storage");
}

#[wasm_bindgen_test]
fn bad_input_never_throws() {
    record_requests();
    let c = client("");
    c.track_event(JsValue::from(42), JsValue::UNDEFINED, JsValue::UNDEFINED);
    c.track_event(
        "cyclic".into(),
        js("const o = {}; o.self = o; return o;"),
        JsValue::UNDEFINED,
    );
    c.track_event("bigint".into(), js("return { n: 10n }"), JsValue::UNDEFINED);
    c.track_event("function".into(), js("return () => 1"), JsValue::UNDEFINED);
    c.track_event(
        "ok".into(),
        js("return { f: () => 1, n: 1 }"),
        JsValue::UNDEFINED,
    );
    let invalid = Reflect::get(&c.stats(), &"invalid".into())
        .unwrap()
        .as_f64();
    assert_eq!(invalid, Some(4.0));
    c.shutdown();
}

#[wasm_bindgen_test]
fn init_rejects_bad_options_with_a_clear_message() {
    let message = |opts: &str| -> String {
        match start(js(&format!("return {opts}"))) {
            Ok(_) => "ok".into(),
            Err(e) => Reflect::get(&JsValue::from(e), &"message".into())
                .unwrap()
                .as_string()
                .unwrap(),
        }
    };
    assert!(message("{}").contains("`endpoint` is required"));
    assert!(message("{ endpoint: 'nope' }").contains("`endpoint` must be"));
    assert!(message("{ endpoint: 42 }").contains("option `endpoint` must be a string"));
    assert!(
        message("{ endpoint: '/c', flushAt: '20' }").contains("option `flushAt` must be a number")
    );
    assert!(message("{ endpoint: '/c', debug: 1 }").contains("option `debug` must be a boolean"));
    assert!(message("'x'").contains("expects an object"));
}

/// Synchronous from start to shutdown, so no other test's client sees its
/// DOM events: what it recorded is read back from storage, where shutdown
/// keeps the queue (with the rage burst in progress).
#[cfg(feature = "signals")]
#[wasm_bindgen_test]
fn signal_listeners_feed_the_engine() {
    let c =
        client("autocapture: { history: false, pageLeave: false, exitIntent: { minDwellMs: 0 } }");
    js("window.__exits = [];");
    c.on_exit_intent(js("return (d) => window.__exits.push(d)"));
    c.on_exit_intent(JsValue::from(42)); // not a function: counted, ignored
    js("const b = document.createElement('button');
        b.id = 'tagged';
        b.setAttribute('data-ff-event', 'price_checked');
        b.setAttribute('data-ff-prop-service', 'battery');
        b.innerHTML = '<span>  Check \\n price </span>';
        document.body.appendChild(b);
        b.firstChild.click();
        for (let i = 0; i < 3; i++) b.firstChild.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, isPrimary: true, button: 0, clientX: 10, clientY: 20 }));
        b.firstChild.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, isPrimary: true, button: 2, clientX: 10, clientY: 20 }));
        document.dispatchEvent(new MouseEvent('mouseout', { clientY: 300, relatedTarget: null }));
        document.dispatchEvent(new MouseEvent('mouseout', { clientY: -3, relatedTarget: document.body }));
        document.dispatchEvent(new MouseEvent('mouseout', { clientY: -3, relatedTarget: null }));
        b.remove();");
    assert_eq!(js("return window.__exits.length"), JsValue::from(1));
    let invalid = Reflect::get(&c.stats(), &"invalid".into())
        .unwrap()
        .as_f64();
    assert_eq!(invalid, Some(1.0));
    c.shutdown();
    let storage = c.driver().storage();
    let stored: String = storage
        .keys_with_prefix("footfall.q.")
        .iter()
        .filter_map(|k| storage.get(k))
        .collect();
    for expected in [
        r#""type":"page""#,
        r#""event":"price_checked","properties":{"service":"battery"}"#,
        r#""event":"rage_click","properties":{"clicks":3,"x":10,"y":20,"selector":"button#tagged > span","text":"Check price"}"#,
        r#""event":"exit_intent","properties":{"dwell_ms":"#,
    ] {
        assert!(stored.contains(expected), "{expected} in {stored}");
    }
    assert_eq!(stored.matches(r#""event":"exit_intent""#).count(), 1);
    for key in storage.keys_with_prefix("footfall.q.") {
        storage.remove(&key);
    }
}
