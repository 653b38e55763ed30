// The demo inspector's revenue panel: its computation (www/assets/revenue.js)
// on synthetic events, in Node; then the panel in the inspector, and a
// booking in the store ending in a GA4 purchase that footfall sends as
// `Order Completed` (`dataLayer: { ecommerce: true }`), in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { launch, sleep } from './harness.mjs';
import { useDemoBrowser, eventsOf, waitFor } from './demo-process.mjs';
import { computeRevenue, ordersOf, amount, money } from '../../www/assets/revenue.js';
import { SERVICES } from '../../www/assets/services.js';

let n = 0;
/** An `Order Completed` as footfall maps a GA4 purchase. */
const order = (id, revenue, { channel, tier = 'standard', messageId = `m-${++n}`, currency = 'EUR', ...more } = {}) => ({
  type: 'track',
  event: 'Order Completed',
  messageId,
  anonymousId: 'a',
  properties: { order_id: id, revenue, currency, products: [{ product_id: 'battery', price: revenue, quantity: 1, category: tier }], ...more },
  context: channel === undefined ? {} : { channel },
});

const view = (r) => ({
  total: r.total,
  byChannel: r.byChannel.map((x) => [x.key, x.revenue, x.orders, x.aov]),
  byTier: r.byTier.map((x) => [x.key, x.revenue, x.orders, x.aov]),
  currency: r.currency,
});

test('revenue: total, orders and average order value, by channel and by tier', () => {
  const events = [
    order('FW-1', 179, { channel: 'Email' }),
    order('FW-2', 29, { channel: 'Direct', tier: 'essential' }),
    order('FW-3', 299, { channel: 'Email', tier: 'premium' }),
    order('FW-4', 19.99, { tier: 'essential' }), // no channel: Direct
    { type: 'track', event: 'booking_completed', messageId: 'x', properties: { price: 179 } }, // not an order
    { type: 'page', event: 'Order Completed', properties: { revenue: 1000 } }, // not a track
  ];
  assert.deepEqual(view(computeRevenue(events)), {
    total: { revenue: 526.99, orders: 4, aov: 131.75 },
    byChannel: [
      ['Email', 478, 2, 239],
      ['Direct', 48.99, 2, 24.5],
    ],
    byTier: [
      ['premium', 299, 1, 299],
      ['standard', 179, 1, 179],
      ['essential', 48.99, 2, 24.5],
    ],
    currency: 'EUR',
  });
  assert.deepEqual(view(computeRevenue([])), { total: { revenue: 0, orders: 0, aov: 0 }, byChannel: [], byTier: [], currency: '' }, 'no division by zero');
});

test('revenue: an event again (same messageId) or an order again (same order_id) counts once; decimals summed in cents', () => {
  const first = order('FW-1', 0.1, { channel: 'Email' });
  const events = [
    first,
    { ...first }, // a retried batch: the same messageId
    order('FW-1', 0.1, { channel: 'Paid Search' }), // the same order, another event: the first counts
    order(7, 0.2), // a numeric order_id
    order('7', 0.2), // ...is the same as its string
    order('', 0.2), // no order_id: counted, once per messageId
    order(undefined, 0.2),
  ];
  const r = computeRevenue(events);
  assert.deepEqual(r.total, { revenue: 0.7, orders: 4, aov: 0.18 }, '0.1 + 0.2 + 0.2 + 0.2, not 0.7000000000000001');
  assert.deepEqual(view(r).byChannel, [['Direct', 0.6, 3, 0.2], ['Email', 0.1, 1, 0.1]]);
});

test('revenue: malformed events never throw; unreadable amounts count as 0, strings as numbers', () => {
  const events = [
    null,
    undefined,
    42,
    'Order Completed',
    [],
    { type: 'track', event: 'Order Completed' }, // no properties at all: an order of 0
    { type: 'track', event: 'Order Completed', properties: null, context: 'x' },
    { type: 'track', event: 'Order Completed', properties: { order_id: { a: 1 }, revenue: '129.50', products: 'none' }, context: { channel: 42 } },
    { type: 'track', event: 'Order Completed', properties: { order_id: 'T', revenue: 'lots', total: -5, products: [null, { price: '10', quantity: '3' }, { price: 5 }, { price: 1, quantity: -1 }] } },
    { type: 'track', event: 'Order Completed', properties: { order_id: 'U', revenue: NaN, total: '12' } },
    { type: 'track', event: 'Order Completed', properties: { order_id: 'V', revenue: Infinity, products: [{ category: ['premium'] }] }, context: { channel: '' } },
    { type: 'track', event: 'Order Completed', messageId: { toString: null }, properties: { order_id: 'W', revenue: 1, currency: 5, products: [{ category: 'premium' }] } },
  ];
  const r = computeRevenue(events);
  // 0 + 0 + 129.5 + (30 + 5) + 12 + 0 + 1
  assert.deepEqual(r.total, { revenue: 177.5, orders: 7, aov: 25.36 });
  assert.deepEqual(view(r).byChannel, [['42', 129.5, 1, 129.5], ['Direct', 48, 6, 8]]);
  assert.deepEqual(view(r).byTier, [['(none)', 176.5, 6, 29.42], ['premium', 1, 1, 1]]);
  assert.equal(r.currency, '');
  assert.deepEqual(computeRevenue(null).total, { revenue: 0, orders: 0, aov: 0 });
  assert.deepEqual(computeRevenue({ length: 2 }).total.orders, 0);
  assert.equal(ordersOf([order('A', 1, { currency: 'eur' }), order('B', 1, { currency: 'USD' })]).length, 2);
  assert.equal(computeRevenue([order('A', 1, { currency: 'eur' }), order('B', 1, { currency: 'USD' })]).currency, 'mixed');
  assert.deepEqual([amount('19.99'), amount(' 3 '), amount(''), amount('1e400'), amount(-1), amount(true), amount(null)], [19.99, 3, null, null, null, null, null]);
});

test('revenue: amounts for display', () => {
  assert.equal(money(179, 'EUR'), '€179');
  assert.equal(money(116.1, 'EUR'), '€116.10');
  assert.equal(money(1234.5, 'EUR'), '€1,234.50');
  assert.equal(money(12, 'USD'), 'US$12');
  assert.equal(money(12, ''), '12');
  assert.equal(money(12.5, 'mixed'), '12.50');
  assert.match(money(12, 'XYZ'), /12/);
  assert.equal(money(12, '<b>'), '12 <b>', 'a code Intl refuses: the number and the code (rendered as text)');
});

test('services: every service has a tier, one of three', () => {
  for (const s of SERVICES) assert.ok(['essential', 'standard', 'premium'].includes(s.tier), `${s.key}: ${s.tier}`);
  assert.deepEqual(new Set(SERVICES.map((s) => s.tier)).size, 3);
});

// ---------------------------------------------------------------- in the browser

let demo;
let browser;
const session = useDemoBrowser('revenue', { before, after, launch }, (s) => ([demo, browser] = [s.demo, s.browser]));
const { problems } = session;
const watch = (page) => session.watch(page);
const visitor = (viewport) => session.visitor(viewport);

test('revenue panel: orders posted to the collector, deduplicated, by channel and tier; malformed ones break nothing', async () => {
  assert.ok((await fetch(demo.origin + '/api/clear', { method: 'POST' })).ok);
  const watcher = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const inspector = await watcher.newPage();
  watch(inspector);
  await inspector.goto(demo.origin + '/inspector');
  await inspector.locator('#live.ok').waitFor({ timeout: 5000 });
  const order = (messageId, order_id, revenue, channel, category) => ({
    type: 'track',
    event: 'Order Completed',
    messageId,
    anonymousId: 'synthetic',
    timestamp: '2026-11-22T12:00:00.000Z',
    properties: { order_id, revenue, currency: 'EUR', products: [{ product_id: 'x', price: revenue, quantity: 1, category }] },
    context: channel ? { channel } : {},
  });
  const batch = [
    order('r-1', 'FW-A', 179, 'Email', 'standard'),
    order('r-2', 'FW-B', '19.99', null, 'essential'), // a string amount, no channel: Direct
    order('r-3', 'FW-A', 179, 'Email', 'standard'), // the same order again
    order('r-4', 'FW-C', 299, '<img src=x onerror=alert(1)>', 'premium'),
    { type: 'track', event: 'Order Completed', messageId: 'r-5', properties: { revenue: 'lots', products: 'none' }, context: null },
    { type: 'track', event: 'Order Completed', messageId: 'r-6', properties: null },
  ];
  const post = (events) => fetch(demo.origin + '/collect', { method: 'POST', body: JSON.stringify({ batch: events, sentAt: '2026-11-22T12:00:00.100Z' }) });
  assert.equal((await post(batch)).status, 200);
  assert.equal((await post(batch.slice(0, 1))).status, 200); // a retried batch: the same messageId
  await inspector.locator('#revenue-total[data-orders="5"]').waitFor({ timeout: 5000 });
  assert.deepEqual(await inspector.$eval('#revenue-total', (el) => ({ ...el.dataset })), { revenue: '497.99', orders: '5', aov: '99.6', currency: 'EUR' });
  assert.deepEqual(
    [await inspector.textContent('#revenue-sum'), await inspector.textContent('#revenue-orders'), await inspector.textContent('#revenue-aov')],
    ['€497.99', '5', '€99.60'],
  );
  const rows = (id) => inspector.$$eval(`#${id} tbody tr`, (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.deepEqual(await rows('revenue-by-channel'), [
    ['<img src=x onerror=alert(1)>', '€299', '1', '€299'],
    ['Email', '€179', '1', '€179'],
    ['Direct', '€19.99', '3', '€6.66'],
  ]);
  assert.deepEqual(await rows('revenue-by-tier'), [
    ['premium', '€299', '1', '€299'],
    ['standard', '€179', '1', '€179'],
    ['essential', '€19.99', '1', '€19.99'],
    ['(none)', '€0', '2', '€0'],
  ]);
  assert.equal(await inspector.locator('#revenue img').count(), 0, 'text, never markup');
  assert.equal(await inspector.textContent('#total-events'), '7', 'the rest of the inspector still renders');
  if (process.env.REVENUE_SCREENSHOT) {
    writeFileSync(process.env.REVENUE_SCREENSHOT, await inspector.locator('#revenue').screenshot());
  }

  // Clear empties the panel.
  await inspector.getByRole('button', { name: 'Clear' }).click();
  await inspector.locator('#revenue-total[data-orders="0"]').waitFor({ timeout: 5000 });
  assert.equal(await inspector.isVisible('#revenue-empty'), true);
  assert.equal(await inspector.isVisible('#revenue-by-channel'), false);
  assert.deepEqual(problems, [], 'no console errors');
  await watcher.close();
});

test('revenue: a booking ends in Order Completed (a GA4 purchase through the dataLayer); the Revenue panel shows it by channel and tier', async () => {
  // The inspector starts empty (the JSON Lines file keeps everything).
  assert.ok((await fetch(demo.origin + '/api/clear', { method: 'POST' })).ok);
  const watcher = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const inspector = await watcher.newPage();
  watch(inspector);
  await inspector.goto(demo.origin + '/inspector');
  await inspector.locator('#live.ok').waitFor({ timeout: 5000 });
  assert.equal(await inspector.getAttribute('#revenue-total', 'data-orders'), '0');
  assert.equal(await inspector.isVisible('#revenue-empty'), true);

  // A direct visitor with the exit offer's code books a battery for an iPhone 12: €79 − 10% = €71.
  const { context, open } = await visitor();
  const page = await open('/book?service=battery&model=1&coupon=STAYFIXED');
  await page.getByRole('button', { name: 'Accept all' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/book\/details/);
  await page.selectOption('#d-day', { index: 1 });
  await page.getByLabel('Name', { exact: true }).fill('Grace');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/book\/confirm/);
  await page.getByRole('button', { name: 'Confirm booking' }).click();
  await page.getByRole('heading', { name: /Booked/ }).waitFor();
  const reference = await page.textContent('.success strong');
  // The same purchase pushed again (a reload of a thank-you page would): not sent twice.
  await page.evaluate(() => window.dataLayer.push(window.dataLayer.findLast((d) => d.event === 'purchase')));
  await page.evaluate(() => window.ff.flush());

  const orders = () => eventsOf(demo.lines()).filter((e) => e.event === 'Order Completed' && e.properties?.order_id === reference);
  await waitFor(() => orders().length > 0, 5000, 'the Order Completed event');
  await sleep(1500); // a second one, if it were (wrongly) sent
  assert.equal(orders().length, 1, 'one Order Completed per transaction_id');
  const { properties: p, context: c, anonymousId } = orders()[0];
  assert.deepEqual([p.order_id, p.revenue, p.currency, p.coupon], [reference, 71, 'EUR', 'STAYFIXED']);
  assert.equal(p.products?.length, 1);
  const { product_id, name, price, quantity, category, variant } = p.products[0];
  assert.deepEqual({ product_id, name, price, quantity, category, variant }, { product_id: 'battery', name: 'Battery replacement', price: 71, quantity: 1, category: 'standard', variant: 'iPhone 12 / 12 Pro' });
  assert.equal(c?.channel, 'Direct');
  const mine = eventsOf(demo.lines()).filter((e) => e.anonymousId === anonymousId);
  assert.ok(mine.some((e) => e.event === 'Checkout Started'), 'begin_checkout became Checkout Started');
  assert.ok(mine.some((e) => e.event === 'booking_completed' && e.properties.reference === reference), 'booking_completed is still tracked');

  // The Revenue panel: one order of €71, Direct, standard tier.
  await inspector.locator('#revenue-total[data-orders="1"]').waitFor({ timeout: 5000 });
  assert.deepEqual(await inspector.$eval('#revenue-total', (el) => ({ ...el.dataset })), { revenue: '71', orders: '1', aov: '71', currency: 'EUR' });
  assert.deepEqual(
    [await inspector.textContent('#revenue-sum'), await inspector.textContent('#revenue-orders'), await inspector.textContent('#revenue-aov')],
    ['€71', '1', '€71'],
  );
  assert.equal(await inspector.isVisible('#revenue-empty'), false);
  const rows = (id) => inspector.$$eval(`#${id} tbody tr`, (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  assert.deepEqual(await rows('revenue-by-channel'), [['Direct', '€71', '1', '€71']]);
  assert.deepEqual(await rows('revenue-by-tier'), [['standard', '€71', '1', '€71']]);

  assert.deepEqual(problems, [], 'no console errors');
  await Promise.all([context.close(), watcher.close()]);
});
