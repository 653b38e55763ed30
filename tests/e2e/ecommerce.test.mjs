// `dataLayer: { ecommerce: true }`: GA4 ecommerce pushes, as a store using
// Google Tag Manager makes them, arrive as Segment Ecommerce v2 events,
// field by field, numbers as pushed; a reloaded thank-you page does not
// send its order again. In Chromium, Firefox and WebKit.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, serve, sleep } from './harness.mjs';

const ITEM = {
  item_id: 'iphone_screen',
  item_name: 'iPhone screen replacement',
  item_category: 'standard',
  item_brand: 'Fixwell',
  item_variant: 'iPhone 13',
  price: 129.99,
  quantity: 1,
  coupon: 'SPRING',
  index: 0,
};
const PRODUCT = {
  product_id: 'iphone_screen',
  name: 'iPhone screen replacement',
  category: 'standard',
  brand: 'Fixwell',
  variant: 'iPhone 13',
  price: 129.99,
  quantity: 1,
  coupon: 'SPRING',
  position: 0,
};
const BATTERY = { item_id: 'battery', item_name: 'Battery replacement', price: 19.99, quantity: 2 };
const BATTERY_PRODUCT = { product_id: 'battery', name: 'Battery replacement', price: 19.99, quantity: 2 };

/** A page that loads footfall with `options` and then runs `script` (pushes). */
const page = (options, script) => ({
  type: 'text/html; charset=utf-8',
  body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script>window.dataLayer = window.dataLayer || [];</script></head><body>
<script type="module">
import { init } from '/dist/footfall.mjs';
const ff = await init(${JSON.stringify({ endpoint: '/collect', flushAt: 1, autocapture: false, ...options })});
${script}
await ff.flush();
window.done = true;
</script></body></html>`,
});

forEachEngine((get) => {
  beforeEach(() => get().collector.reset());

  test('each GA4 ecommerce push arrives as its Segment v2 event, field by field, numbers as pushed', async () => {
    const { browser, collector } = get();
    const pushes = [
      ['view_item', { currency: 'EUR', value: 129.99, items: [ITEM] }],
      ['add_to_cart', { currency: 'EUR', value: 129.99, items: [ITEM] }],
      ['remove_from_cart', { currency: 'EUR', value: 39.98, items: [BATTERY] }],
      ['begin_checkout', { currency: 'EUR', value: 169.97, coupon: 'SPRING', items: [ITEM, BATTERY] }],
      ['add_payment_info', { currency: 'EUR', value: 169.97, payment_type: 'card', items: [ITEM, BATTERY] }],
      ['purchase', { transaction_id: 'FW-K7QD2M', affiliation: 'Fixwell Berlin', value: 169.97, tax: 27.14, shipping: 0, currency: 'EUR', coupon: 'SPRING', items: [ITEM, BATTERY] }],
      ['refund', { transaction_id: 'FW-K7QD2M', value: 19.99, currency: 'EUR', items: [{ ...BATTERY, quantity: 1 }] }],
    ];
    serve(collector, '/ecommerce/all.html', page({ dataLayer: { ecommerce: true } }, `
for (const [event, ecommerce] of ${JSON.stringify(pushes)}) {
  dataLayer.push({ ecommerce: null }); // as Google advises between pushes
  dataLayer.push({ event, ecommerce });
}
dataLayer.push({ event: 'newsletter_signup', list: 'weekly' }); // not forwarded: only ecommerce is on`));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/ecommerce/all.html');
    await p.waitForFunction(() => window.done, undefined, 20_000);
    await collector.waitFor((c) => c.events().some((e) => e.event === 'Order Refunded'), 10_000, 'the refund');
    await sleep(200);
    const events = collector.events().filter((e) => e.type === 'track');
    assert.deepEqual(
      events.map((e) => e.event),
      ['Product Viewed', 'Product Added', 'Product Removed', 'Checkout Started', 'Payment Info Entered', 'Order Completed', 'Order Refunded'],
    );
    const [viewed, added, removed, checkout, payment, order, refund] = events.map((e) => e.properties);
    // A single-product event: the product at the top (Segment v2) and in products.
    assert.deepEqual(viewed, { revenue: 129.99, currency: 'EUR', ...PRODUCT, products: [PRODUCT] });
    assert.deepEqual(added, viewed);
    assert.deepEqual(removed, { revenue: 39.98, currency: 'EUR', ...BATTERY_PRODUCT, products: [BATTERY_PRODUCT] });
    assert.deepEqual(checkout, { revenue: 169.97, currency: 'EUR', coupon: 'SPRING', products: [PRODUCT, BATTERY_PRODUCT] });
    assert.deepEqual(payment, { revenue: 169.97, currency: 'EUR', products: [PRODUCT, BATTERY_PRODUCT] });
    assert.deepEqual(order, {
      order_id: 'FW-K7QD2M',
      affiliation: 'Fixwell Berlin',
      revenue: 169.97,
      tax: 27.14,
      shipping: 0,
      currency: 'EUR',
      coupon: 'SPRING',
      products: [PRODUCT, BATTERY_PRODUCT],
    });
    assert.deepEqual(refund, { order_id: 'FW-K7QD2M', revenue: 19.99, currency: 'EUR', products: [{ ...BATTERY_PRODUCT, quantity: 1 }] });
    // 19.99 and 129.99 on the wire exactly as written.
    const wire = collector.requests.map((r) => r.raw ?? JSON.stringify(r.body)).join('\n');
    for (const text of ['"price":129.99', '"price":19.99', '"revenue":169.97', '"tax":27.14']) assert.ok(wire.includes(text), text);
    assert.ok(!events.some((e) => e.event === 'newsletter_signup' || e.event === 'purchase'), 'nothing forwarded as it is');
    assert.deepEqual(await p.errors(), []);
    await context.close();
  });

  test('a reloaded thank-you page does not send its order again; another order is sent', async () => {
    const { browser, collector } = get();
    const order = { transaction_id: 'FW-RELOAD1', value: 129.99, currency: 'EUR', items: [ITEM] };
    serve(collector, '/ecommerce/thanks.html', page({ dataLayer: { ecommerce: true }, debug: true }, `
dataLayer.push({ ecommerce: null });
dataLayer.push({ event: 'purchase', ecommerce: ${JSON.stringify(order)} });`));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/ecommerce/thanks.html');
    await p.waitForFunction(() => window.done, undefined, 20_000);
    await collector.waitFor((c) => c.events().some((e) => e.event === 'Order Completed'), 10_000, 'the order');
    for (let n = 0; n < 2; n++) {
      await p.reload();
      await p.waitForFunction(() => window.done, undefined, 20_000);
    }
    // The reloads' pushes were read: the page flushed after them.
    await sleep(500);
    const orders = () => collector.events().filter((e) => e.event === 'Order Completed');
    assert.equal(orders().length, 1, 'one order, three page loads');
    assert.equal(orders()[0].properties.revenue, 129.99);
    // The same browser's next order is sent.
    await p.evaluate(() => {
      dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'FW-RELOAD2', value: 19.99, currency: 'EUR', items: [{ item_id: 'battery' }] } });
    });
    await collector.waitFor(() => orders().length === 2, 10_000, 'the second order');
    assert.deepEqual(orders().map((e) => e.properties.order_id), ['FW-RELOAD1', 'FW-RELOAD2']);
    assert.deepEqual(await p.errors(), []);
    await context.close();
  });

  test('bad pushes are sent as far as they are valid, and nothing reaches the page', async () => {
    const { browser, collector } = get();
    serve(collector, '/ecommerce/bad.html', page({ dataLayer: { ecommerce: true } }, `
dataLayer.push({ event: 'purchase', ecommerce: { transaction_id: 'FW-BAD', value: '129.99', tax: -1, currency: 'EUR',
  items: [{ item_id: 'battery', price: '19.99', quantity: 1 }, 'junk', { price: 5 }] } });
dataLayer.push({ event: 'add_to_cart', ecommerce: { items: 'not a list' } });
dataLayer.push({ event: 'view_item', ecommerce: { items: [{ item_id: 'x', price: 1n }] } });`));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/ecommerce/bad.html');
    await p.waitForFunction(() => window.done, undefined, 20_000);
    await collector.waitFor((c) => c.events().some((e) => e.event === 'Product Added'), 10_000, 'the events');
    await sleep(200);
    const byName = Object.fromEntries(collector.events().map((e) => [e.event, e.properties]));
    assert.deepEqual(byName['Order Completed'], { order_id: 'FW-BAD', currency: 'EUR', products: [{ product_id: 'battery', quantity: 1 }] });
    assert.deepEqual(byName['Product Added'], {});
    assert.deepEqual(byName['Product Viewed'], {}, 'a key that cannot be serialized (BigInt) is left out');
    assert.deepEqual(await p.errors(), []);
    await context.close();
  });
});
