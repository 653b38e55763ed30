//! Clicks in the browser, for click maps: where each landed and whether
//! its target is interactive, read in a few lines of JavaScript (a
//! capture-phase, passive listener on the document, never throwing). A
//! click on anything else is watched for 1 s: whether the DOM, the
//! location or the selection changed after it (one `MutationObserver`
//! while such a click is watched, none otherwise). Nothing runs on mouse
//! moves. The core decides what the facts mean (`core::heatmap`).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::browser::dom::Watch;

use crate::core::heatmap::Click;

#[wasm_bindgen(
    inline_js = "const ACTIVE = 'a[href],button,input,select,textarea,label,summary,[role=button],[role=link],[role=checkbox],[role=tab],[role=menuitem],[onclick],[contenteditable],[tabindex]:not([tabindex=\"-1\"])';
export function watch(doc, report) {
  const win = doc.defaultView, watched = new Set();
  const send = (c, changed) => {
    watched.delete(c);
    clearTimeout(c.timer);
    if (!watched.size && observer) watching(false);
    report(c.x, c.y, c.sy, c.w, c.h, c.active | (changed ? 2 : 0), Math.max(performance.now() - c.t, 0));
  };
  const changed = () => { for (const c of [...watched]) send(c, true); };
  const selected = () => { const s = doc.getSelection(); if (s && !s.isCollapsed) changed(); };
  let observer = null;
  // Only while a click is watched: nothing runs on typing or selecting otherwise.
  const watching = (on) => {
    if (on) {
      observer = new MutationObserver(changed);
      observer.observe(doc.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
      doc.addEventListener('selectionchange', selected, { passive: true });
    } else {
      observer.disconnect();
      observer = null;
      doc.removeEventListener('selectionchange', selected);
    }
  };
  const click = (e) => {
    try {
      const t = e.target, active = t && t.closest && t.closest(ACTIVE) ? 1 : 0;
      const c = { x: e.clientX, y: e.clientY, sy: win.scrollY, w: win.innerWidth, h: win.innerHeight, active, t: e.timeStamp || performance.now() };
      if (active) return send(c, true);
      watched.add(c);
      c.timer = setTimeout(() => send(c, false), 1000);
      if (!observer) watching(true);
    } catch (_) {}
  };
  const on = [[doc, 'click', click, true], [win, 'hashchange', changed, false], [win, 'popstate', changed, false]];
  for (const [target, k, f, capture] of on) target.addEventListener(k, f, { capture, passive: true });
  return [changed, () => {
    for (const [target, k, f, capture] of on) target.removeEventListener(k, f, { capture });
    for (const c of watched) clearTimeout(c.timer);
    watched.clear();
    if (observer) watching(false);
  }];
}"
)]
extern "C" {
    /// Listens to `doc`'s clicks; calls `report(clientX, clientY,
    /// scrollY, innerWidth, innerHeight, flags (1 interactive, 2
    /// changed), age ms)`. Returns `[flush, stop]`: `flush` reports the
    /// clicks still watched as having changed something (the page view
    /// ends: a navigation, at least).
    #[wasm_bindgen(catch)]
    fn watch(doc: &JsValue, report: &JsValue) -> Result<JsValue, JsValue>;
}

/// Watches `document`'s clicks: `report(click)` for each; dropping the
/// watch stops it, flushing it reports the clicks still watched.
pub fn start(document: &JsValue, report: impl Fn(Click) + 'static) -> Option<Watch> {
    let report = Closure::<dyn Fn(f64, f64, f64, f64, f64, u32, f64)>::new(
        move |x, y, scroll_y, width: f64, height: f64, flags: u32, age: f64| {
            report(Click {
                client_x: x,
                client_y: y,
                scroll_y,
                width: width as u32,
                height: height as u32,
                interactive: flags & 1 != 0,
                changed: flags & 2 != 0,
                age_ms: age as u64,
            })
        },
    );
    Watch::from_js(watch(document, &report.into_js_value()).ok()?)
}
