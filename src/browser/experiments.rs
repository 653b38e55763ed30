//! Declarative experiments in the browser: `data-ff-experiment` elements
//! shown and hidden as the core assigns (src/js/experiments.js, bundled
//! into this build's glue), in the task footfall starts.

use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::browser::driver::Driver;

#[wasm_bindgen(module = "/src/js/experiments.js")]
extern "C" {
    /// Shows each experiment's element of `variant(key)`, hides the others.
    #[wasm_bindgen(js_name = applyVariants)]
    fn apply_variants(variant: &JsValue, document: &JsValue);
}

/// Applies the assignments to the page's variant elements (each shown one
/// a `variant()` call), now and once the document is parsed.
pub fn apply(driver: &Rc<Driver>, document: &JsValue) {
    let weak = Rc::downgrade(driver);
    let variant = Closure::<dyn Fn(String) -> String>::new(move |key: String| {
        weak.upgrade().map(|d| d.variant(&key)).unwrap_or_default()
    });
    apply_variants(&variant.into_js_value(), document);
}
