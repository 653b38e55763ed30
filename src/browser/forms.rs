//! Forms in the browser: which form and field an input or a submit
//! belongs to, read in a few lines of JavaScript (capture-phase listeners
//! on the document, passive, never throwing). Never a value: only the
//! form's name, its number of fields and the field's name or id. An input
//! reaches the wasm only when its field differs from the last one's.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::browser::dom::Watch;

#[wasm_bindgen(
    inline_js = "const FIELDS = 'input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=reset]):not([type=image]),select,textarea';
function group(el) {
  const g = el && el.closest && el.closest('form,[data-ff-form]');
  if (!g) return null;
  const forms = g.ownerDocument.forms;
  let i = 0;
  while (i < forms.length && forms[i] !== g) i++;
  const name = g.getAttribute('data-ff-form') || g.id || g.getAttribute('name') || 'form[' + i + ']';
  return [g, name, g.querySelectorAll(FIELDS).length];
}
export function watch(doc, report) {
  let last = null;
  const input = (e) => {
    try {
      const t = e.target;
      if (t === last) return; // typing on in the same field: nothing to do
      const g = t && t.matches && t.matches(FIELDS) && group(t);
      if (!g) return;
      last = t;
      report(0, g[1], g[2], t.getAttribute('name') || t.id || t.type || t.tagName.toLowerCase());
    } catch (_) {}
  };
  const submit = (e) => {
    try {
      const g = group(e.target);
      if (g) { last = null; report(1, g[1], g[2], ''); }
    } catch (_) {}
  };
  const click = (e) => {
    try {
      const b = e.target && e.target.closest && e.target.closest('[type=submit],[data-ff-submit]');
      const g = b && b.closest('[data-ff-form]');
      if (g && !b.closest('form')) submit({ target: b });
    } catch (_) {}
  };
  const on = [['input', input], ['change', input], ['submit', submit], ['click', click]];
  for (const [k, f] of on) doc.addEventListener(k, f, { capture: true, passive: true });
  return () => { for (const [k, f] of on) doc.removeEventListener(k, f, { capture: true }); };
}"
)]
extern "C" {
    /// Listens to `doc`'s inputs, changes, submits and submit clicks;
    /// calls `report(submit (0|1), form, fields, field)`. Returns the
    /// function that stops listening.
    #[wasm_bindgen(catch)]
    fn watch(doc: &JsValue, report: &JsValue) -> Result<JsValue, JsValue>;
}

/// Watches `document`'s forms: `report(submit, form, fields, field)`;
/// dropping the watch stops it.
pub fn start(
    document: &JsValue,
    report: impl FnMut(u32, String, u32, String) + 'static,
) -> Option<Watch> {
    let report = Closure::<dyn FnMut(u32, String, u32, String)>::new(report);
    Watch::from_js(watch(document, &report.into_js_value()).ok()?)
}
