// Privacy on the wire, in Chromium, Firefox and WebKit: no email address
// leaves the page in any field, and redaction never breaks a body.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testPage, sleep } from './harness.mjs';

const ADDRESS = /[A-Za-z0-9._%+-]+(@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

/** Every request body reached the collector as valid JSON and holds no address. */
function assertClean(collector) {
  for (const r of collector.requests) {
    assert.notEqual(r.body, null, `a valid JSON body: ${r.raw.slice(0, 200)}`);
    assert.ok(!ADDRESS.test(r.raw), `no address in: ${r.raw.match(ADDRESS)?.[0]}`);
  }
}

forEachEngine((get) => {
  beforeEach(() => get().collector.reset());

  test('an address after a newline, a tab or a control character: the body stays valid, every event arrives', async () => {
    const { browser, collector } = get();
    const context = await browser.newContext();
    const page = await context.newPage(collector.origin + testPage({ flushAt: 5 }));
    await page.waitForFunction(() => window.ffReady);
    await page.evaluate(() => {
      ff.trackEvent('q', { d: 'Hi,\njo@example.com' });
      ff.trackEvent('q', { d: 'tab\tjo@example.com' });
      ff.trackEvent('q', { d: '\u0001jo@example.com', e: 'quote "jo@example.com"' });
      ff.trackEvent('q', { d: 'jo%40example.com', e: 'mailto:jo@example.com.' });
      ff.trackEvent('q', { ok: true });
    });
    await collector.waitFor((c) => c.events().length >= 5, 5000, 'five events');
    assertClean(collector);
    const props = collector.events().map((e) => e.properties);
    assert.deepEqual(props[0], { d: 'Hi,\n[email]' });
    assert.deepEqual(props[1], { d: 'tab\t[email]' });
    assert.deepEqual(props[2], { d: '\u0001[email]', e: 'quote "[email]"' });
    assert.deepEqual(props[3], { d: '[email]', e: 'mailto:[email].' });
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });

  test('event names, data-ff-event, the user id, traits and the page title lose their addresses, on the wire and in the mirrored dataLayer', async () => {
    const { browser, collector } = get();
    collector.initScripts.push(`document.addEventListener('DOMContentLoaded', () => {
      document.title = 'Orders of jo@example.com';
      const b = document.createElement('button');
      b.id = 'declared';
      b.setAttribute('data-ff-event', 'clicked by jo@example.com');
      b.setAttribute('data-ff-prop-to', 'ann@example.org');
      b.textContent = 'Go';
      document.body.appendChild(b);
    })`);
    const context = await browser.newContext();
    const page = await context.newPage(collector.origin + testPage({ flushAt: 1, autocapture: { clicks: true }, dataLayer: { mirror: true } }));
    await page.waitForFunction(() => window.ffReady);
    await page.evaluate(() => {
      ff.trackEvent('signup jo@example.com');
      ff.identify('jo@example.com', { email: 'jo@example.com', plan: 'pro' });
      ff.page('Profile of jo@example.com');
      document.getElementById('declared').click();
    });
    await collector.waitFor((c) => c.events().some((e) => e.event?.startsWith('clicked by ')) && c.events().some((e) => e.type === 'identify'), 5000, 'the events');
    await sleep(300);
    assertClean(collector);
    const events = collector.events();
    assert.ok(events.some((e) => e.event === 'signup [email]'));
    const identify = events.find((e) => e.type === 'identify');
    assert.equal(identify.userId, '[email]');
    assert.deepEqual(identify.traits ?? identify.properties, { email: '[email]', plan: 'pro' });
    const pageEvent = events.find((e) => e.type === 'page' && e.name);
    assert.equal(pageEvent.name, 'Profile of [email]');
    assert.equal(pageEvent.context.page.title, 'Orders of [email]');
    const declared = events.find((e) => e.event?.startsWith('clicked by '));
    assert.equal(declared.event, 'clicked by [email]');
    assert.deepEqual(declared.properties, { to: '[email]' });
    assert.equal(await page.evaluate(() => localStorage.getItem('footfall.uid')), '[email]', 'nor is it stored');
    // GTM's tags may send on what is pushed: the mirrored click is redacted too.
    const layer = await page.evaluate(() => JSON.stringify(window.dataLayer));
    assert.ok(layer.includes('footfall.clicked by [email]'), layer);
    assert.ok(!ADDRESS.test(layer), `no address in the dataLayer: ${layer.match(ADDRESS)?.[0]}`);
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });

  test('rage-click text is the visible text, with addresses and card numbers masked', async () => {
    const { browser, collector } = get();
    collector.initScripts.push(`document.addEventListener('DOMContentLoaded', () => {
      const b = document.createElement('button');
      b.id = 'angry';
      b.style.cssText = 'position:absolute;left:20px;top:20px;width:300px;height:40px';
      b.innerHTML = 'Pay 4111 1111 1111 1111 for jo@example.com<span hidden> secret hidden text</span>';
      document.body.appendChild(b);
    })`);
    const context = await browser.newContext();
    const page = await context.newPage(collector.origin + testPage({ flushAt: 1, autocapture: { rageClick: true } }));
    await page.waitForFunction(() => window.ffReady);
    await page.evaluate(() => {
      const b = document.getElementById('angry');
      for (let i = 0; i < 4; i++) {
        b.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true, isPrimary: true, button: 0, clientX: 40, clientY: 30 }));
        b.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: 40, clientY: 30 }));
      }
    });
    await collector.waitFor((c) => c.events().some((e) => e.event === 'rage_click'), 5000, 'rage_click');
    assertClean(collector);
    const rage = collector.events().find((e) => e.event === 'rage_click');
    assert.equal(rage.properties.text, 'Pay [card] for [email]');
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });
});
