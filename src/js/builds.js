// Which prebuilt build a page loads. footfall is built once per set of
// optional capabilities (Cargo features, see scripts/build.mjs): a page
// fetches the one its options turn on, so a capability it leaves off costs
// it nothing. The ES module entry and the script-tag loader share this.

/** The optional capabilities, in the order build names list them. */
export const CAPABILITIES = ['signals', 'attribution', 'datalayer', 'ecommerce', 'errors', 'forms', 'vitals', 'heatmap', 'experiments'];

/**
 * The capabilities built in every combination (with what they need). Each
 * other one is built with the default options' capabilities
 * (`signals-attribution-errors`, `signals-attribution-forms`), all of them
 * together with those (`signals-attribution-errors-forms-vitals-heatmap-experiments`: every
 * automatic capture, no dataLayer), and in the build with everything:
 * builds grow by one per capability, not twofold. A page gets the
 * smallest build holding what its options turn on.
 */
const COMBINED = ['signals', 'attribution', 'datalayer', 'ecommerce'];

/**
 * The capabilities each needs (Cargo's `ecommerce = ["datalayer"]`): only
 * the sets that hold what their members need are built.
 */
export const NEEDS = { ecommerce: 'datalayer' };

// (`heatmap = ["signals"]` in Cargo.toml too: it is only built with them.)

/** Every set of capabilities built: each build name, fewest capabilities first (`core`). */
export function buildNames() {
  const sets = [];
  for (let mask = 0; mask < 1 << COMBINED.length; mask++) {
    const on = COMBINED.filter((_, i) => mask & (1 << i));
    if (on.every((c) => !NEEDS[c] || on.includes(NEEDS[c]))) sets.push(on);
  }
  const later = CAPABILITIES.filter((c) => !COMBINED.includes(c));
  for (const c of later) sets.push(['signals', 'attribution', c]);
  sets.push(['signals', 'attribution', ...later]);
  sets.push(CAPABILITIES);
  return sets.sort((a, b) => a.length - b.length).map((on) => on.join('-') || 'core');
}

/** The `autocapture` members of the behaviour signals (`pageViews` is the core's). */
const SIGNALS = ['history', 'scrollDepth', 'rageClick', 'exitIntent', 'pageLeave', 'clicks'];

/**
 * The build for `options`: the smallest holding the capabilities they turn
 * on (`core`; `signals-attribution` for the default options). Options
 * footfall will refuse, or that cannot be read, choose the build with
 * everything, so `init` says what is wrong as any build would. Never throws.
 */
export function buildFor(options) {
  try {
    const on = [];
    const a = options.autocapture;
    const isObject = a !== null && typeof a == 'object';
    if (a !== false && !(isObject && SIGNALS.every((k) => a[k] === false))) {
      if (a !== undefined && a !== true && !isObject) throw 0;
      on.push('signals');
    }
    if (options.attribution !== false) on.push('attribution');
    const layer = options.dataLayer;
    if (layer !== undefined && layer !== false) on.push('datalayer');
    if (layer !== null && typeof layer == 'object' && layer.ecommerce === true) on.push('ecommerce');
    if (isObject && a.errors === true) on.push('errors');
    if (isObject && a.forms === true) on.push('forms');
    if (isObject && a.webVitals === true) on.push('vitals');
    if (isObject && a.heatmap === true) on.push('heatmap');
    const x = options.experiments;
    if (x !== null && typeof x == 'object' && Object.keys(x).length) on.push('experiments');
    return buildNames().find((name) => on.every((c) => name.split('-').includes(c)));
  } catch (_) {
    return CAPABILITIES.join('-');
  }
}
