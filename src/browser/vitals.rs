//! Web vitals in the browser: what the page's `PerformanceObserver`s see,
//! reported entry by entry in a few lines of JavaScript that never throw
//! (buffered, so entries from before footfall loaded count too). What
//! the entries mean is decided in [`core::vitals`](crate::core::vitals).
//! A metric whose entry type the engine lacks is never reported.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::browser::dom::Watch;

use crate::core::vitals::Measure;

#[wasm_bindgen(inline_js = "export function observe(report) {
  const P = self.PerformanceObserver, perf = performance, doc = document;
  const types = (P && P.supportedEntryTypes) || [], off = [];
  const nav = perf.getEntriesByType('navigation')[0];
  const act = (nav && nav.activationStart) || 0;
  const since = (t) => Math.max(t - act, 0);
  const hid = perf.getEntriesByType('visibility-state').find((e) => e.name == 'hidden');
  const hiddenAt = doc.visibilityState == 'hidden' ? 0 : hid ? hid.startTime : Infinity;
  const seen = {
    'paint': (e) => { if (e.name == 'first-contentful-paint' && e.startTime < hiddenAt) report(1, since(e.startTime), 0); },
    'largest-contentful-paint': (e) => { if (e.startTime < hiddenAt) report(2, since(e.startTime), 0); },
    'layout-shift': (e) => { if (!e.hadRecentInput) report(5, e.startTime, e.value); },
    'event': (e) => { if (e.interactionId) report(6, e.interactionId, e.duration); },
    'first-input': (e) => { if (e.interactionId) report(6, e.interactionId, e.duration); },
  };
  const observers = [];
  for (const type in seen) {
    if (!types.includes(type)) continue;
    const o = new P((list) => { try { list.getEntries().forEach(seen[type]); } catch (_) {} });
    o.observe({ type, buffered: true, durationThreshold: 40 });
    observers.push([o, seen[type]]);
  }
  if (nav && nav.responseStart > 0 && nav.responseStart < perf.now()) report(0, since(nav.responseStart), 0);
  if (types.includes('layout-shift')) report(4, 0, 0);
  const flush = () => {
    try {
      for (const [o, f] of observers) o.takeRecords().forEach(f);
      report(7, perf.interactionCount || 0, 0);
    } catch (_) {}
  };
  const input = () => {
    flush();
    report(3, 0, 0);
    for (const k of ['keydown', 'click']) removeEventListener(k, input, true);
  };
  const shown = (e) => {
    if (!e.persisted) return;
    requestAnimationFrame(() => requestAnimationFrame(() => {
      const t = perf.now() - e.timeStamp;
      report(1, t, 0);
      report(2, t, 0);
    }));
  };
  for (const k of ['keydown', 'click']) addEventListener(k, input, true);
  addEventListener('pageshow', shown);
  return [flush, () => {
    for (const [o] of observers) o.disconnect();
    for (const k of ['keydown', 'click']) removeEventListener(k, input, true);
    removeEventListener('pageshow', shown);
  }];
}")]
extern "C" {
    /// Observes the page's performance entries; calls `report(kind, a, b)`
    /// (see [`measure`]). Returns `[flush, stop]`.
    #[wasm_bindgen(catch)]
    fn observe(report: &JsValue) -> Result<JsValue, JsValue>;
}

/// The [`Measure`] a report stands for: 0 TTFB, 1 FCP, 2 LCP, 3 the first
/// input, 4 layout shifts observed, 5 a shift (start, value), 6 an
/// interaction's event (id, duration), 7 the interaction count.
fn measure(kind: u32, a: f64, b: f64) -> Option<Measure> {
    Some(match kind {
        0 => Measure::Ttfb(a),
        1 => Measure::Fcp(a),
        2 => Measure::Lcp(a),
        3 => Measure::Input,
        4 => Measure::LayoutShifts,
        5 => Measure::Shift { start: a, value: b },
        6 => Measure::Interaction {
            id: a as u64,
            duration: b,
        },
        7 => Measure::Count(a as u32),
        _ => return None,
    })
}

/// Observes the page: `report(measure)` for each measurement; dropping
/// the watch stops it, flushing it reports what the observers hold.
pub fn start(report: impl Fn(Measure) + 'static) -> Option<Watch> {
    let report = Closure::<dyn Fn(u32, f64, f64)>::new(move |kind, a, b| {
        if let Some(m) = measure(kind, a, b) {
            report(m);
        }
    });
    Watch::from_js(observe(&report.into_js_value()).ok()?)
}
