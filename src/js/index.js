// footfall's ES module entry, built to dist/footfall.mjs next to the builds
// it chooses from: `init(options)` fetches the build its options need (its
// glue module and its wasm, in parallel), once, then starts a client.
import { buildFor } from './builds.js';

/**
 * Each build's glue module and wasm, as literal paths so that bundlers
 * (Vite, webpack, Rollup, esbuild) see every build and emit each as a chunk
 * and an asset of its own; a page fetches only the one it uses.
 */
const BUILDS = {
  core: [() => import('./footfall.core.mjs'), () => new URL('./footfall.core.wasm', import.meta.url)],
  signals: [() => import('./footfall.signals.mjs'), () => new URL('./footfall.signals.wasm', import.meta.url)],
  attribution: [() => import('./footfall.attribution.mjs'), () => new URL('./footfall.attribution.wasm', import.meta.url)],
  datalayer: [() => import('./footfall.datalayer.mjs'), () => new URL('./footfall.datalayer.wasm', import.meta.url)],
  'signals-attribution': [() => import('./footfall.signals-attribution.mjs'), () => new URL('./footfall.signals-attribution.wasm', import.meta.url)],
  'signals-datalayer': [() => import('./footfall.signals-datalayer.mjs'), () => new URL('./footfall.signals-datalayer.wasm', import.meta.url)],
  'attribution-datalayer': [() => import('./footfall.attribution-datalayer.mjs'), () => new URL('./footfall.attribution-datalayer.wasm', import.meta.url)],
  'signals-attribution-datalayer': [
    () => import('./footfall.signals-attribution-datalayer.mjs'),
    () => new URL('./footfall.signals-attribution-datalayer.wasm', import.meta.url),
  ],
};

/** The builds loaded or loading, by name. */
const loaded = {};

/** The glue module of build `name`, its wasm instantiated (streamed while the glue loads). */
function load(name) {
  const [glue, url] = BUILDS[name];
  return (loaded[name] ||= (async () => {
    const wasm = fetch(url());
    wasm.catch(() => {}); // when the glue fails first, its error is the one reported
    const module = await glue();
    await module.default({ module_or_path: wasm });
    return module;
  })().catch((e) => {
    delete loaded[name]; // a later init tries again
    throw e;
  }));
}

/**
 * Starts footfall. Resolves with the client; rejects with a clear message
 * when the options are invalid or footfall cannot load.
 * @param {import('./footfall.js').FootfallOptions} options
 * @returns {Promise<import('./footfall.js').Client>}
 */
export async function init(options) {
  const module = await load(options !== null && typeof options == 'object' ? buildFor(options) : 'core');
  // With debug, name the options footfall ignores (a misspelt `flushAT`):
  // a chunk of its own, fetched only then.
  if (options && options.debug === true) await import('./options.js').then((m) => m.warnUnknownOptions(options), () => {});
  return module.start(options);
}
