// `autocapture: { forms: true }`: form_started, form_submitted, and
// form_abandoned with the last field touched when the page view ends, for
// <form> elements and for framework forms marked `data-ff-form`; never a
// typed value in any request; abandonment survives leaving and closing the
// tab. In Chromium, Firefox and WebKit.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, serve, sleep, readmeBlock } from './harness.mjs';

const TYPED = ['Jo Example', 'jo.typed@example.com', 'screen cracked badly'];

/** The README's framework form (no <form> element). */
const SIGNUP = await readmeBlock('html', 'data-ff-form="signup"');

const page = (options) => ({
  type: 'text/html; charset=utf-8',
  body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Quote</title></head><body>
<form id="quote" action="/forms/thanks.html" onsubmit="event.preventDefault(); window.submitted = true;">
  <select name="model"><option>iPhone 13</option><option>iPhone 14</option></select>
  <input name="name" autocomplete="name">
  <input name="email" type="email">
  <textarea name="description"></textarea>
  <input type="hidden" name="token" value="t">
  <button type="submit">Get a quote</button>
</form>
${SIGNUP}
<script type="module">
import { init } from '/dist/footfall.mjs';
window.ff = await init(${JSON.stringify({ endpoint: '/collect', flushAt: 1, ...options })});
window.type = (selector, text) => {
  const el = document.querySelector(selector);
  el.value = text;
  el.dispatchEvent(new Event('input', { bubbles: true }));
};
window.done = true;
</script></body></html>`,
});

forEachEngine((get, engine) => {
  beforeEach(() => get().collector.reset());

  test('a form abandoned after typing in two fields names the last field, and no typed value is sent', async () => {
    const { browser, collector } = get();
    serve(collector, '/forms/quote.html', page({ autocapture: { forms: true } }));
    serve(collector, '/forms/next.html', page({}));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/forms/quote.html');
    await p.waitForFunction(() => window.done, undefined, 20_000);
    await p.evaluate((typed) => {
      type('[name=name]', typed[0]);
      type('[name=name]', typed[0] + '!'); // more typing in the same field
      type('[name=email]', typed[1]);
    }, TYPED);
    await collector.waitFor((c) => c.events().some((e) => e.event === 'form_started'), 10_000, 'form_started');
    await p.goto(collector.origin + '/forms/next.html'); // the page view ends
    await collector.waitFor((c) => c.events().some((e) => e.event === 'form_abandoned'), 10_000, 'form_abandoned');
    await sleep(300);
    const events = collector.events().filter((e) => e.event?.startsWith('form_'));
    assert.deepEqual(events.map((e) => e.event), ['form_started', 'form_abandoned']);
    assert.deepEqual(events[0].properties, { form: 'quote', fields: 4 });
    const abandoned = events[1].properties;
    assert.equal(abandoned.form, 'quote');
    assert.equal(abandoned.fields, 4, 'select, two inputs and the textarea; not the hidden input nor the button');
    assert.equal(abandoned.last_field, 'email');
    assert.ok(abandoned.duration_ms >= 0 && abandoned.duration_ms < 30_000, JSON.stringify(abandoned));
    const wire = collector.requests.map((r) => r.raw).join('\n');
    for (const value of [...TYPED, 'jo.typed']) assert.ok(!wire.includes(value), `the typed "${value}" never leaves the page`);
    assert.deepEqual(await p.errors(), []);
    await context.close();
  });

  test('submitted forms, with and without a <form> element (data-ff-form), are not abandoned; a repeated submit without input counts once', async () => {
    const { browser, collector } = get();
    serve(collector, '/forms/submit.html', page({ autocapture: { forms: true } }));
    serve(collector, '/forms/next.html', page({}));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/forms/submit.html');
    await p.waitForFunction(() => window.done, undefined, 20_000);
    await p.evaluate(() => {
      type('[name=description]', 'broken');
      document.querySelector('#quote').requestSubmit();
      document.querySelector('#quote').requestSubmit(); // again, no input since: one submission
      type('[data-ff-form=signup] [name=email]', 'x@example.com');
      document.querySelector('[data-ff-submit]').click();
    });
    assert.equal(await p.evaluate(() => window.submitted), true, "the page's own submit handler ran");
    await collector.waitFor((c) => c.events().filter((e) => e.event === 'form_submitted').length === 2, 10_000, 'two submits');
    await p.goto(collector.origin + '/forms/next.html');
    await collector.waitFor((c) => c.events().some((e) => e.type === 'page' && e.context.page.path === '/forms/next.html'), 10_000, 'the next page');
    await sleep(500);
    const events = collector.events().filter((e) => e.event?.startsWith('form_'));
    assert.deepEqual(
      events.map((e) => [e.event, e.properties.form]),
      [
        ['form_started', 'quote'],
        ['form_submitted', 'quote'],
        ['form_started', 'signup'],
        ['form_submitted', 'signup'],
      ],
    );
    assert.equal(events[3].properties.fields, 1);
    await context.close();
  });

  /** Leaves the form started (one field typed) and waits for form_started. */
  async function started(p, collector) {
    await collector.waitFor((c) => c.events().some((e) => e.event === 'form_started'), 10_000, 'form_started');
  }

  /** form_abandoned arrived once (a repeat only with the same messageId), naming the field. */
  function assertAbandoned(collector) {
    const abandoned = collector.events().filter((e) => e.event === 'form_abandoned');
    assert.equal(new Set(abandoned.map((e) => e.messageId)).size, 1, 'one abandonment (a repeat only with the same messageId)');
    assert.equal(abandoned[0].properties.last_field, 'name');
  }

  test('form_abandoned survives the tab closing itself (window.close())', async () => {
    const { browser, collector } = get();
    serve(collector, '/forms/close.html', page({ autocapture: { forms: true } }));
    serve(collector, '/forms/probe.html', { type: 'text/html; charset=utf-8', body: '<!doctype html><title>probe</title>' });
    const context = await browser.newContext();
    const probe = await context.newPage(collector.origin + '/forms/probe.html');
    await probe.evaluate(
      (u) =>
        new Promise((resolve, reject) => {
          window.popup = window.open(u);
          if (!window.popup) return reject(new Error('window.open was blocked'));
          const t = setInterval(() => window.popup.done && (clearInterval(t), resolve()), 20);
        }),
      collector.origin + '/forms/close.html',
    );
    await probe.evaluate(() => popup.type('[name=name]', 'x'));
    await started(probe, collector);
    await probe.evaluate(() => popup.eval('window.close()'));
    await collector.waitFor((c) => c.events().some((e) => e.event === 'form_abandoned'), 5000, 'form_abandoned');
    await sleep(300);
    assertAbandoned(collector);
    await context.close();
  });

  // Firefox cancels the script running in a tab it closes, often footfall's
  // pagehide listener before its first line: the page view then ends in the
  // visibilitychange that follows (before, 6 of 8 Firefox closes lost the
  // abandonment). When the cancel lands in the middle of footfall's unload
  // work, the abandonment is still lost (measured 2026-12-03: 1 of 59
  // closes; README, Forms): in Firefox, 2 of 3 closes must deliver, which
  // fails the old behaviour 84 times in 100 and the current one about once
  // in a thousand. Chromium and WebKit: every close.
  test('form_abandoned survives the browser closing the tab', async () => {
    const { browser, collector } = get();
    serve(collector, '/forms/close.html', page({ autocapture: { forms: true } }));
    const closes = engine === 'firefox' ? 3 : 1;
    const arrived = [];
    for (let i = 0; i < closes; i++) {
      collector.reset();
      const context = await browser.newContext();
      const p = await context.newPage(collector.origin + '/forms/close.html');
      await p.waitForFunction(() => window.done, undefined, 20_000);
      await p.evaluate(() => type('[name=name]', 'x'));
      await started(p, collector);
      await p.close();
      const ok = await collector.waitFor((c) => c.events().some((e) => e.event === 'form_abandoned'), 5000, 'form_abandoned').then(
        () => true,
        () => false,
      );
      await sleep(300);
      if (ok) assertAbandoned(collector);
      arrived.push(ok || collector.events().map((x) => x.event || x.type));
      await context.close();
    }
    const delivered = arrived.filter((a) => a === true).length;
    assert.ok(delivered >= Math.ceil((2 * closes) / 3), `form_abandoned after ${delivered} of ${closes} closes; otherwise arrived: ${JSON.stringify(arrived)}`);
  });
});
