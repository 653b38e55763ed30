// The demo inspector's forms panel: its computation (www/assets/forms.js) on
// synthetic events, in Node; then the panel in the inspector, and the quote
// form started, submitted and abandoned with `autocapture: { forms: true }`,
// in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, root } from './harness.mjs';
import { useDemoBrowser, eventsOf, waitFor } from './demo-process.mjs';
import { computeForms, NO_FIELD, NO_FORM } from '../../www/assets/forms.js';

/** Whether footfall reads `autocapture.forms`. */

let n = 0;
const ev = (event, properties, { messageId = `f-${++n}` } = {}) => ({ type: 'track', event, messageId, anonymousId: 'a', timestamp: '2026-11-22T12:00:00.000Z', properties });
const started = (form, fields = 4) => ev('form_started', { form, fields });
const submitted = (form, fields = 4) => ev('form_submitted', { form, fields, duration_ms: 12000 });
const abandoned = (form, last_field, fields = 4) => ev('form_abandoned', { form, fields, duration_ms: 8000, last_field });
const view = (forms) => forms.map((f) => [f.form, f.started, f.submitted, f.abandoned, f.submitRate, f.abandonRate, f.lastFields.map((r) => [r.field, r.count, r.share])]);

test('forms: per form, started, submitted and abandoned, with rates and abandonment by last field', () => {
  const events = [
    started('quote-form'),
    submitted('quote-form'),
    started('quote-form'),
    abandoned('quote-form', 'email'),
    started('quote-form'),
    abandoned('quote-form', 'device'),
    started('quote-form'),
    abandoned('quote-form', 'email'),
    started('consent-form', 2),
    submitted('consent-form', 2),
    started('f-details', 5),
    started('f-details', 5),
    abandoned('f-details', 'phone', 5),
    { type: 'track', event: 'quote_requested', properties: { form: 'quote-form' } }, // not a form event
    { type: 'page', event: 'form_started', properties: { form: 'quote-form' } }, // not a track
  ];
  assert.deepEqual(view(computeForms(events)), [
    ['quote-form', 4, 1, 3, 25, 75, [['email', 2, 67], ['device', 1, 33]]],
    ['f-details', 2, 0, 1, 0, 50, [['phone', 1, 100]]],
    ['consent-form', 1, 1, 0, 100, 0, []],
  ]);
  assert.deepEqual(computeForms([]), []);
});

test('forms: an event received again (same messageId) counts once', () => {
  const s = started('quote-form');
  const a = abandoned('quote-form', 'device');
  assert.deepEqual(view(computeForms([s, { ...s }, a, { ...a }])), [['quote-form', 1, 0, 1, 0, 100, [['device', 1, 100]]]]);
});

test('forms: malformed events never throw; a form or field without a name is grouped as such', () => {
  const events = [
    null,
    undefined,
    3,
    'form_started',
    [],
    { type: 'track', event: 'form_started' }, // no properties
    { type: 'track', event: 'form_started', properties: null },
    { type: 'track', event: 'form_abandoned', properties: { form: { id: 'x' }, last_field: ['email'] } },
    { type: 'track', event: 'form_submitted', properties: { form: '  ' } },
    { type: 'track', event: 'form_started', properties: { form: 7 } },
    { type: 'track', event: ['form_started'], properties: { form: 'array event' } },
    { type: 'track', event: 'toString', properties: { form: 'inherited' } },
    { type: 'track', event: 'form_abandoned', messageId: { a: 1 }, properties: { form: '<b>x</b>', last_field: '<img src=x>' } },
  ];
  assert.deepEqual(view(computeForms(events)), [
    [NO_FORM, 2, 1, 1, 50, 50, [[NO_FIELD, 1, 100]]],
    ['7', 1, 0, 0, 0, 0, []],
    ['<b>x</b>', 0, 0, 1, 0, 0, [['<img src=x>', 1, 100]]],
  ]);
  assert.deepEqual(computeForms(null), []);
  assert.deepEqual(computeForms({ length: 1, 0: started('x') }), []);
});

test('the quote form has an id and a name, and every field a name', () => {
  const html = readFileSync(join(root, 'www', 'quote.html'), 'utf8');
  const form = /<form\b[^>]*>[^]*?<\/form>/.exec(html)[0];
  assert.match(form, /^<form[^>]*\sid="quote-form"/);
  assert.match(form, /^<form[^>]*\sname="quote"/);
  const fields = [...form.matchAll(/<(input|select|textarea)\b[^>]*>/g)].map((m) => m[0]);
  assert.equal(fields.length, 4);
  for (const field of fields) assert.match(field, /\sname="[a-z]+"/, field);
});

// ---------------------------------------------------------------- in the browser

let demo;
let browser;
const session = useDemoBrowser('forms', { before, after, launch }, (s) => ([demo, browser] = [s.demo, s.browser]));
const { problems } = session;

test('forms: the quote form abandoned at its device field, then started and submitted; the Forms panel shows both', async () => {
  assert.ok((await fetch(demo.origin + '/api/clear', { method: 'POST' })).ok);
  const watcher = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const inspector = await watcher.newPage();
  session.watch(inspector);
  await inspector.goto(demo.origin + '/inspector');
  await inspector.locator('#live.ok').waitFor({ timeout: 5000 });
  assert.equal(await inspector.isVisible('#forms-empty'), true);
  const formEvents = () => eventsOf(demo.lines()).filter((e) => /^form_/.test(e.event ?? '') && e.properties?.form === 'quote-form');

  // A visitor starts the quote, types the device and leaves.
  const first = await session.visitor();
  const page = await first.open('/quote');
  await page.getByRole('button', { name: 'Accept all' }).click();
  await page.getByLabel('Device and model').fill('Pixel 7 typed');
  await page.getByRole('link', { name: 'Cancel' }).click();
  await page.waitForFunction(() => window.demoReady);
  await waitFor(() => formEvents().some((e) => e.event === 'form_abandoned'), 5000, 'form_abandoned');

  // Another fills it in and sends it.
  const second = await session.visitor();
  const other = await second.open('/quote');
  await other.getByRole('button', { name: 'Accept all' }).click();
  await other.getByLabel('Device and model').fill('iPhone 12');
  await other.getByLabel('Your email').fill('grace@example.com');
  await other.getByRole('button', { name: 'Send request' }).click();
  await other.getByRole('heading', { name: 'Request sent' }).waitFor();
  await other.evaluate(() => window.ff.flush());
  await waitFor(() => formEvents().some((e) => e.event === 'form_submitted'), 5000, 'form_submitted');

  const events = formEvents();
  assert.deepEqual(events.map((e) => e.event).sort(), ['form_abandoned', 'form_started', 'form_started', 'form_submitted']);
  const gone = events.find((e) => e.event === 'form_abandoned').properties;
  assert.deepEqual([gone.form, gone.fields, gone.last_field], ['quote-form', 4, 'device']);
  for (const e of events) {
    for (const key of Object.keys(e.properties)) assert.ok(['form', 'fields', 'duration_ms', 'last_field'].includes(key), `${e.event}: ${key}`);
  }
  assert.ok(!readFileSync(demo.collected, 'utf8').includes('Pixel 7 typed'), 'a typed value never reaches the collector');

  const card = inspector.locator('#forms-list [data-form="quote-form"]');
  await inspector.locator('#forms-list [data-form="quote-form"][data-started="2"][data-submitted="1"][data-abandoned="1"]').waitFor({ timeout: 5000 });
  assert.deepEqual(await card.locator('.tiles .tile').allTextContents(), ['2started', '1submitted · 50%', '1abandoned · 50%']);
  assert.deepEqual(await card.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent))), [['device', '1', '100%']]);
  assert.equal(await inspector.isVisible('#forms-empty'), false);
  assert.deepEqual(problems, [], 'no console errors');
  await Promise.all([first.context.close(), second.context.close(), watcher.close()]);
});

test('forms panel: synthetic events; page text rendered as text; malformed ones break nothing', async () => {
  assert.ok((await fetch(demo.origin + '/api/clear', { method: 'POST' })).ok);
  const watcher = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const inspector = await watcher.newPage();
  session.watch(inspector);
  await inspector.goto(demo.origin + '/inspector');
  await inspector.locator('#live.ok').waitFor({ timeout: 5000 });
  const html = '<img src=x onerror=alert(1)>';
  const batch = [
    started('quote-form'),
    abandoned('quote-form', html),
    abandoned('quote-form', 'email'),
    started(html),
    { type: 'track', event: 'form_submitted', messageId: 'm-x', properties: null },
    { type: 'track', event: 'form_abandoned', messageId: 'm-y', properties: { form: 'quote-form', last_field: { a: 1 } } },
  ];
  const post = (events) => fetch(demo.origin + '/collect', { method: 'POST', body: JSON.stringify({ batch: events, sentAt: '2026-11-22T12:00:00.100Z' }) });
  assert.equal((await post(batch)).status, 200);
  assert.equal((await post(batch.slice(0, 2))).status, 200); // a retried batch: the same messageIds
  await inspector.locator('#forms-list article').nth(2).waitFor({ timeout: 5000 });
  const cards = await inspector.$$eval('#forms-list article', (as) =>
    as.map((a) => [a.querySelector('h3').textContent, a.dataset.started, a.dataset.submitted, a.dataset.abandoned, [...a.querySelectorAll('tbody th')].map((th) => th.textContent)]),
  );
  assert.deepEqual(cards, [
    ['quote-form', '1', '0', '3', [NO_FIELD, html, 'email']],
    [html, '1', '0', '0', []],
    [NO_FORM, '0', '1', '0', []],
  ]);
  assert.equal(await inspector.locator('#forms img').count(), 0, 'text, never markup');
  assert.equal(await inspector.textContent('#total-events'), '8', 'the rest of the inspector still renders');
  await inspector.getByRole('button', { name: 'Clear' }).click();
  await inspector.locator('#forms-empty').waitFor({ timeout: 5000 });
  assert.equal(await inspector.locator('#forms-list article').count(), 0);
  assert.deepEqual(problems, [], 'no console errors');
  await watcher.close();
});
