// Consent and privacy in Chromium, Firefox and WebKit: nothing before
// consent, decisions reaching every tab, GPC, Google Consent Mode v2,
// cookieless mode, PII redaction.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testPage, sleep } from './harness.mjs';

const OPT_IN = { consent: { mode: 'opt-in' }, flushAt: 1 };

/** Every localStorage and sessionStorage key and the cookie string. */
async function footprint(page) {
  return page.evaluate(() => ({
    local: Object.keys(localStorage).sort(),
    session: Object.keys(sessionStorage).sort(),
    cookie: document.cookie,
  }));
}

forEachEngine((get) => {
  let collector;
  let browser;
  beforeEach(() => {
    ({ collector, browser } = get());
    collector.reset();
  });

  test('opt-in: 20 events before a decision send and store nothing; granting delivers them in order with their original timestamps', async () => {
    const context = await browser.newContext();
    const page = await context.newPage(collector.origin + testPage(OPT_IN));
    await page.waitForFunction(() => window.ffReady);
    const trackedAt = [];
    for (let i = 0; i < 20; i++) {
      trackedAt.push(await page.evaluate((i) => {
        ff.trackEvent('before_consent', { i });
        return Date.now();
      }, i));
      await sleep(20);
    }
    await sleep(3500);
    assert.equal(collector.requests.length, 0, 'nothing sent');
    assert.deepEqual(await footprint(page), { local: [], session: [], cookie: '' }, 'nothing stored');
    assert.equal(await page.evaluate(() => ff.anonymousId()), '', 'no identifier');
    assert.equal((await page.evaluate(() => ff.getConsent())).decided, false);

    await page.evaluate(() => ff.setConsent({ analytics: true }));
    await collector.waitFor((c) => c.events().length >= 21, 5000, '20 events and consent_updated');
    const events = collector.events();
    const early = events.filter((e) => e.event === 'before_consent');
    assert.deepEqual(early.map((e) => e.properties.i), [...Array(20).keys()], 'in order');
    early.forEach((e, i) => {
      const at = Date.parse(e.timestamp);
      assert.ok(at <= trackedAt[i] && trackedAt[i] - at < 50, `original timestamp of event ${i}`);
      assert.equal(e.context.consent.categoryPreferences.analytics, true);
    });
    const anonymousId = await page.evaluate(() => ff.anonymousId());
    assert.ok(early.every((e) => e.anonymousId === anonymousId));
    const updated = events.find((e) => e.event === 'consent_updated');
    assert.deepEqual(updated.properties, { necessary: true, analytics: true, marketing: false, personalization: false });
    const state = await page.evaluate(() => ff.getConsent());
    assert.equal(state.decided, true);
    assert.match(state.decidedAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal((await footprint(page)).local.includes('footfall.aid'), true, 'identifiers only after consent');
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });

  test('opt-in denied: what waited is dropped, and the next page sends and stores nothing but the consent record', async () => {
    const context = await browser.newContext();
    const page = await context.newPage(collector.origin + testPage(OPT_IN));
    await page.waitForFunction(() => window.ffReady);
    await page.evaluate(() => {
      for (let i = 0; i < 5; i++) ff.trackEvent('waiting', { i });
      ff.setConsent({ analytics: false, marketing: false });
    });
    await page.goto(collector.origin + testPage(OPT_IN) + '&second=1');
    await page.waitForFunction(() => window.ffReady);
    await page.evaluate(() => {
      for (let i = 0; i < 5; i++) ff.trackEvent('after_denial', { i });
      ff.page();
    });
    await sleep(3500);
    assert.equal(collector.requests.length, 0);
    assert.deepEqual(await footprint(page), { local: ['footfall.consent'], session: [], cookie: '' });
    const state = await page.evaluate(() => ff.getConsent());
    assert.equal(state.decided, true);
    assert.equal(state.categories.analytics, false);
    await context.close();
  });

  test('opt-out: a denial stops sending and purges every footfall record and the anonymous id', async () => {
    const context = await browser.newContext();
    const until = Date.now() + 60_000;
    collector.respond = () => ({ status: Date.now() < until ? 503 : 200 });
    const page = await context.newPage(collector.origin + testPage({ flushAt: 1 }));
    await page.waitForFunction(() => window.ffReady);
    await page.evaluate(() => {
      for (let i = 0; i < 5; i++) ff.trackEvent('stored', { i });
    });
    await sleep(300);
    const stored = (await footprint(page)).local;
    assert.ok(stored.includes('footfall.aid') && stored.some((k) => k.startsWith('footfall.q.')), stored.join());
    await page.evaluate(() => localStorage.setItem('app.own', 'kept'));
    await page.evaluate(() => ff.setConsent({ analytics: false }));
    assert.deepEqual((await footprint(page)).local, ['app.own', 'footfall.consent'], 'the page keeps its own keys');
    assert.equal(await page.evaluate(() => ff.anonymousId()), '');
    const before = collector.requests.length;
    await page.evaluate(() => ff.trackEvent('after'));
    await sleep(2500);
    assert.equal(collector.requests.length, before, 'no further attempt');
    await context.close();
  });

  test('Global Privacy Control denies marketing: in getConsent() and in the envelope', async () => {
    const context = await browser.newContext();
    collector.initScripts.push(`Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })`);
    const page = await context.newPage(collector.origin + testPage({ flushAt: 1 }));
    await page.waitForFunction(() => window.ffReady);
    const state = await page.evaluate(() => {
      ff.setConsent({ analytics: true, marketing: true });
      ff.trackEvent('with_gpc');
      return ff.getConsent();
    });
    assert.equal(state.signals.gpc, true);
    assert.equal(state.categories.marketing, false);
    assert.deepEqual(state.deniedBySignal, ['marketing']);
    await collector.waitFor((c) => c.events().some((e) => e.event === 'with_gpc'), 5000, 'the event');
    const event = collector.events().find((e) => e.event === 'with_gpc');
    assert.deepEqual(event.context.consent.categoryPreferences, {
      necessary: true,
      analytics: true,
      marketing: false,
      personalization: true,
    });
    await context.close();
  });

  test("Consent Mode v2: dataLayer receives gtag's default and update commands as arguments objects", async () => {
    const context = await browser.newContext();
    const page = await context.newPage(collector.origin + testPage({ ...OPT_IN, dataLayer: { consentMode: true } }));
    await page.waitForFunction(() => window.ffReady);
    const pushes = await page.evaluate(() => {
      ff.setConsent({ analytics: true, marketing: false });
      return window.dataLayer.map((entry) => ({
        kind: Object.prototype.toString.call(entry),
        args: Array.from(entry),
      }));
    });
    assert.equal(pushes.length, 2);
    for (const p of pushes) assert.equal(p.kind, '[object Arguments]');
    assert.deepEqual(pushes[0].args, [
      'consent',
      'default',
      {
        ad_storage: 'denied',
        ad_user_data: 'denied',
        ad_personalization: 'denied',
        analytics_storage: 'denied',
        personalization_storage: 'denied',
        functionality_storage: 'granted',
        security_storage: 'granted',
      },
    ]);
    assert.equal(pushes[1].args[1], 'update');
    assert.equal(pushes[1].args[2].analytics_storage, 'granted');
    assert.equal(pushes[1].args[2].ad_storage, 'denied');
    await context.close();
  });

  test('cookieless: no persistent identifier; the anonymous id lives in sessionStorage', async () => {
    const context = await browser.newContext();
    const page = await context.newPage(collector.origin + testPage({ flushAt: 1, privacy: { cookieless: true } }));
    await page.waitForFunction(() => window.ffReady);
    await page.evaluate(() => ff.trackEvent('cookieless'));
    // The previous test's tab may still deliver its last batch after the reset:
    // find this page's event by name.
    await collector.waitFor((c) => c.events().some((e) => e.event === 'cookieless'), 5000, 'the event');
    const print = await footprint(page);
    assert.deepEqual(print.local, []);
    assert.equal(print.cookie, '');
    assert.ok(print.session.includes('footfall.aid'));
    const id = await page.evaluate(() => ff.anonymousId());
    assert.equal(collector.events().find((e) => e.event === 'cookieless').anonymousId, id);
    await context.close();
  });

  test('an email in a property never reaches the collector', async () => {
    const context = await browser.newContext();
    const page = await context.newPage(collector.origin + testPage({ flushAt: 1, privacy: { anonymizeIp: true } }));
    await page.waitForFunction(() => window.ffReady);
    await page.evaluate(() => ff.trackEvent('quote_requested', { contact: 'Write to jane.doe@example.com', nested: { to: ['a.b+c@shop.co.uk'] } }));
    await collector.waitFor((c) => c.events().some((e) => e.event === 'quote_requested'), 5000, 'the event');
    const raw = collector.requests.map((r) => r.raw).join('\n');
    assert.ok(!raw.includes('@example.com') && !raw.includes('shop.co.uk'), raw);
    const e = collector.events().find((e) => e.event === 'quote_requested');
    assert.equal(e.properties.contact, 'Write to [email]');
    assert.deepEqual(e.properties.nested.to, ['[email]']);
    assert.equal(e.context.ip, '0.0.0.0');
    await context.close();
  });
  test('a denial in one tab stops and purges every other open tab of the site within a second', async () => {
    const context = await browser.newContext();
    collector.respond = () => ({ status: 503 }); // tab B keeps what it tracks
    const a = await context.newPage(collector.origin + testPage({ flushAt: 1 }));
    const b = await context.newPage(collector.origin + testPage({ flushAt: 1 }));
    await a.waitForFunction(() => window.ffReady);
    await b.waitForFunction(() => window.ffReady);
    await b.evaluate(() => {
      for (let i = 0; i < 5; i++) ff.trackEvent('queued_in_b', { i });
    });
    await sleep(300);
    assert.ok((await footprint(b)).local.some((k) => k.startsWith('footfall.q.')), 'B stored its events');
    await a.evaluate(() => ff.setConsent({ analytics: false }));
    await b.waitForFunction(() => ff.getConsent().categories.analytics === false && ff.stats().queued === 0, undefined, 1000);
    collector.respond = null;
    const before = collector.requests.length;
    await b.evaluate(() => {
      ff.trackEvent('after_denial_in_a');
      ff.page();
    });
    await sleep(2500);
    assert.equal(collector.requests.length, before, 'B sends nothing more');
    assert.deepEqual((await footprint(b)).local, ['footfall.consent'], 'B keeps nothing, rewrites nothing');
    assert.equal(await b.evaluate(() => ff.anonymousId()), '');
    assert.deepEqual(await b.errors(), []);
    await context.close();
  });

  test('a grant in one tab starts every other tab: what waited there is delivered, consent_updated only once', async () => {
    const context = await browser.newContext();
    const a = await context.newPage(collector.origin + testPage(OPT_IN));
    const b = await context.newPage(collector.origin + testPage(OPT_IN));
    await a.waitForFunction(() => window.ffReady);
    await b.waitForFunction(() => window.ffReady);
    await b.evaluate(() => ff.trackEvent('waited_in_b'));
    await sleep(300);
    assert.equal(collector.requests.length, 0);
    await a.evaluate(() => ff.setConsent({ analytics: true }));
    await collector.waitFor((c) => c.events().some((e) => e.event === 'waited_in_b'), 3000, "B's event");
    await b.waitForFunction(() => ff.getConsent().decided && ff.getConsent().categories.analytics === true, undefined, 1000);
    await sleep(500);
    assert.equal(collector.events().filter((e) => e.event === 'consent_updated').length, 1);
    const aid = await a.evaluate(() => ff.anonymousId());
    assert.equal(collector.events().find((e) => e.event === 'waited_in_b').anonymousId, aid, 'one visitor');
    await context.close();
  });
});
