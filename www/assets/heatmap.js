// The demo's click maps, computed from the events a collector received.
// Pure (no DOM): the inspector renders it, tests import it in Node.
//
// Definition (also in docs/demo.md):
// - footfall (`autocapture: { heatmap: true }`) sends `track` events
//   `heatmap` (one per 10 s of activity and one at the end of the page
//   view) with `path`, `viewport: [width, height]` (CSS px, at the last
//   click) and `points: [[x, y, kind], ...]`: x the fraction of the
//   viewport's width, y the page y in CSS px, kind 'click', 'rage' or
//   'dead'. An event received again with the same `messageId` counts once.
// - Per page (`properties.path`, else `context.page.path`): every point of
//   its events in arrival order, the count of each kind, and the latest
//   viewport (of the event with the latest `timestamp`, arrival order on
//   ties), which the inspector's preview takes as the page's width.
// - A point that is not `[x in 0..1, y >= 0, known kind]` is left out
//   (counted in `ignored`); so is a viewport that is not two sizes from 1 to
//   10,000 px.

export const HEATMAP_EVENT = 'heatmap';
export const KINDS = ['click', 'rage', 'dead'];
export const NO_PATH = '(unknown page)';
/** Largest viewport side taken as real, in CSS px. */
export const MAX_VIEWPORT = 10000;
/**
 * The query a store page reads to know it is the inspector's heat-map
 * preview, not a visit (www/assets/store.js): it then never starts footfall.
 */
export const PREVIEW_PARAM = 'ff_preview';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A non-empty string (numbers allowed); else ''. */
const text = (v) => (typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : '');
const finite = (v) => typeof v === 'number' && Number.isFinite(v);

/** `[x, y, kind]` when `p` is a readable point; else null. */
function pointOf(p) {
  if (!Array.isArray(p) || p.length < 3) return null;
  const [x, y, kind] = p;
  if (!finite(x) || x < 0 || x > 1 || !finite(y) || y < 0 || !KINDS.includes(kind)) return null;
  return [x, y, kind];
}

/** `[width, height]` when `v` is a readable viewport; else null. */
function viewportOf(v) {
  if (!Array.isArray(v) || v.length !== 2) return null;
  const [w, h] = v;
  return finite(w) && finite(h) && w >= 1 && h >= 1 && w <= MAX_VIEWPORT && h <= MAX_VIEWPORT ? [w, h] : null;
}

/**
 * Per page among `events` (in arrival order), most points first:
 * `{ path, points: [[x, y, kind]], counts: { click, rage, dead }, total,
 * viewport: [width, height] | null, events, ignored }` (`events`: the
 * `heatmap` events counted).
 */
export function computeHeatmap(events) {
  const seen = new Set();
  const pages = new Map();
  let arrival = 0;
  for (const e of Array.isArray(events) ? events : []) {
    if (!isObject(e) || e.type !== 'track' || e.event !== HEATMAP_EVENT) continue;
    const messageId = text(e.messageId);
    if (messageId) {
      if (seen.has(messageId)) continue;
      seen.add(messageId);
    }
    const order = arrival++;
    const p = isObject(e.properties) ? e.properties : {};
    const page = isObject(e.context) && isObject(e.context.page) ? e.context.page : {};
    const path = text(p.path) || text(page.path) || NO_PATH;
    if (!pages.has(path)) pages.set(path, { path, points: [], counts: Object.fromEntries(KINDS.map((k) => [k, 0])), viewport: null, at: -Infinity, events: 0, ignored: 0, first: order });
    const entry = pages.get(path);
    entry.events++;
    for (const raw of Array.isArray(p.points) ? p.points : []) {
      const point = pointOf(raw);
      if (!point) {
        entry.ignored++;
        continue;
      }
      entry.points.push(point);
      entry.counts[point[2]]++;
    }
    const viewport = viewportOf(p.viewport);
    const at = typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : NaN;
    const when = Number.isFinite(at) ? at : -Infinity;
    if (viewport && (!entry.viewport || when >= entry.at)) {
      entry.viewport = viewport;
      entry.at = when;
    }
  }
  return [...pages.values()]
    .sort((a, b) => b.points.length - a.points.length || a.first - b.first)
    .map(({ path, points, counts, viewport, events: count, ignored }) => ({ path, points, counts, total: points.length, viewport, events: count, ignored }));
}

/**
 * The preview's address for `path` on `origin`: the path, its query kept,
 * with `ff_preview=1`; '' when `path` is not a path of that origin (an
 * event's path is page data: `//elsewhere.example/` or `javascript:` never
 * becomes an iframe's src).
 */
export function previewSrc(path, origin) {
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.includes('\\')) return '';
  let url;
  try {
    url = new URL(path, origin);
  } catch {
    return '';
  }
  if (url.origin !== origin) return '';
  url.searchParams.set(PREVIEW_PARAM, '1');
  url.hash = '';
  return url.pathname + url.search;
}
