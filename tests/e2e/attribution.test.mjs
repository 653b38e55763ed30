// Attribution on the wire: campaign, click ids, referrer, channel and the
// session, across page loads; redacted URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, testPage } from './harness.mjs';

let collector;
let browser;

useBrowser((c, b) => ([collector, browser] = [c, b]));

async function fresh() {
  collector.requests.length = 0;
  collector.respond = null;
  return browser.newContext();
}

/** Opens `url` with a Referer, and records page errors. */
async function openWith(context, url, referer) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(collector.origin + url, referer ? { referer } : {});
  await page.waitForFunction(() => window.ffReady);
  return { page, errors };
}

test('a campaign landing from a search engine is attributed, and stays so on the next internal page', async () => {
  const context = await fresh();
  const landing = testPage() + '&utm_source=google&utm_medium=cpc&utm_campaign=spring_sale&utm_term=screen+repair&gclid=Cj0KCQ';
  const { page, errors } = await openWith(context, landing, 'https://www.google.com/');
  assert.equal(await page.evaluate(() => document.referrer), 'https://www.google.com/', 'the browser reports the referrer');
  const first = await page.evaluate(async () => {
    ff.page();
    ff.trackEvent('price_checked', { service: 'battery' });
    await ff.flush();
    return { sessionId: ff.sessionId(), stored: localStorage.getItem('footfall.session') };
  });
  await collector.waitFor((c) => c.events().length >= 2, 5000, '2 events');
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(first.sessionId, uuid);
  assert.ok(first.stored?.startsWith(first.sessionId + '\n'), 'the session is stored');

  const expectAttribution = (c, what) => {
    assert.deepEqual(
      c.campaign,
      { source: 'google', medium: 'cpc', name: 'spring_sale', term: 'screen repair' },
      what + ': campaign',
    );
    assert.deepEqual(c.clickIds, { gclid: 'Cj0KCQ' }, what + ': clickIds');
    assert.deepEqual(c.referrer, { type: 'search', name: 'google', host: 'www.google.com' }, what + ': referrer');
    assert.equal(c.channel, 'Paid Search', what + ': channel');
  };
  const events = collector.events();
  assert.deepEqual(events.map((e) => e.event ?? e.type), ['page', 'price_checked']);
  for (const e of events) {
    expectAttribution(e.context, e.type);
    assert.equal(e.context.session.id, first.sessionId);
  }
  assert.equal(events[0].context.session.start, true, 'the first event starts the session');
  assert.ok(!('start' in events[1].context.session), 'later events do not');

  // A second page of the site, reached by a link (internal referrer, no UTM).
  collector.requests.length = 0;
  await page.evaluate((href) => {
    const a = document.createElement('a');
    a.href = href;
    document.body.append(a);
    a.click();
  }, testPage() + '&step=2');
  await page.waitForURL('**step=2');
  await page.waitForFunction(() => window.ffReady);
  assert.match(await page.evaluate(() => document.referrer), /^http:\/\/127\.0\.0\.1:\d+\/tests\/e2e\/pages\/basic\.html/);
  const second = await page.evaluate(async () => {
    ff.trackEvent('booking_started');
    await ff.flush();
    return ff.sessionId();
  });
  assert.equal(second, first.sessionId, 'same session');
  await collector.waitFor((c) => c.events().some((e) => e.event === 'booking_started'), 5000, 'the second page event');
  const next = collector.events().find((e) => e.event === 'booking_started');
  expectAttribution(next.context, 'second page');
  assert.equal(next.context.session.id, first.sessionId);
  assert.ok(!('start' in next.context.session));
  assert.match(next.context.page.url, /step=2$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an organic search landing, then a new campaign in the same tab starts a new session', async () => {
  const context = await fresh();
  const { page } = await openWith(context, testPage(), 'https://www.bing.com/');
  const organic = await page.evaluate(async () => {
    ff.trackEvent('a');
    await ff.flush();
    return ff.sessionId();
  });
  await collector.waitFor((c) => c.events().length >= 1, 5000, 'first event');
  assert.equal(collector.events()[0].context.channel, 'Organic Search');
  assert.deepEqual(collector.events()[0].context.referrer, { type: 'search', name: 'bing', host: 'www.bing.com' });
  assert.ok(!('campaign' in collector.events()[0].context), 'no campaign: omitted');

  collector.requests.length = 0;
  await page.goto(collector.origin + testPage() + '&utm_source=newsletter&utm_medium=email&utm_campaign=november');
  await page.waitForFunction(() => window.ffReady);
  const email = await page.evaluate(async () => {
    ff.trackEvent('b');
    await ff.flush();
    return ff.sessionId();
  });
  await collector.waitFor((c) => c.events().length >= 1, 5000, 'second event');
  const e = collector.events()[0];
  assert.notEqual(email, organic, 'a new campaign starts a new session');
  assert.equal(e.context.session.id, email);
  assert.equal(e.context.session.start, true);
  assert.equal(e.context.channel, 'Email');
  assert.equal(e.context.referrer.type, 'direct');
  await context.close();
});

test('emails and stripped parameters in URLs never reach the collector; campaign values do', async () => {
  const context = await fresh();
  const opts = { privacy: { stripQueryParams: ['token'] } };
  const url = testPage(opts) + '&token=s3cr3t-value&email=jo.doe%40example.com&utm_source=news&utm_medium=email&fbclid=FB1#contact=ann@example.org';
  const { page, errors } = await openWith(context, url, 'https://partner.example/account?user=bob@example.net&token=other-secret');
  await page.evaluate(async () => {
    ff.page();
    ff.trackEvent('signed_up');
    await ff.flush();
  });
  await collector.waitFor((c) => c.events().length >= 2, 5000, '2 events');
  const raw = collector.requests.map((r) => r.raw).join('\n');
  for (const secret of ['s3cr3t-value', 'other-secret', 'jo.doe', 'ann@', 'bob@', 'example.com', 'example.org', 'example.net']) {
    assert.ok(!raw.includes(secret), `${secret} reached the collector`);
  }
  const [pageEvent, track] = collector.events();
  const p = pageEvent.context.page;
  const base = testPage(opts); // '/tests/e2e/pages/basic.html?opts=...'
  assert.equal(p.url, `${collector.origin}${base}&email=[email]&utm_source=news&utm_medium=email&fbclid=FB1#contact=[email]`);
  assert.equal(p.search, `${base.slice(base.indexOf('?'))}&email=[email]&utm_source=news&utm_medium=email&fbclid=FB1`);
  assert.equal(pageEvent.properties.url, p.url);
  assert.equal(p.referrer, 'https://partner.example/account?user=[email]', 'token stripped, email redacted');
  assert.equal(pageEvent.properties.referrer, p.referrer);
  assert.deepEqual(track.context.campaign, { source: 'news', medium: 'email' });
  assert.deepEqual(track.context.clickIds, { fbclid: 'FB1' });
  assert.deepEqual(track.context.referrer, { type: 'other', host: 'partner.example' });
  assert.equal(track.context.channel, 'Email');
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('footfall.')).map((k) => localStorage.getItem(k)).join('\n'));
  assert.ok(!stored.includes('s3cr3t') && !stored.includes('jo.doe'), 'nor storage');
  assert.deepEqual(errors, []);
  await context.close();
});
