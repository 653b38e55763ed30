// footfall's script-tag loader, built to dist/footfall.js (IIFE: this file
// and the snippet, minified). It reads its settings from the data-*
// attributes of its own <script> tag (over `window.footfallSettings`, which
// the GTM template sets), fetches the build those settings need from next to
// itself (its glue module and its wasm, in parallel: src/js/builds.js),
// starts footfall and replays the calls the snippet recorded, in order, each
// with the page and time of the moment it was made.
// Whatever fails (a blocked wasm, a CSP without 'wasm-unsafe-eval', an old
// browser), the page never sees an error: the stub keeps accepting calls and
// drops them, and `data-debug` says why in the console.
import { installStub } from './stub.js';
import { buildFor } from './builds.js';
import { replay } from './replay.js';

const w = window;
const script = document.currentScript;
installStub(w, document, 'footfall'); // no snippet on the page (GTM): calls made until load are kept too
const stub = w.footfall;
const noop = () => {};
const isObject = (v) => v !== null && typeof v == 'object';
const words = (v) => (v || '').split(/[\s,]+/).filter(Boolean);
/** The `autocapture` switches, as `data-autocapture` names them. */
const SWITCHES = ['pageViews', 'history', 'scrollDepth', 'rageClick', 'exitIntent', 'pageLeave', 'clicks'];

// `stub.q`: the snippet's stub (not a loaded client); `stub.l`: a loader is at it.
if (stub && stub.q && !stub.l) {
  stub.l = 1;
  let debug = false;
  try {
    const settings = readSettings();
    debug = !!settings.debug;
    const file = (ext) => new URL('footfall.' + buildFor(settings) + ext, script.src).href;
    const wasm = fetch(file('.wasm'));
    wasm.catch(noop); // when the glue fails first, its error is the one said
    import(file('.mjs')).then((glue) => glue.default({ module_or_path: wasm }).then(() => {
      let client;
      try {
        client = glue.start(settings);
      } catch (e) {
        return fail(e, true); // invalid settings: always said
      }
      adopt(client, debug);
    })).then(noop, (e) => fail(e, debug));
  } catch (e) {
    fail(e, debug);
  }
}

/**
 * The settings: `window.footfallSettings`, then the script tag's data-*
 * attributes. A `footfallSettings` or `data-options` that is not a (JSON)
 * object is always said, not only with `debug`, and ignored; the other
 * settings apply.
 */
function readSettings() {
  const s = {};
  const ds = script.dataset;
  let options = ds.options;
  try {
    options = options && JSON.parse(options);
  } catch (_) {}
  for (const [name, v] of [['window.footfallSettings', w.footfallSettings], ['data-options', options]]) {
    if (isObject(v) && !Array.isArray(v)) Object.assign(s, v);
    else if (v != null && v !== '') console.warn('footfall: ' + name + ' ignored: not a JSON object.');
  }
  if (ds.endpoint) s.endpoint = ds.endpoint;
  if (ds.writeKey) s.writeKey = ds.writeKey;
  if (ds.consent) s.consent = Object.assign({}, s.consent, { mode: ds.consent });
  if (ds.debug != null) s.debug = ds.debug != 'false';
  if (ds.autocapture != null) s.autocapture = autocapture(ds.autocapture);
  if (ds.attribution == 'false') s.attribution = false;
  const layer = dataLayer(ds);
  if (layer !== undefined) s.dataLayer = layer;
  return s;
}

/**
 * `data-autocapture`: `true` (the defaults), `false` (all off), names to
 * keep only those (`pageViews scrollDepth`), names with `-` to turn those
 * off (`-rageClick -exitIntent`), or with `+` to add what is off by default
 * (`+errors`).
 */
function autocapture(value) {
  const o = {};
  const list = words(value).filter((x) => x != 'true');
  if (list.some((x) => x[0] != '-' && x[0] != '+')) for (const k of SWITCHES) o[k] = false;
  for (const x of list) if (x != 'false') o[x.replace(/^[+-]/, '')] = x[0] != '-';
  return o;
}

/**
 * `data-data-layer`: `true` (or present: forward and mirror), `false`, or
 * any of `forward`, `mirror` and `ecommerce`; with `data-data-layer-name`,
 * `data-data-layer-allow` and `data-data-layer-deny` (which turn forwarding
 * on, filtered).
 */
function dataLayer(ds) {
  const v = ds.dataLayer;
  const lists = ds.dataLayerAllow != null || ds.dataLayerDeny != null;
  if (v == null && ds.dataLayerName == null && !lists) return;
  if (v == 'false') return false;
  const o = {};
  if (v != null) {
    const list = words(v).filter((x) => x != 'true');
    o.forward = !list.length || list.includes('forward');
    o.mirror = !list.length || list.includes('mirror');
    if (list.includes('ecommerce')) o.ecommerce = true;
  }
  if (ds.dataLayerName) o.name = ds.dataLayerName;
  if (o.forward !== false && lists) o.forward = { allow: words(ds.dataLayerAllow), deny: words(ds.dataLayerDeny) };
  return o;
}

/** footfall is up: it becomes `window.footfall`, the stub forwards to it, and the queue is replayed. */
function adopt(client, debug) {
  // Segment's `ready(callback)`: called with the client, now or once loaded;
  // the promise it returns (as the ES module entry's does) is settled.
  client.ready = (f) => {
    try {
      if (typeof f == 'function') f(client);
    } catch (_) {}
    return Promise.resolve();
  };
  w.footfall = client;
  const queue = stub.q.splice(0);
  // Calls the stub dropped while footfall was loading: counted in stats().dropped, said with debug.
  const dropped = stub.d;
  if (dropped) {
    const stats = client.stats;
    client.stats = () => {
      const s = stats.call(client);
      s.dropped += dropped;
      return s;
    };
    if (debug) console.warn('footfall: ' + dropped + ' calls made before loading were dropped (the stub keeps 1000).');
  }
  // The stub may be kept under another name (`window.analytics = footfall`).
  for (const m in stub) if (typeof stub[m] == 'function') stub[m] = (...a) => (typeof client[m] == 'function' ? client[m](...a) : undefined);
  replay(queue, client);
}

/** Keeps swallowing calls without keeping them; says why when asked. */
function fail(e, say) {
  stub.q.length = 0;
  for (const m in stub) if (typeof stub[m] == 'function') stub[m] = noop;
  if (say) console.warn('footfall: not loaded; calls are ignored.', (e && e.message) || e);
}
