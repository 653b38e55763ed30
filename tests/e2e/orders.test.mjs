// The README's Revenue section, run as written: the GA4 purchase push and
// the event it becomes, and orders sent from a server with Segment's own
// Node library (@segment/analytics-node) to the same collector, joined to
// the browser's events by anonymousId. Chromium for the page (the mapping
// itself is tested in three engines in ecommerce.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { useBrowser, open, serve, readmeBlock, root } from './harness.mjs';

let collector;
let browser;
useBrowser((c, b) => ([collector, browser] = [c, b]));

/** A page loading footfall from dist/ with `options`, then running `script`. */
function modulePage(path, options, script) {
  serve(collector, path, {
    type: 'text/html; charset=utf-8',
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout</title></head><body>
<script type="module">
import { init } from '/dist/footfall.mjs';
window.dataLayer = window.dataLayer || [];
const ff = await init(${JSON.stringify({ endpoint: '/collect', flushAt: 1, ...options })});
window.ff = ff;
${script}
await ff.flush();
window.done = true;
</script></body></html>`,
  });
  return path;
}

test('the README purchase push arrives as the Order Completed it shows', async () => {
  collector.reset();
  const push = await readmeBlock('js', "transaction_id: 'FW-K7QD2M'");
  const expected = JSON.parse(await readmeBlock('json', '"order_id": "FW-K7QD2M"'));
  const path = modulePage('/orders/purchase.html', { dataLayer: { ecommerce: true } }, push);
  const context = await browser.newContext();
  const { page, errors } = await open(context, collector.origin, path);
  await page.waitForFunction(() => window.done, null, { timeout: 15_000 });
  await collector.waitFor((c) => c.events().some((e) => e.event === 'Order Completed'), 10_000, 'the order');
  const order = collector.events().find((e) => e.event === 'Order Completed');
  assert.deepEqual(order.properties, expected);
  assert.ok(collector.requests.some((r) => r.raw.includes('"revenue":129.99') && r.raw.includes('"price":129.99')), 'numbers as written');
  assert.deepEqual(errors, []);
  await context.close();
});

test("server-side orders (README recipe): @segment/analytics-node sends Order Completed to the same collector, joined to the browser's events by anonymousId", async () => {
  collector.reset();
  // The shop's checkout endpoint: receives the cart and footfall's anonymousId.
  let checkout;
  collector.routes.set('/api/checkout', async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    checkout = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"ok":true}');
  });
  const browserBlock = await readmeBlock('js', "fetch('/api/checkout'");
  const path = modulePage(
    '/orders/checkout.html',
    { autocapture: false },
    `const cart = [{ id: 'iphone_screen', price: 129.99 }];
ff.trackEvent('checkout_submitted');
${browserBlock}`,
  );
  const context = await browser.newContext();
  const { page, errors } = await open(context, collector.origin, path + '?utm_source=newsletter&utm_medium=email&utm_campaign=spring');
  await page.waitForFunction(() => window.done, null, { timeout: 15_000 });
  const anonymousId = await page.evaluate(() => window.ff.anonymousId());
  assert.equal(checkout.anonymousId, anonymousId, 'the checkout carried footfall\'s anonymousId');
  assert.deepEqual(checkout.cart, [{ id: 'iphone_screen', price: 129.99 }]);

  // The server: the README block as a module of its own, pointed at the test collector.
  const serverBlock = (await readmeBlock('js', "from '@segment/analytics-node'"))
    .replace("host: 'https://collect.example.com', path: '/v1/batch'", `host: '${collector.origin}', path: '/collect'`);
  assert.ok(serverBlock.includes(collector.origin), 'the README block names host and path as this test expects');
  const dir = join(root, 'target', 'orders');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `server-${Date.now()}.mjs`);
  writeFileSync(file, serverBlock);
  const server = await import(pathToFileURL(file).href);
  server.orderCompleted({
    id: 'FW-K7QD2M',
    anonymousId: checkout.anonymousId,
    userId: undefined,
    total: 129.99,
    currency: 'EUR',
    products: [{ product_id: 'iphone_screen', price: 129.99, quantity: 1 }],
  });
  await server.analytics.closeAndFlush();

  const events = collector.events();
  const fromServer = events.find((e) => e.event === 'Order Completed');
  assert.ok(fromServer, 'the server order reached the collector');
  assert.equal(fromServer.context.library.name, '@segment/analytics-node');
  assert.equal(fromServer.anonymousId, anonymousId, 'joined by anonymousId');
  assert.deepEqual(fromServer.properties, {
    order_id: 'FW-K7QD2M',
    revenue: 129.99,
    currency: 'EUR',
    products: [{ product_id: 'iphone_screen', price: 129.99, quantity: 1 }],
  });
  // The join: the browser's events of that visitor say where the order came from.
  const visit = events.filter((e) => e.anonymousId === anonymousId && e.context.library.name === 'footfall');
  assert.deepEqual(visit.map((e) => e.event), ['checkout_submitted']);
  assert.equal(visit[0].context.channel, 'Email');
  assert.equal(visit[0].context.campaign.name, 'spring');
  const serverRequest = collector.requests.find((r) => r.body?.batch?.some((e) => e.event === 'Order Completed'));
  assert.equal(serverRequest.contentType, 'application/json');
  assert.deepEqual(errors, []);
  await context.close();
});
