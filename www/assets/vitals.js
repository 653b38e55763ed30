// The demo's web vitals, computed from the events a collector received.
// Pure (no DOM): the inspector renders it, tests import it in Node.
//
// Definition (also in docs/demo.md):
// - footfall (`autocapture: { webVitals: true }`) sends one `track` event
//   `web_vitals` per page view, when it ends, with the metrics the browser
//   measured: `lcp`, `fcp`, `ttfb`, `inp` (ms) and `cls`; its page is
//   `context.page.path`. An event received again with the same `messageId`
//   counts once.
// - Per page path and metric: the 75th percentile of the values received
//   (Google's aggregation: a page passes when at least 75% of its page views
//   are good), taken by nearest rank: the smallest value that at least 75%
//   of the values are at or below, so always a value some page view had.
// - That p75 is rated by Google's thresholds (good up to the first,
//   poor above the second): LCP 2500/4000 ms, INP 200/500 ms, CLS 0.1/0.25,
//   FCP 1800/3000 ms, TTFB 800/1800 ms.
// - A metric no page view of the path measured is absent (Firefox sends no
//   CLS, WebKit only FCP and TTFB; INP needs an interaction). `views`: the
//   path's `web_vitals` events, so the page views measured.

export const VITALS_EVENT = 'web_vitals';
export const NO_PATH = '(unknown page)';

/** The metrics in display order, with Google's thresholds and unit. */
export const METRICS = [
  { id: 'lcp', label: 'LCP', name: 'Largest Contentful Paint', good: 2500, poor: 4000, unit: 'ms' },
  { id: 'inp', label: 'INP', name: 'Interaction to Next Paint', good: 200, poor: 500, unit: 'ms' },
  { id: 'cls', label: 'CLS', name: 'Cumulative Layout Shift', good: 0.1, poor: 0.25, unit: '' },
  { id: 'fcp', label: 'FCP', name: 'First Contentful Paint', good: 1800, poor: 3000, unit: 'ms' },
  { id: 'ttfb', label: 'TTFB', name: 'Time to First Byte', good: 800, poor: 1800, unit: 'ms' },
];
const BY_ID = new Map(METRICS.map((m) => [m.id, m]));

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A non-empty string (numbers allowed); else ''. */
const text = (v) => (typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : '');
/** A finite, non-negative number; else null. */
const measure = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

/** Google's rating of `value` for metric `id`: 'good', 'needs-improvement' or 'poor' ('' for an unknown metric). */
export function rate(id, value) {
  const m = BY_ID.get(id);
  if (!m || typeof value !== 'number' || !Number.isFinite(value)) return '';
  return value > m.poor ? 'poor' : value > m.good ? 'needs-improvement' : 'good';
}

/** The 75th percentile of `values` by nearest rank (null for none). */
export function p75(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(sorted.length * 0.75) - 1];
}

/**
 * Per page path among `events` (in arrival order), most page views first:
 * `{ path, views, metrics: [{ id, label, value, rating, count }] }`,
 * `metrics` in METRICS order, only those measured (`count`: page views
 * that measured it; `value` the p75).
 */
export function computeVitals(events) {
  const seen = new Set();
  const pages = new Map();
  let arrival = 0;
  for (const e of Array.isArray(events) ? events : []) {
    if (!isObject(e) || e.type !== 'track' || e.event !== VITALS_EVENT) continue;
    const messageId = text(e.messageId);
    if (messageId) {
      if (seen.has(messageId)) continue;
      seen.add(messageId);
    }
    const p = isObject(e.properties) ? e.properties : {};
    const page = isObject(e.context) && isObject(e.context.page) ? e.context.page : {};
    const path = text(page.path) || NO_PATH;
    if (!pages.has(path)) pages.set(path, { path, views: 0, values: new Map(METRICS.map((m) => [m.id, []])), first: arrival++ });
    const entry = pages.get(path);
    entry.views++;
    for (const m of METRICS) {
      const value = measure(p[m.id]);
      if (value !== null) entry.values.get(m.id).push(value);
    }
  }
  return [...pages.values()]
    .sort((a, b) => b.views - a.views || a.first - b.first)
    .map((entry) => ({
      path: entry.path,
      views: entry.views,
      metrics: METRICS.filter((m) => entry.values.get(m.id).length).map((m) => {
        const values = entry.values.get(m.id);
        const value = p75(values);
        return { id: m.id, label: m.label, value, rating: rate(m.id, value), count: values.length };
      }),
    }));
}

/** A metric's value for display: `640 ms`, `2.35 s`, `0.0123` (CLS). */
export function formatMetric(id, value) {
  if (id === 'cls') return String(Math.round(value * 10000) / 10000);
  return value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`;
}
