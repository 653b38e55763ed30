// Declarative experiments in the page, without flicker: elements marked
// `data-ff-experiment="key" data-ff-variant="id"`. The core decides the
// variant (`client.variant(key)`); this only shows and hides elements.
//
// - Until footfall has applied the assignments, every such element stays
//   hidden by one CSS rule, HIDE (the experiments snippet adds it; npm
//   users add it to their CSS), which lets through only elements marked
//   `data-ff-on`.
// - A returning visitor's kept assignments (the `footfall.exp` record) are
//   shown at once, before the wasm loads (`holdVariants`, style `ff-hold`).
// - Once footfall is ready, in the same task, `applyVariants` (run by the
//   experiments build, which bundles this file) shows each experiment's
//   assigned element and gives the others the `hidden` attribute (both
//   marked `data-ff-on`: decided); showing one counts as a `variant()`
//   call. Elements added later (a single-page app) are decided as they
//   come.
// - After `experimentTimeoutMs` (1500 by default) without footfall, each
//   experiment shows its kept variant or its first element, and footfall
//   records nothing for them on this page.
// ES5 and small: the experiments snippet is `holdVariants`; the ES module
// entry imports this file as a chunk of its own (dist/experiments.js) only
// for options with experiments.

// The attributes, named once (the snippet is counted in bytes).
var P = 'data-ff-';
var E = P + 'experiment';
var V = P + 'variant';
var ON = P + 'on';
/**
 * On <html>, set by whichever comes first: footfall applying the
 * assignments, or the time-out showing the defaults (the other then does
 * nothing).
 */
var SETTLED = P + 'exp';
var RECORD = 'footfall.exp';

/** The rule that keeps variant elements hidden until one is chosen. */
var IMPORTANT = '!important}';
export var HIDE = '[' + E + ']:not([' + ON + ']){display:none' + IMPORTANT;

/**
 * The variant kept for each experiment key (`key=variant=idhash&...` in
 * localStorage; a `privacy.cookieless` page keeps it in sessionStorage,
 * not read here: its kept variant shows when footfall is ready). Throws
 * when storage does (the caller catches).
 */
function kept(w) {
  var o = {}, D = decodeURIComponent;
  (w.localStorage.getItem(RECORD) || '').replace(/([^&=]+)=([^&=]+)=[^&]+/g, function (_, key, variant) {
    o[D(key)] = D(variant);
  });
  return o;
}

/**
 * Shows, for each experiment on the page, the element of the variant
 * `choose(key)` names (its first element when it names none) and hides
 * the others; then again for each element added later (a single-page app
 * rendering a variant after footfall started), for the page's life. Each
 * element is decided once (an `_ff` mark on it: what the page does to an
 * element afterwards is the page's) and gets `data-ff-on`, which HIDE
 * lets through; `hidden` says the rest.
 */
function show(d, choose) {
  // Per key: whether an element of it was decided (the first is shown
  // when `choose` names no variant).
  var f = {};
  function run() {
    for (var e = d.querySelectorAll('[' + E + ']'), c = {}, i = 0, k, on; i < e.length; i++) {
      if (e[i]._ff) continue;
      k = e[i].getAttribute(E);
      if (!(k in c)) c[k] = choose(k);
      on = c[k] ? e[i].getAttribute(V) == c[k] : !f[k];
      e[i].hidden = !on;
      e[i].setAttribute(ON, '');
      e[i]._ff = f[k] = 1;
    }
  }
  run();
  new MutationObserver(run).observe(d, { childList: true, subtree: true });
}

/** Adds a <style> of `css` to the document's head; returns it. */
function style(d, css) {
  var s = d.createElement('style');
  s.textContent = css;
  return d.head.appendChild(s);
}

/**
 * Before footfall is ready: adds HIDE (when `hide`), shows the kept
 * variants at once, and after `timeoutMs` (default 1500) shows each
 * experiment's kept variant or first element unless footfall applied the
 * assignments. Never throws (the page's <head> must exist: the snippet
 * is in it).
 */
export function holdVariants(w, d, timeoutMs, hide) {
  var k = {}, css = '', x, q = JSON.stringify;
  try {
    if (hide) style(d, HIDE);
    k = kept(w);
    for (x in k) css += '[' + E + '=' + q(x) + '][' + V + '=' + q(k[x]) + ']{display:revert' + IMPORTANT;
    if (css) style(d, css).id = 'ff-hold';
  } catch (e) {}
  w.setTimeout(function () {
    var r = d.documentElement;
    if (r.hasAttribute(SETTLED)) return;
    r.setAttribute(SETTLED, '');
    show(d, function (key) {
      return k[key];
    });
  }, timeoutMs || 1500);
}

/**
 * Footfall is ready: shows each experiment's assigned element (a
 * `variant(key)` call each, which records the exposure) and hides the
 * others, unless the time-out already showed the defaults; elements
 * parsed or rendered later are shown as they come. Never throws. Called
 * by the experiments build as it starts (src/browser/experiments.rs).
 */
export function applyVariants(variant, d) {
  try {
    var r = d.documentElement, hold;
    if (r.hasAttribute(SETTLED)) return;
    r.setAttribute(SETTLED, '');
    // The kept variants shown early (by the snippet, and the loader or `load`).
    while ((hold = d.getElementById('ff-hold'))) hold.parentNode.removeChild(hold);
    show(d, variant);
  } catch (e) {}
}
