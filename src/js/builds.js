// Which prebuilt build a page loads. footfall is built once per set of
// optional capabilities (Cargo features, see scripts/build.mjs): a page
// fetches the one its options turn on, so a capability it leaves off costs
// it nothing. The ES module entry and the script-tag loader share this.

/** The optional capabilities, in the order build names list them. */
export const CAPABILITIES = ['signals', 'attribution', 'datalayer'];

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
    return on.join('-') || 'core';
  } catch (_) {
    return CAPABILITIES.join('-');
  }
}
