// The demo's errors, computed from the events a collector received.
// Pure (no DOM): the inspector renders it, tests import it in Node.
//
// Definition (also in docs/demo.md):
// - footfall (`autocapture: { errors: true }`) sends an error's first
//   occurrence in a page view as a `track` event `error` (`message`, `kind`,
//   `source`, `line`, ...) and counts every occurrence; the page view's
//   `page_leave` carries `errors: [{ message, source, line, count }]`, the
//   counts since the previous `page_leave` (a page hidden then shown again
//   leaves twice). An error is its message, source and line, as footfall
//   tells errors apart.
// - The `page_leave` count includes the occurrence the `error` event
//   reported. So, per visitor (`anonymousId`), page (`context.page.path`)
//   and error, events in `timestamp` order (arrival order on ties): each
//   `error` event is one occurrence not yet counted; a `page_leave` count
//   covers as many of those as it can and adds the rest. Occurrences =
//   the sum of `page_leave` counts + the `error` events no `page_leave`
//   covered (a page view not left yet, or its page_leave lost).
// - An event received again with the same `messageId` counts once.
// - Kind: the `error` events' `kind` ('' when only page_leave counted it:
//   past footfall's 10 `error` events per page view). Pages: the paths it
//   happened on. Last: the latest `error` event, or the latest `page_leave`
//   counting more occurrences than the `error` events it covers (those
//   happened before it).

export const ERROR_EVENT = 'error';
export const LEAVE_EVENT = 'page_leave';
export const NO_MESSAGE = '(no message)';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A string as is, a finite number as text; else ''. */
const text = (v) => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : '');
/** A positive safe integer; else 0. */
const whole = (v) => (Number.isSafeInteger(v) && v > 0 ? v : 0);
const pathOf = (e) => (isObject(e.context) && isObject(e.context.page) ? text(e.context.page.path) : '');

/** The key footfall tells errors apart by: message, source, line. */
export const errorKey = (message, source, line) => JSON.stringify([message, source, line]);

/** What an `error` event's properties or a `page_leave` entry says of the error. */
function describe(p) {
  const message = text(p.message);
  const source = text(p.source);
  const line = whole(p.line);
  return { key: errorKey(message, source, line), message, source, line };
}

/**
 * The occurrences among `events` (in arrival order), deduplicated by
 * `messageId`: `{ what: 'error' | 'leave', key, message, source, line,
 * kind, count, visitor, path, at, timestamp, arrival }`.
 */
export function occurrencesOf(events) {
  const seen = new Set();
  const out = [];
  let arrival = 0;
  for (const e of Array.isArray(events) ? events : []) {
    if (!isObject(e) || e.type !== 'track' || (e.event !== ERROR_EVENT && e.event !== LEAVE_EVENT)) continue;
    const p = isObject(e.properties) ? e.properties : {};
    if (e.event === LEAVE_EVENT && !Array.isArray(p.errors)) continue;
    const messageId = text(e.messageId);
    if (messageId) {
      if (seen.has(messageId)) continue;
      seen.add(messageId);
    }
    const at = typeof e.timestamp === 'string' ? Date.parse(e.timestamp) : NaN;
    const common = {
      visitor: text(e.anonymousId),
      path: pathOf(e),
      at: Number.isFinite(at) ? at : 0,
      timestamp: Number.isFinite(at) ? new Date(at).toISOString() : '',
      arrival: arrival++,
    };
    if (e.event === ERROR_EVENT) {
      const kind = typeof p.kind === 'string' ? p.kind : '';
      out.push({ what: 'error', ...describe(p), kind, count: 1, ...common });
      continue;
    }
    for (const entry of p.errors) {
      if (!isObject(entry) || !whole(entry.count)) continue;
      out.push({ what: 'leave', ...describe(entry), kind: '', count: whole(entry.count), ...common });
    }
  }
  return out;
}

/**
 * The errors over `events`: `rows`, one per error `{ key, message, kind,
 * source, line, count, pages, visitors, last }` (`last` an ISO time or ''),
 * most occurrences first; `total`, the occurrences of all of them.
 */
export function computeErrors(events) {
  const occurrences = occurrencesOf(events);
  // Per visitor, page and error: the order occurrences happened in.
  const streams = new Map();
  for (const o of occurrences) {
    const id = JSON.stringify([o.visitor, o.path, o.key]);
    if (!streams.has(id)) streams.set(id, []);
    streams.get(id).push(o);
  }
  const rows = new Map();
  const row = (o) => {
    if (!rows.has(o.key)) {
      rows.set(o.key, { key: o.key, message: o.message || NO_MESSAGE, kind: '', source: o.source, line: o.line, count: 0, pages: [], visitors: new Set(), lastAt: -1, first: o.arrival });
    }
    return rows.get(o.key);
  };
  for (const stream of streams.values()) {
    stream.sort((a, b) => a.at - b.at || a.arrival - b.arrival);
    let pending = 0;
    for (const o of stream) {
      const r = row(o);
      if (!r.pages.includes(o.path) && o.path) r.pages.push(o.path);
      if (o.visitor) r.visitors.add(o.visitor);
      r.first = Math.min(r.first, o.arrival);
      if (o.what === 'error') {
        if (!r.kind && o.kind) r.kind = o.kind;
        pending++;
        if (o.timestamp) r.lastAt = Math.max(r.lastAt, o.at);
        continue;
      }
      const covered = Math.min(pending, o.count);
      pending -= covered;
      r.count += o.count;
      if (o.count > covered && o.timestamp) r.lastAt = Math.max(r.lastAt, o.at);
    }
    if (stream.length) row(stream[0]).count += pending;
  }
  const list = [...rows.values()]
    .map((r) => ({
      key: r.key,
      message: r.message,
      kind: r.kind,
      source: r.source,
      line: r.line,
      count: r.count,
      pages: r.pages,
      visitors: r.visitors.size,
      last: r.lastAt >= 0 ? new Date(r.lastAt).toISOString() : '',
      first: r.first,
    }))
    .sort((a, b) => b.count - a.count || b.last.localeCompare(a.last) || a.first - b.first)
    .map(({ first, ...r }) => r);
  return { rows: list, total: list.reduce((sum, r) => sum + r.count, 0) };
}

/** Where an error was raised, short: `/assets/service.js:58`, '' when unknown. */
export function whereOf({ source, line }) {
  let where = source;
  try {
    const url = new URL(source);
    if (url.protocol === 'http:' || url.protocol === 'https:') where = url.pathname;
  } catch {
    // not a URL: as it is
  }
  return where && line ? `${where}:${line}` : where;
}
