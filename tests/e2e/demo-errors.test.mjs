// The demo inspector's errors panel: its computation (www/assets/errors.js)
// on synthetic events, in Node; then the panel in the inspector, and the
// store's broken buttons (the chat throws, the repair status rejects) with
// `autocapture: { errors: true }`, in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, sleep } from './harness.mjs';
import { useDemoBrowser, eventsOf, waitFor } from './demo-process.mjs';
import { computeErrors, occurrencesOf, whereOf, NO_MESSAGE } from '../../www/assets/errors.js';

const at = (s) => new Date(Date.UTC(2026, 10, 22, 12, 0, s)).toISOString();
const SRC = 'https://shop.example/assets/app.js';
let n = 0;
/** An `error` event as footfall sends it. */
const error = (s, { visitor = 'a', path = '/p', message = 'Uncaught Error: boom', kind = 'error', source = SRC, line = 12, messageId = `e-${++n}` } = {}) => ({
  type: 'track',
  event: 'error',
  messageId,
  anonymousId: visitor,
  timestamp: at(s),
  properties: { message, kind, ...(source && { source }), ...(line && { line, column: 3 }), stack: 'Error: boom\n    at x' },
  context: { page: { path } },
});
/** A `page_leave` with its errors: [[count, message?, source?, line?], ...]. */
const leave = (s, errors, { visitor = 'a', path = '/p', messageId = `l-${++n}` } = {}) => ({
  type: 'track',
  event: 'page_leave',
  messageId,
  anonymousId: visitor,
  timestamp: at(s),
  properties: {
    engaged_ms: 1000,
    max_scroll_percent: 50,
    errors: errors.map(([count, message = 'Uncaught Error: boom', source = SRC, line = 12]) => ({ message, ...(source && { source }), ...(line && { line }), count })),
  },
  context: { page: { path } },
});
const rows = (events) => computeErrors(events).rows.map((r) => [r.message, r.kind, r.count]);

test('errors: the error event is the first occurrence, which page_leave counts too: never counted twice', () => {
  assert.deepEqual(rows([error(1)]), [['Uncaught Error: boom', 'error', 1]], 'not left yet: the error event alone');
  assert.deepEqual(rows([error(1), leave(5, [[2]])]), [['Uncaught Error: boom', 'error', 2]], 'thrown twice: 2, not 3');
  assert.deepEqual(rows([error(1), leave(2, [[1]]), error(3), leave(4, [[3]])]), [['Uncaught Error: boom', 'error', 4]], 'two page views of the page');
  assert.deepEqual(rows([error(1), leave(2, [[1]]), leave(4, [[2]])]), [['Uncaught Error: boom', 'error', 3]], 'hidden, shown, thrown twice more, left');
  assert.deepEqual(rows([error(1), error(3), leave(4, [[1]])]), [['Uncaught Error: boom', 'error', 2]], "a page view whose page_leave was lost still counts its error event");
  assert.deepEqual(rows([leave(5, [[2]]), error(1)]), [['Uncaught Error: boom', 'error', 2]], 'in timestamp order, whatever the arrival order');
  assert.deepEqual(rows([leave(5, [[4, 'Uncaught Error: eleventh']])]), [['Uncaught Error: eleventh', '', 4]], 'past 10 error events a page view: counted, kind unknown');
  // Per visitor and page: another visitor's page_leave covers none of a's error events.
  const r = computeErrors([error(1), error(2, { visitor: 'b', path: '/q' }), leave(3, [[2]], { visitor: 'b', path: '/q' }), leave(9, [[1]], { visitor: 'c' })]);
  assert.deepEqual(r.rows.map((x) => [x.count, x.pages, x.visitors]), [[4, ['/p', '/q'], 3]]);
  assert.equal(r.total, 4);
});

test('errors: an error is its message, source and line; kind, where, pages, last; most occurrences first', () => {
  const events = [
    error(1, { line: 12 }),
    error(2, { line: 40 }), // the same message from another line: another error
    leave(3, [[1], [3, undefined, undefined, 40]]),
    error(4, { message: 'Repair status unavailable', kind: 'unhandledrejection', source: '', line: 0, path: '/' }),
    leave(6, [[1, 'Repair status unavailable', '', 0]], { path: '/' }),
  ];
  const r = computeErrors(events);
  assert.deepEqual(
    r.rows.map((x) => [x.message, x.kind, x.source, x.line, x.count, x.pages, x.last, whereOf(x)]),
    [
      ['Uncaught Error: boom', 'error', SRC, 40, 3, ['/p'], at(3), '/assets/app.js:40'], // repeats happened before the page_leave
      ['Repair status unavailable', 'unhandledrejection', '', 0, 1, ['/'], at(4), ''], // the page_leave counted only the error event's
      ['Uncaught Error: boom', 'error', SRC, 12, 1, ['/p'], at(1), '/assets/app.js:12'],
    ],
  );
  assert.equal(r.total, 5);
  assert.equal(whereOf({ source: 'inline', line: 3 }), 'inline:3');
  assert.equal(whereOf({ source: 'https://x.example/a.js', line: 0 }), '/a.js');
});

test('errors: an event received again (same messageId) counts once', () => {
  const e = error(1, { messageId: 'same-e' });
  const l = leave(2, [[2]], { messageId: 'same-l' });
  assert.deepEqual(rows([e, { ...e }, l, { ...l }]), [['Uncaught Error: boom', 'error', 2]]);
  assert.equal(occurrencesOf([e, e, l, l]).length, 2);
});

test('errors: malformed events never throw; unreadable parts are left out', () => {
  const events = [
    null,
    undefined,
    7,
    'error',
    [],
    { type: 'track', event: 'error' }, // no properties: an error without a message
    { type: 'track', event: 'error', properties: null, context: 'x', timestamp: 'yesterday' },
    { type: 'track', event: 'error', properties: { message: { toString: null }, line: '12', kind: 5 }, context: { page: null } },
    { type: 'page', event: 'error', properties: { message: 'not a track' } },
    { type: 'track', event: 'page_leave', properties: { errors: 'boom' } },
    { type: 'track', event: 'page_leave', properties: { errors: [null, 'x', [], { message: 'm', count: '2' }, { message: 'm', count: -1 }, { message: 'm', count: 1.5 }, { message: 'm', count: NaN }] } },
    { type: 'track', event: 'page_leave', messageId: { a: 1 }, properties: { errors: [{ message: 42, source: ['x'], line: -3, count: 2 }] } },
    { type: 'track', event: 'page_leave' },
  ];
  const r = computeErrors(events);
  assert.deepEqual(
    r.rows.map((x) => [x.message, x.kind, x.source, x.line, x.count, x.pages, x.last]),
    [
      [NO_MESSAGE, '', '', 0, 3, [], ''],
      ['42', '', '', 0, 2, [], ''],
    ],
  );
  assert.deepEqual(computeErrors(null), { rows: [], total: 0 });
  assert.deepEqual(computeErrors({ length: 1, 0: error(1) }), { rows: [], total: 0 });
});

// ---------------------------------------------------------------- in the browser

let demo;
let browser;
const session = useDemoBrowser('errors', { before, after, launch }, (s) => ([demo, browser] = [s.demo, s.browser]));
const { problems } = session;
const watch = (page) => session.watch(page);

/** The page errors the store raises on purpose, taken out of `problems` once `count` arrived. */
async function expectPageErrors(pattern, count) {
  await waitFor(() => problems.filter((p) => pattern.test(p)).length >= count, 5000, `${count} page errors ${pattern}`);
  const rest = problems.filter((p) => !pattern.test(p));
  assert.equal(problems.length - rest.length, count, problems.join('\n'));
  problems.splice(0, problems.length, ...rest);
}

async function openInspector() {
  assert.ok((await fetch(demo.origin + '/api/clear', { method: 'POST' })).ok);
  const watcher = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const inspector = await watcher.newPage();
  watch(inspector);
  await inspector.goto(demo.origin + '/inspector');
  await inspector.locator('#live.ok').waitFor({ timeout: 5000 });
  return { watcher, inspector };
}
const panelRows = (inspector) =>
  inspector.$$eval('#errors-list li', (lis) =>
    lis.map((li) => ({
      count: li.dataset.count,
      kind: li.dataset.kind,
      message: li.querySelector('.message').textContent,
      shown: li.querySelector('.count').textContent,
      foot: li.querySelector('.error-foot').textContent,
    })),
  );

test('errors: the chat button thrown twice is one error counted 2 once the page is left; the repair status rejection is another', async () => {
  const { watcher, inspector } = await openInspector();
  assert.equal(await inspector.isVisible('#errors-empty'), true);

  const { context, open } = await session.visitor();
  const page = await open('/services/battery');
  await page.getByRole('button', { name: 'Accept all' }).click();
  const chat = page.getByRole('button', { name: 'Chat with a technician' });
  await chat.scrollIntoViewIfNeeded();
  await sleep(500);
  await chat.click();
  await sleep(1200); // not a rage click
  await chat.click();
  await expectPageErrors(/FixwellChat|reading 'open'/, 2);
  await page.evaluate(() => window.ff.flush());
  const errorsSent = () => eventsOf(demo.lines()).filter((e) => e.event === 'error');
  await waitFor(() => errorsSent().length > 0, 5000, 'the error event');
  const [sent] = errorsSent();
  assert.equal(sent.properties.kind, 'error');
  assert.match(sent.properties.message, /TypeError/);
  assert.equal(sent.properties.source, demo.origin + '/assets/service.js');
  assert.ok(sent.properties.line > 0, JSON.stringify(sent.properties));
  assert.match(sent.properties.stack, /service\.js/);
  assert.equal(sent.context.page.path, '/services/battery');

  // Before the page is left: the error event alone, 1.
  await inspector.locator('#errors-list li[data-count="1"]').waitFor({ timeout: 5000 });
  // Leaving the page: its page_leave counts 2 (the error event's occurrence included).
  await page.getByRole('link', { name: 'Book this repair' }).click();
  await page.waitForFunction(() => window.demoReady);
  await waitFor(() => eventsOf(demo.lines()).some((e) => e.event === 'page_leave' && e.properties?.errors), 5000, 'the page_leave with errors');
  const left = eventsOf(demo.lines()).find((e) => e.event === 'page_leave' && e.properties?.errors);
  assert.deepEqual(left.properties.errors, [{ message: sent.properties.message, source: sent.properties.source, line: sent.properties.line, count: 2 }]);
  await inspector.locator('#errors-list li[data-count="2"]').waitFor({ timeout: 5000 });
  const [row, ...others] = await panelRows(inspector);
  assert.deepEqual(others, [], 'one error');
  assert.deepEqual([row.count, row.kind, row.message, row.shown], ['2', 'error', sent.properties.message, '×2']);
  assert.match(row.foot, new RegExp(`^error/assets/service\\.js:${sent.properties.line}on /services/batterylast \\d\\d:\\d\\d:\\d\\d\\.\\d{3}$`));
  assert.equal(await inspector.getAttribute('#errors', 'data-total'), '2');
  assert.equal(await inspector.isVisible('#errors-empty'), false);
  assert.equal(errorsSent().length, 1, 'one error event for two throws');

  // The home page's repair status: an unhandled rejection.
  await page.goto(demo.origin + '/');
  await page.waitForFunction(() => window.demoReady);
  await page.getByRole('button', { name: 'Is my repair ready?' }).click();
  await expectPageErrors(/Repair status unavailable/, 1);
  await page.evaluate(() => window.ff.flush());
  await inspector.locator('#errors-list li[data-kind="unhandledrejection"]').waitFor({ timeout: 5000 });
  const rejection = (await panelRows(inspector)).find((r) => r.kind === 'unhandledrejection');
  assert.deepEqual([rejection.count, rejection.message], ['1', 'Repair status unavailable: the workshop system did not answer']);
  assert.match(rejection.foot, /^unhandledrejectionon \/last /, 'no source for a rejection');
  assert.equal((await panelRows(inspector)).length, 2);

  assert.deepEqual(problems, [], 'no other console errors');
  await Promise.all([context.close(), watcher.close()]);
});

test('errors panel: synthetic events; page text rendered as text; malformed ones break nothing', async () => {
  const { watcher, inspector } = await openInspector();
  const html = '<img src=x onerror=alert(1)>';
  const base = { type: 'track', anonymousId: 'synthetic', timestamp: '2026-11-22T12:00:00.000Z', context: { page: { path: '/x' } } };
  const batch = [
    { ...base, event: 'error', messageId: 's-1', properties: { message: html, kind: 'error', source: 'https://shop.example/app.js', line: 3 } },
    { ...base, event: 'page_leave', messageId: 's-2', timestamp: '2026-11-22T12:00:05.000Z', properties: { errors: [{ message: html, source: 'https://shop.example/app.js', line: 3, count: 5 }, null, 'x', { count: 'many' }] } },
    { ...base, event: 'page_leave', messageId: 's-3', properties: { errors: { message: 'not a list' } } },
    { ...base, event: 'error', messageId: 's-4', properties: null, context: null, timestamp: 42 },
    { ...base, event: 'error', messageId: 's-5', properties: { message: 'x'.repeat(5000), kind: '<b>k</b>', line: 'one' } },
  ];
  const post = (events) => fetch(demo.origin + '/collect', { method: 'POST', body: JSON.stringify({ batch: events, sentAt: '2026-11-22T12:00:06.000Z' }) });
  assert.equal((await post(batch)).status, 200);
  assert.equal((await post(batch.slice(0, 2))).status, 200); // a retried batch: the same messageIds
  await inspector.locator('#errors[data-total="7"]').waitFor({ timeout: 5000 });
  const list = await panelRows(inspector);
  assert.deepEqual(
    list.map((r) => [r.count, r.kind, r.message.length >= 300 ? `${r.message.length} characters` : r.message]),
    [
      ['5', 'error', html],
      ['1', '<b>k</b>', '300 characters'],
      ['1', '', '(no message)'],
    ],
  );
  assert.match(list[0].foot, /\/app\.js:3on \/xlast /);
  assert.equal(await inspector.locator('#errors img, #errors b').count(), 0, 'text, never markup');
  assert.equal(await inspector.textContent('#total-events'), '7', 'the rest of the inspector still renders');

  await inspector.getByRole('button', { name: 'Clear' }).click();
  await inspector.locator('#errors[data-total="0"]').waitFor({ timeout: 5000 });
  assert.equal(await inspector.isVisible('#errors-empty'), true);
  assert.deepEqual(problems, [], 'no console errors');
  await watcher.close();
});

test('errors: rage-clicking the chat button (the tour) counts every throw once the page is left', async () => {
  const { watcher, inspector } = await openInspector();
  const { context, open } = await session.visitor();
  const page = await open('/services/iphone-screen');
  await page.getByRole('button', { name: 'Accept all' }).click();
  const chat = page.getByRole('button', { name: 'Chat with a technician' });
  for (let i = 0; i < 3; i++) await chat.click();
  try {
    await expectPageErrors(/FixwellChat|reading 'open'/, 3);
    await sleep(1200); // the rage burst ends: rage_click
    await page.getByRole('link', { name: 'Book this repair' }).click();
    await waitFor(() => eventsOf(demo.lines()).some((e) => e.event === 'page_leave' && e.context?.page?.path === '/services/iphone-screen'), 5000, 'the page_leave');
    const events = eventsOf(demo.lines());
    assert.ok(events.some((e) => e.event === 'rage_click'), 'a rage click');
    const left = events.find((e) => e.event === 'page_leave' && e.context?.page?.path === '/services/iphone-screen');
    assert.equal(left.properties.errors?.[0]?.count, 3, JSON.stringify(left.properties));
    await inspector.locator('#errors-list li[data-count="3"]').waitFor({ timeout: 5000 });
  } finally {
    await Promise.all([context.close(), watcher.close()]);
  }
});
