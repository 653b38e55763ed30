// footfall's ES module entry, built to dist/footfall.mjs next to the builds
// it chooses from. `load(options)` returns a client at once and starts the
// build its options need (its glue module and its wasm, in parallel, once);
// calls made before it is ready are recorded and replayed in order, each
// with its page and time. `init(options)` is `load` and waiting for ready.
// One client per endpoint: a second `load` or `init` with the same
// endpoint (React StrictMode runs effects twice) returns the first, until
// it is shut down.
import { buildFor } from './builds.js';
import { METHODS, recordInto } from './stub.js';
import { replay } from './replay.js';

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
  'datalayer-ecommerce': [() => import('./footfall.datalayer-ecommerce.mjs'), () => new URL('./footfall.datalayer-ecommerce.wasm', import.meta.url)],
  'signals-attribution-datalayer': [() => import('./footfall.signals-attribution-datalayer.mjs'), () => new URL('./footfall.signals-attribution-datalayer.wasm', import.meta.url)],
  'signals-datalayer-ecommerce': [() => import('./footfall.signals-datalayer-ecommerce.mjs'), () => new URL('./footfall.signals-datalayer-ecommerce.wasm', import.meta.url)],
  'attribution-datalayer-ecommerce': [() => import('./footfall.attribution-datalayer-ecommerce.mjs'), () => new URL('./footfall.attribution-datalayer-ecommerce.wasm', import.meta.url)],
  'signals-attribution-errors': [() => import('./footfall.signals-attribution-errors.mjs'), () => new URL('./footfall.signals-attribution-errors.wasm', import.meta.url)],
  'signals-attribution-forms': [() => import('./footfall.signals-attribution-forms.mjs'), () => new URL('./footfall.signals-attribution-forms.wasm', import.meta.url)],
  'signals-attribution-vitals': [() => import('./footfall.signals-attribution-vitals.mjs'), () => new URL('./footfall.signals-attribution-vitals.wasm', import.meta.url)],
  'signals-attribution-heatmap': [() => import('./footfall.signals-attribution-heatmap.mjs'), () => new URL('./footfall.signals-attribution-heatmap.wasm', import.meta.url)],
  'signals-attribution-experiments': [() => import('./footfall.signals-attribution-experiments.mjs'), () => new URL('./footfall.signals-attribution-experiments.wasm', import.meta.url)],
  'signals-attribution-datalayer-ecommerce': [() => import('./footfall.signals-attribution-datalayer-ecommerce.mjs'), () => new URL('./footfall.signals-attribution-datalayer-ecommerce.wasm', import.meta.url)],
  'signals-attribution-errors-forms-vitals-heatmap-experiments': [() => import('./footfall.signals-attribution-errors-forms-vitals-heatmap-experiments.mjs'), () => new URL('./footfall.signals-attribution-errors-forms-vitals-heatmap-experiments.wasm', import.meta.url)],
  'signals-attribution-datalayer-ecommerce-errors-forms-vitals-heatmap-experiments': [() => import('./footfall.signals-attribution-datalayer-ecommerce-errors-forms-vitals-heatmap-experiments.mjs'), () => new URL('./footfall.signals-attribution-datalayer-ecommerce-errors-forms-vitals-heatmap-experiments.wasm', import.meta.url)],
};

/** The builds loaded or loading, by name. */
const loaded = {};

/** The clients `load` returned, by endpoint. */
const clients = {};

const noop = () => {};

/** `options.experiments` when it is an object; never throws. */
function experimentsOf(options) {
  try {
    const x = options.experiments;
    return x !== null && typeof x == 'object' ? x : null;
  } catch (_) {
    return null;
  }
}

/** What to do when a build's wasm is not where the entry looked. */
const WASM_HINT =
  "If your bundler does not emit footfall's .wasm files as assets (esbuild, or Rollup without a plugin), " +
  'copy node_modules/footfall-analytics/dist/*.wasm to your static files and give their directory as the wasmUrl ' +
  "option, e.g. init({ endpoint, wasmUrl: '/static/footfall/' }).";

/** A wasm fetch that failed or was answered with an error status. */
class WasmMissing extends Error {}

/**
 * The glue module of build `name`, its wasm instantiated (streamed while the
 * glue loads): the wasm next to the module (as bundlers emit it), or
 * `footfall.<name>.wasm` in the directory `wasmUrl`.
 */
function fetchBuild(name, wasmUrl) {
  const [glue, bundled] = BUILDS[name];
  const key = name + ' ' + (wasmUrl || '');
  return (loaded[key] ||= (async () => {
    let url;
    try {
      url = wasmUrl ? new URL('footfall.' + name + '.wasm', new URL(wasmUrl, location.href)) : bundled();
    } catch (e) {
      // A bundle without `import.meta.url` (esbuild's iife format) cannot say where the wasm is.
      throw new Error('footfall: could not locate footfall.' + name + '.wasm' + (wasmUrl ? ' in wasmUrl ' + wasmUrl : ' next to the bundle') + ' (' + ((e && e.message) || e) + '). ' + WASM_HINT);
    }
    const wasm = fetch(url).then(
      (r) => {
        if (!r.ok) throw new WasmMissing('HTTP ' + r.status);
        return r;
      },
      (e) => {
        throw new WasmMissing((e && e.message) || String(e));
      },
    );
    wasm.catch(noop); // when the glue fails first, its error is the one reported
    const module = await glue();
    try {
      await module.default({ module_or_path: wasm });
    } catch (e) {
      throw e instanceof WasmMissing ? new Error('footfall: could not fetch ' + url + ' (' + e.message + '). ' + WASM_HINT) : e;
    }
    return module;
  })().catch((e) => {
    delete loaded[key]; // a later init tries again
    throw e;
  }));
}

/** Starts a footfall client: the build the options choose, then `start`. */
async function start(options) {
  const object = options !== null && typeof options == 'object';
  const wasmUrl = object && typeof options.wasmUrl == 'string' ? options.wasmUrl : '';
  const module = await fetchBuild(object ? buildFor(options) : 'core', wasmUrl);
  // With debug, name the options footfall ignores (a misspelt `flushAT`):
  // a chunk of its own, fetched only then.
  if (options && options.debug === true) await import('./options.js').then((m) => m.warnUnknownOptions(options), noop);
  return module.start(options);
}

/**
 * Returns footfall's client at once. Calls made before it is ready are
 * recorded and replayed in order once it is, each with the page and time of
 * the moment it was made; `await client.ready()` waits for it (and rejects,
 * with a clear message, when the options are invalid or footfall cannot
 * load: its calls are then ignored). The same endpoint gives the same
 * client. Outside a browser, a client whose calls do nothing.
 * @param {import('./footfall.js').FootfallOptions} options
 * @returns {import('./footfall.js').Client}
 */
export function load(options) {
  let endpoint = '';
  try {
    endpoint = String(options.endpoint);
  } catch (_) {} // no options, or a hostile getter: init says what is wrong
  if (Object.prototype.hasOwnProperty.call(clients, endpoint)) return clients[endpoint];
  const client = {};
  const inBrowser = typeof window == 'object' && typeof document == 'object';
  let ready;
  if (inBrowser) {
    recordInto(client, window, document);
    const experiments = experimentsOf(options);
    // Before ready: each experiment's first variant, nothing recorded.
    client.variant = (key) => {
      try {
        const variants = experiments && experiments[key] && experiments[key].variants;
        return Array.isArray(variants) && typeof variants[0] == 'string' ? variants[0] : '';
      } catch (_) {
        return '';
      }
    };
    // Kept variants shown at once, the time-out armed: a chunk of its own
    // (src/js/experiments.js), fetched only for options with experiments.
    if (experiments) import('./experiments.js').then((m) => m.holdVariants(window, document, options.experimentTimeoutMs, false), noop);
    ready = start(options).then((real) => {
      client.variant = real.variant.bind(real);
      const queue = client.q.splice(0);
      // From now on each method is the real client's own.
      for (const m of METHODS.split(' ')) if (m != 'ready') client[m] = typeof real[m] == 'function' ? real[m].bind(real) : noop;
      // A client shut down is done: a later load or init starts another.
      client.shutdown = () => {
        if (clients[endpoint] === client) delete clients[endpoint];
        real.shutdown();
      };
      replay(queue, real);
      if (client.d) {
        // Calls dropped before ready (beyond the 1,000 kept): in stats().dropped.
        const dropped = client.d;
        client.stats = () => {
          const s = real.stats();
          s.dropped += dropped;
          return s;
        };
      }
    });
  } else {
    for (const m of METHODS.split(' ')) client[m] = noop;
    client.variant = () => '';
    ready = Promise.reject(new Error('footfall: footfall runs in the browser; here (server rendering) its calls do nothing. Call load() or init() in client code.'));
  }
  ready = ready.catch((e) => {
    for (const m of METHODS.split(' ')) if (m != 'ready') client[m] = noop;
    delete clients[endpoint]; // a later load or init tries again
    throw e;
  });
  ready.catch(noop); // load() alone never leaves an unhandled rejection
  // Segment's `ready(callback)`: the callback runs with the client once it
  // is ready; the promise settles then.
  const whenReady = (callback) => {
    if (typeof callback == 'function') {
      ready.then(() => {
        try {
          callback(client);
        } catch (_) {}
      }, noop);
    }
    return ready;
  };
  client.ready = whenReady;
  // `flush()` before ready: a promise, settled once what was called so far
  // was sent and answered (or at once when footfall cannot start).
  if (inBrowser) client.flush = () => ready.then(() => client.flush(), noop);
  // wasm-bindgen's name for it: a shutdown (src/js/client.js), not a free.
  client.free = () => client.shutdown();
  if (typeof Symbol == 'function' && Symbol.dispose) client[Symbol.dispose] = client.free;
  if (inBrowser) clients[endpoint] = client;
  return client;
}

/**
 * Starts footfall. Resolves with the client (the one `load` returns for this
 * endpoint); rejects with a clear message when the options are invalid or
 * footfall cannot load.
 * @param {import('./footfall.js').FootfallOptions} options
 * @returns {Promise<import('./footfall.js').Client>}
 */
export function init(options) {
  const client = load(options);
  return client.ready().then(() => client);
}
