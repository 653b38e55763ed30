// Which prebuilt build a page loads. footfall is built once per set of
// optional capabilities (Cargo features, see scripts/build.mjs): a page
// fetches the one its options turn on, so a capability it leaves off costs
// it nothing. The ES module entry and the script-tag loader share this.

/** The optional capabilities, in the order build names list them. */
export const CAPABILITIES = ['signals', 'attribution', 'datalayer', 'ecommerce'];

/**
 * The capabilities each needs (Cargo's `ecommerce = ["datalayer"]`): only
 * the sets that hold what their members need are built.
 */
export const NEEDS = { ecommerce: 'datalayer' };

/** Every set of capabilities built: each build name, `core` first. */
export function buildNames() {
  const names = [];
  for (let mask = 0; mask < 1 << CAPABILITIES.length; mask++) {
    const on = CAPABILITIES.filter((_, i) => mask & (1 << i));
    if (on.every((c) => !NEEDS[c] || on.includes(NEEDS[c]))) names.push(on);
  }
  return names.sort((a, b) => a.length - b.length).map((on) => on.join('-') || 'core');
}

/** The `autocapture` members of the behaviour signals (`pageViews` is the core's). */
const SIGNALS = ['history', 'scrollDepth', 'rageClick', 'exitIntent', 'pageLeave', 'clicks'];

/**
 * The build for `options`: `core`, or the capabilities they turn on joined
 * by `-` (`signals-attribution` for the default options). Options footfall
 * will refuse, or that cannot be read, choose the build with everything, so
 * `init` says what is wrong as any build would. Never throws.
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
    return on.join('-') || 'core';
  } catch (_) {
    return CAPABILITIES.join('-');
  }
}
