// The live event inspector: what the demo collector received, streamed over
// Server-Sent Events (GET /events). Standalone at /inspector, embedded beside
// the store at /inspector?embed=1 (where the store also posts its tab's state).
import { computeFunnel, FUNNEL, pathOf } from '/assets/funnel.js';
import { computeRevenue, money } from '/assets/revenue.js';
import { computeErrors, whereOf } from '/assets/errors.js';
import { computeForms } from '/assets/forms.js';
import { computeVitals, formatMetric, METRICS } from '/assets/vitals.js';
import { computeHeatmap, previewSrc, KINDS } from '/assets/heatmap.js';
import { computeExperiments } from '/assets/experiments.js';

const $ = (id) => document.getElementById(id);
const embedded = new URLSearchParams(location.search).has('embed');
document.body.classList.toggle('embed', embedded);
$('full-page').hidden = !embedded;
$('to-store').hidden = embedded;

/** Rows kept in the event list (counts and panels use every event). */
const MAX_ROWS = 300;

const state = { events: [], batches: 0, duplicates: 0, last: null };

// ------------------------------------------------------------- formatting

const pad = (n, w = 2) => String(n).padStart(w, '0');
/** `hh:mm:ss.mmm`, local time, of an ISO timestamp. */
function time(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
const bytes = (n) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);

/** What the list shows as the event's name. */
export function nameOf(e) {
  if (e.type === 'track') return String(e.event ?? '');
  if (e.type === 'page') return pathOf(e) || '(page)';
  if (e.type === 'identify') return String(e.userId ?? '(identify)');
  return String(e.type ?? '?');
}
/** The key counters group by: the event name, or the type for page and identify. */
const counterKey = (e) => (e.type === 'track' ? String(e.event ?? '') : e.type === 'page' ? 'page view' : String(e.type ?? '?'));

/** Page properties footfall copies from the page: shown in the JSON, not the summary. */
const PAGE_KEYS = new Set(['path', 'url', 'referrer', 'search']);
function summary(e) {
  const props = e.type === 'identify' ? e.traits : e.properties;
  if (!props || typeof props !== 'object') return '';
  const parts = [];
  for (const [k, v] of Object.entries(props)) {
    if (e.type === 'page' && PAGE_KEYS.has(k)) continue;
    parts.push(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  const text = parts.join(' · ');
  return text.length > 160 ? text.slice(0, 159) + '…' : text;
}
function channelOf(e) {
  const c = e.context ?? {};
  if (c.channel) return String(c.channel);
  const campaign = c.campaign;
  if (campaign?.source || campaign?.medium) return [campaign.source, campaign.medium].filter(Boolean).join(' / ');
  return '';
}

// ---------------------------------------------------------------- render

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== ''));
  return node;
}

function eventRow(e, batch) {
  const channel = channelOf(e);
  const text = summary(e);
  const details = el(
    'details',
    {},
    el(
      'summary',
      {},
      el('time', { datetime: e.timestamp ?? '' }, time(e.timestamp)),
      el('span', { class: `type ${e.type}` }, e.type === 'page' ? 'page' : e.type === 'identify' ? 'identify' : 'track'),
      el('span', { class: 'name' }, nameOf(e)),
      el('span', { class: 'meta' }, channel ? el('span', { class: 'chip channel', title: 'context.channel' }, channel) : null, el('span', { class: `chip via ${batch.via}`, title: `delivered by ${batch.via}` }, batch.via)),
      text ? el('span', { class: 'props' }, text) : null,
    ),
    el('pre', { class: 'json', tabindex: '0', 'aria-label': `JSON of ${nameOf(e)}` }, JSON.stringify(e, null, 2)),
  );
  return el('li', { class: 'ev', 'data-type': e.type, 'data-name': nameOf(e), 'data-via': batch.via }, details);
}

function renderFunnel() {
  const rows = computeFunnel(state.events);
  $('funnel').replaceChildren(
    ...rows.map((r, i) =>
      el(
        'li',
        { 'data-step': r.id, 'data-count': String(r.count), 'data-drop': r.dropOff === null ? null : String(r.dropOff) },
        el(
          'div',
          { class: 'step-head' },
          el('span', { class: 'label', title: `recognized by: ${FUNNEL[i].rule}` }, r.label),
          i === 0 || !rows[i - 1].count ? null : el('span', { class: 'drop' }, r.dropOff ? `−${r.dropOff}%` : 'no drop-off'),
          el('span', { class: 'count' }, String(r.count)),
        ),
        el('div', { class: 'bar', 'aria-hidden': 'true' }, el('span', { style: `width: ${r.count ? Math.max(r.ofFirst, 2) : 0}%` })),
        el('div', { class: 'step-foot' }, el('span', { class: 'rule' }, FUNNEL[i].rule), i > 0 && rows[0].count ? el('span', {}, `${r.ofFirst}% of landing`) : null),
      ),
    ),
  );
}

function renderRevenue() {
  const { total, byChannel, byTier, currency } = computeRevenue(state.events);
  const box = $('revenue-total');
  Object.assign(box.dataset, { revenue: String(total.revenue), orders: String(total.orders), aov: String(total.aov), currency });
  $('revenue-sum').textContent = money(total.revenue, currency);
  $('revenue-orders').textContent = String(total.orders);
  $('revenue-aov').textContent = total.orders ? money(total.aov, currency) : '—';
  $('revenue-empty').hidden = total.orders > 0;
  for (const [id, rows] of [['revenue-by-channel', byChannel], ['revenue-by-tier', byTier]]) {
    const table = $(id);
    table.hidden = !rows.length;
    table.tBodies[0].replaceChildren(
      ...rows.map((r) =>
        el(
          'tr',
          { 'data-key': r.key, 'data-revenue': String(r.revenue), 'data-orders': String(r.orders), 'data-aov': String(r.aov) },
          el('th', { scope: 'row' }, r.key),
          el('td', {}, money(r.revenue, currency)),
          el('td', {}, String(r.orders)),
          el('td', {}, money(r.aov, currency)),
        ),
      ),
    );
  }
}

/** `text` cut to `max` characters. */
const cut = (text, max) => (text.length > max ? text.slice(0, max - 1) + '…' : text);

function renderForms() {
  const forms = computeForms(state.events);
  $('forms-empty').hidden = forms.length > 0;
  const tile = (n, label, rate) => el('div', { class: 'tile' }, el('span', { class: 'n' }, String(n)), el('span', {}, rate === undefined ? label : `${label} · ${rate}%`));
  $('forms-list').replaceChildren(
    ...forms.map((f) =>
      el(
        'article',
        { class: 'form-stats', 'data-form': f.form, 'data-started': String(f.started), 'data-submitted': String(f.submitted), 'data-abandoned': String(f.abandoned) },
        el('h3', {}, f.form),
        el('div', { class: 'tiles' }, tile(f.started, 'started'), tile(f.submitted, 'submitted', f.submitRate), tile(f.abandoned, 'abandoned', f.abandonRate)),
        f.lastFields.length
          ? el(
              'table',
              { class: 'breakdown last-fields' },
              el('caption', {}, 'Abandoned at ', el('span', { class: 'sub' }, 'last_field')),
              el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Field'), el('th', { scope: 'col' }, 'Abandons'), el('th', { scope: 'col' }, 'Share'))),
              el(
                'tbody',
                {},
                ...f.lastFields.map((r) =>
                  el('tr', { 'data-field': r.field, 'data-count': String(r.count) }, el('th', { scope: 'row' }, r.field), el('td', {}, String(r.count)), el('td', {}, `${r.share}%`)),
                ),
              ),
            )
          : null,
      ),
    ),
  );
}

function renderErrors() {
  const { rows, total } = computeErrors(state.events);
  $('errors').dataset.total = String(total);
  $('errors-empty').hidden = rows.length > 0;
  $('errors-list').replaceChildren(
    ...rows.map((r) => {
      const where = whereOf(r);
      const pages = r.pages.slice(0, 3).join(', ') + (r.pages.length > 3 ? ` +${r.pages.length - 3}` : '');
      return el(
        'li',
        { 'data-count': String(r.count), 'data-kind': r.kind },
        el('div', { class: 'error-head' }, el('span', { class: 'message', title: r.message }, cut(r.message, 300)), el('span', { class: 'count', title: 'occurrences' }, `×${r.count}`)),
        el(
          'div',
          { class: 'error-foot' },
          el('span', { class: r.kind === 'unhandledrejection' ? 'chip kind rejection' : 'chip kind', title: 'properties.kind' }, r.kind || 'kind unknown'),
          where ? el('span', { class: 'where', title: r.source }, where) : null,
          pages ? el('span', { class: 'pages', title: r.pages.join('\n') }, `on ${pages}`) : null,
          r.visitors > 1 ? el('span', {}, `${r.visitors} visitors`) : null,
          r.last ? el('span', { class: 'at' }, 'last ', el('time', { datetime: r.last }, time(r.last))) : null,
        ),
      );
    }),
  );
}

const RATING_TEXT = { good: 'good', 'needs-improvement': 'needs improvement', poor: 'poor' };
const METRIC_NAME = Object.fromEntries(METRICS.map((m) => [m.id, m.name]));
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

function renderVitals() {
  const pages = computeVitals(state.events);
  $('vitals-empty').hidden = pages.length > 0;
  $('vitals-legend').hidden = pages.length === 0;
  $('vitals-list').replaceChildren(
    ...pages.map((p) =>
      el(
        'article',
        { class: 'vitals-page', 'data-path': p.path, 'data-views': String(p.views) },
        el('div', { class: 'vitals-head' }, el('h3', {}, p.path), el('span', { class: 'views' }, plural(p.views, 'page view'))),
        el(
          'dl',
          { class: 'metrics' },
          ...p.metrics.map((m) =>
            el(
              'div',
              {
                class: `metric ${m.rating}`,
                'data-metric': m.id,
                'data-value': String(m.value),
                'data-rating': m.rating,
                title: `${METRIC_NAME[m.id]}: 75th percentile of ${plural(m.count, 'page view')}, ${RATING_TEXT[m.rating]}`,
              },
              el('dt', {}, m.label),
              el('dd', {}, el('span', { class: 'value' }, formatMetric(m.id, m.value)), el('span', { class: 'sr-only' }, ` ${RATING_TEXT[m.rating]}`)),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Short column heads of the funnel's steps in the Experiments table. */
const STEP_HEAD = { landing: 'Landed', service_viewed: 'Service', price_checked: 'Price', booking_started: 'Started', booking_completed: 'Booked' };

function renderExperiments() {
  const experiments = computeExperiments(state.events);
  $('experiments-empty').hidden = experiments.some((x) => x.visitors > 0 || x.forced > 0);
  $('experiments-list').replaceChildren(
    ...experiments.map((x) => {
      const steps = x.variants[0]?.steps ?? FUNNEL.map((s) => ({ id: s.id, label: s.label }));
      return el(
        'article',
        { class: 'experiment', 'data-experiment': x.id, 'data-visitors': String(x.visitors) },
        el('div', { class: 'experiment-head' }, el('h3', {}, x.name), el('span', { class: 'views' }, `${x.id} · ${plural(x.visitors, 'visitor')}`)),
        el(
          'table',
          { class: 'breakdown experiment-table', 'aria-label': `${x.name}: booking funnel by variant` },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              el('th', { scope: 'col' }, 'Variant'),
              el('th', { scope: 'col', title: 'distinct visitors exposed (Experiment Viewed)' }, 'Visitors'),
              ...steps.slice(1).map((s) => el('th', { scope: 'col', title: s.label, 'data-step': s.id }, STEP_HEAD[s.id] ?? s.label)),
              el('th', { scope: 'col', title: 'booking completed / visitors exposed' }, 'Conv.'),
            ),
          ),
          el(
            'tbody',
            {},
            ...x.variants.map((v) =>
              el(
                'tr',
                {
                  'data-variant': v.id,
                  'data-visitors': String(v.visitors),
                  'data-steps': v.steps.map((s) => s.count).join(' '),
                  'data-converted': String(v.converted),
                  'data-conversion': String(v.conversion),
                },
                el('th', { scope: 'row' }, v.name),
                el('td', {}, String(v.visitors)),
                ...v.steps.slice(1).map((s) => el('td', { 'data-step': s.id }, String(s.count))),
                el('td', { class: 'conversion' }, v.visitors ? `${v.conversion}%` : '—'),
              ),
            ),
          ),
        ),
        x.forced ? el('p', { class: 'forced' }, `${plural(x.forced, 'forced exposure')} (?ff_variant=) left out`) : null,
      );
    }),
  );
}

// -------------------------------------------------------------- heat map

/** Width and height taken when a page's events carry no readable viewport. */
const DEFAULT_VIEWPORT = [1280, 800];
/** Tallest preview, in CSS px (a page that keeps growing stops there). */
const MAX_PAGE_HEIGHT = 30000;
/** Most dots drawn: the latest points. */
const MAX_DOTS = 5000;

/**
 * The heat-map view: the chosen path, the preview's src and size, and its
 * points. The preview is the store page itself in an iframe at the
 * visitor's width (`?ff_preview=1` and `data-ff-preview`: footfall does not
 * start in it, see PREVIEW in store.js), as tall as its document, scaled
 * with a CSS transform to the panel's width; the dots are drawn over it,
 * unscaled, at (x × width × scale, y × scale).
 */
const heat = { path: '', options: '', src: '', viewport: DEFAULT_VIEWPORT, height: DEFAULT_VIEWPORT[1], loaded: false, points: [] };

/** Sizes the preview at the viewport's width and the height of its document. */
function measureHeatmap() {
  const frame = $('heatmap-frame');
  const [width, height] = heat.viewport;
  frame.style.width = `${width}px`;
  frame.style.height = `${height}px`; // the visitor's 100vh while the page lays out
  let page = height;
  try {
    if (heat.loaded) page = Math.max(height, Math.min(MAX_PAGE_HEIGHT, frame.contentDocument.documentElement.scrollHeight));
  } catch {
    // not readable (not loaded, or not this origin): the viewport's height
  }
  heat.height = page;
  frame.style.height = `${page}px`;
}

/** Scales the preview to the panel's width and draws the dots over it. */
function layoutHeatmap() {
  const stage = $('heatmap-stage');
  const available = $('heatmap-scroll').clientWidth;
  if (!available) return; // not shown: the ResizeObserver calls again
  const [width] = heat.viewport;
  const scale = Math.min(1, available / width);
  const frame = $('heatmap-frame');
  frame.style.transform = `scale(${scale})`;
  stage.style.width = `${Math.round(width * scale)}px`;
  stage.style.height = `${Math.ceil(heat.height * scale)}px`;
  stage.dataset.scale = String(scale);
  const px = (n) => `${Math.round(n * 100) / 100}px`;
  $('heatmap-dots').replaceChildren(
    ...heat.points.slice(-MAX_DOTS).map(([x, y, kind]) => el('span', { class: `dot ${kind}`, 'data-kind': kind, style: `left: ${px(x * width * scale)}; top: ${px(y * scale)}` })),
  );
  stage.dataset.state = heat.loaded ? 'ready' : 'loading';
}

function renderHeatmap() {
  const pages = computeHeatmap(state.events).filter((p) => previewSrc(p.path, location.origin));
  $('heatmap-empty').hidden = pages.length > 0;
  $('heatmap-view').hidden = pages.length === 0;
  if (!pages.length) return;
  if (!pages.some((p) => p.path === heat.path)) heat.path = pages[0].path;
  const select = $('heatmap-path');
  const labels = pages.map((p) => [p.path, `${p.path} · ${plural(p.total, 'point')}`]);
  const options = JSON.stringify(labels);
  if (options !== heat.options) {
    heat.options = options; // rebuilt only when it changed: an open list stays open
    select.replaceChildren(...labels.map(([path, label]) => el('option', { value: path }, label)));
  }
  select.value = heat.path;
  const page = pages.find((p) => p.path === heat.path);
  for (const kind of KINDS) {
    const item = $('heatmap-legend').querySelector(`[data-kind="${kind}"]`);
    item.dataset.count = String(page.counts[kind]);
    item.querySelector('.n').textContent = String(page.counts[kind]);
  }
  const viewport = page.viewport ?? DEFAULT_VIEWPORT;
  $('heatmap-size').textContent = `${viewport[0]} × ${viewport[1]} px${page.viewport ? '' : ' (assumed)'}`;
  heat.points = page.points;
  const resized = viewport[0] !== heat.viewport[0] || viewport[1] !== heat.viewport[1];
  heat.viewport = viewport;
  const src = previewSrc(page.path, location.origin);
  const frame = $('heatmap-frame');
  if (src !== heat.src) {
    heat.src = src;
    heat.loaded = false;
    frame.src = src;
    measureHeatmap();
  } else if (resized) {
    measureHeatmap();
  }
  layoutHeatmap();
}

$('heatmap-frame').addEventListener('load', () => {
  if (!heat.src) return;
  heat.loaded = true;
  measureHeatmap();
  layoutHeatmap();
  // Again once late layout (fonts, the page's own scripts) settled.
  setTimeout(() => {
    measureHeatmap();
    layoutHeatmap();
  }, 500);
});
$('heatmap-path').addEventListener('change', (e) => {
  heat.path = e.target.value;
  renderHeatmap();
});
// The panel's width changed (a resized window, a hidden view shown): scale again.
let panelWidth = 0;
new ResizeObserver(() => {
  const width = $('heatmap-scroll').clientWidth;
  if (width === panelWidth) return; // its height follows the preview's: nothing to do
  panelWidth = width;
  measureHeatmap();
  layoutHeatmap();
}).observe($('heatmap-scroll'));

function renderCounters() {
  const counts = new Map();
  for (const e of state.events) counts.set(counterKey(e), (counts.get(counterKey(e)) ?? 0) + 1);
  const list = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  $('counters').replaceChildren(
    ...(list.length ? list.map(([name, n]) => el('li', { 'data-name': name }, el('span', { class: 'name' }, name), el('span', { class: 'n' }, String(n)))) : [el('li', { class: 'empty' }, 'none yet')]),
  );
}

function renderDelivery() {
  $('total-events').textContent = String(state.events.length);
  $('total-batches').textContent = String(state.batches);
  $('total-dupes').textContent = String(state.duplicates);
  const b = state.last;
  const box = $('last-batch');
  box.dataset.via = b?.via ?? '';
  box.dataset.encoding = b?.encoding ?? '';
  box.dataset.bytes = b ? String(b.bytes) : '';
  box.dataset.events = b ? String(b.events.length) : '';
  $('last-batch-text').replaceChildren(
    ...(b
      ? [
          el('span', { class: `chip via ${b.via}` }, b.via),
          b.encoding ? el('span', { class: 'chip', title: 'compressed by the browser (CompressionStream)' }, b.encoding) : null,
          ` ${bytes(b.bytes)}${b.encoding ? ` (${bytes(b.jsonBytes)} of JSON)` : ''} · ${b.events.length} event${b.events.length === 1 ? '' : 's'}`,
          b.compact ? el('span', { class: 'chip', title: 'the shared context travels once, as the batch context' }, 'compact') : null,
          el('span', { class: 'at' }, ` at ${time(b.receivedAt)}`),
        ].filter(Boolean)
      : ['nothing received yet']),
  );
}

/** Every panel; one that fails (an event no one foresaw) leaves the others rendering. */
function renderAll() {
  for (const render of [renderDelivery, renderFunnel, renderExperiments, renderForms, renderRevenue, renderErrors, renderVitals, renderHeatmap, renderCounters]) {
    try {
      render();
    } catch (e) {
      console.warn(`inspector: ${render.name} failed`, e);
    }
  }
  $('events-empty').hidden = state.events.length > 0;
}

function reset() {
  state.events = [];
  state.batches = 0;
  state.duplicates = 0;
  state.last = null;
  $('events').replaceChildren();
}

let pending = null;
/** Adds a batch; rendering waits for the next frame so a replay renders once. */
function addBatch(batch) {
  state.batches++;
  state.duplicates += batch.duplicates?.length ?? 0;
  state.last = batch;
  state.events.push(...batch.events);
  const list = $('events');
  const rows = document.createDocumentFragment();
  for (const e of [...batch.events].reverse()) rows.append(eventRow(e, batch));
  list.prepend(rows);
  while (list.childElementCount > MAX_ROWS) list.lastElementChild.remove();
  pending ??= requestAnimationFrame(() => {
    pending = null;
    renderAll();
  });
}

// ---------------------------------------------------------------- stream

/**
 * Listens to the collector. A hidden page lets go of its connection:
 * browsers allow 6 per host over HTTP/1.1, and every store tab embeds an
 * inspector. On return, `hello` resets the view and the backlog replays.
 */
let source = null;
function connect() {
  source?.close();
  source = new EventSource('/events');
  const live = (text, ok) => {
    $('live-text').textContent = text;
    $('live').classList.toggle('ok', ok);
  };
  source.addEventListener('open', () => live('live', true));
  source.addEventListener('error', () => live('reconnecting…', false));
  source.addEventListener('hello', () => {
    reset();
    renderAll();
  });
  source.addEventListener('clear', () => {
    reset();
    renderAll();
  });
  source.addEventListener('batch', (m) => {
    try {
      addBatch(JSON.parse(m.data));
    } catch (e) {
      console.warn('inspector: unreadable batch', e);
    }
  });
}
document.addEventListener('visibilitychange', () => {
  if (document.hidden) {
    source?.close();
    source = null;
  } else if (!source) {
    connect();
  }
});
addEventListener('pagehide', () => {
  source?.close();
  source = null;
});
addEventListener('pageshow', (e) => e.persisted && !source && !document.hidden && connect());

$('clear').addEventListener('click', () => fetch('/api/clear', { method: 'POST' }).catch(() => {}));

// ------------------------------------------------------ the store's tab

addEventListener('message', (m) => {
  if (m.origin !== location.origin || m.data?.source !== 'fixwell-store') return;
  const s = m.data;
  $('tab').hidden = false;
  const consent = s.consent;
  $('tab-consent').textContent = !s.loaded
    ? 'footfall did not load'
    : !consent?.decided
      ? 'not decided: events wait in the page, nothing sent or stored'
      : consent.categories?.analytics
        ? 'analytics granted'
        : 'analytics denied: nothing sent';
  $('tab-consent').dataset.state = !consent?.decided ? 'pending' : consent.categories?.analytics ? 'granted' : 'denied';
  $('tab-stats').textContent = s.stats ? `${s.stats.queued} queued · ${s.stats.sent} sent` : '—';
  $('tab-aid').textContent = s.anonymousId ? `visitor ${s.anonymousId.slice(0, 8)}…${s.sessionId ? ` · session ${s.sessionId.slice(0, 8)}…` : ''}` : 'no id before consent';
});

renderAll();
connect();
