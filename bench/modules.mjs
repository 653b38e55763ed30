// Main-thread cost of the optional modules (benchmark, not a test): a page
// (bench/pages/modules.html) times every footfall callback; headless
// Chromium clicks it 40 times for real (20 on a button, 20 on plain text,
// 150 ms apart), then types 10 keys into each of a form's three text fields,
// with the default options, with `autocapture.heatmap`, with
// `autocapture.webVitals`, with `autocapture.forms` and with an experiment
// on a page that re-renders 20 of its 1,000 list items per click on the
// button (footfall's observer of late variant elements). Reports per mode
// (median of RUNS runs): init time, footfall's callback time per click and
// per key, and the time in its PerformanceObserver / MutationObserver
// callbacks over the clicks.
// Writes bench/results/modules.json. Run: npm run bench:modules
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { startCollector, launch, sleep, root } from '../tests/e2e/harness.mjs';

const RUNS = Number(process.env.RUNS || 5);
const CLICKS = 20;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const MODES = { default: [], heatmap: ['heatmap'], webVitals: ['webVitals'], forms: ['forms'], experiments: ['experiments'] };
const FIELDS = ['#quote [name=name]', '#quote [name=email]', '#quote [name=description]'];
const KEYS = 'abcdefghij';

const collector = await startCollector();
collector.routes.set('/bench/pages/modules.html', (req, res) => {
  // Cross-origin isolated: performance.now() at 5 µs resolution.
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  res.end(readFileSync(`${root}/bench/pages/modules.html`));
});
const browser = await launch();
const results = {};
try {
  for (const [mode, modules] of Object.entries(MODES)) {
    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      const page = await context.newPage();
      const query = modules.map((m) => 'm=' + m).join('&');
      await page.goto(`${collector.origin}/bench/pages/modules.html?${query}`);
      await page.waitForFunction(() => window.ready);
      await sleep(300);
      const init = await page.evaluate(() => window.__ff.init);
      await page.evaluate(() => (window.__ff.calls.length = 0));
      for (let i = 0; i < CLICKS; i++) {
        for (const selector of ['#buy', '#text']) {
          await page.click(selector);
          await sleep(150);
        }
      }
      await sleep(1_500); // the last dead-click watch ends
      const calls = await page.evaluate(() => window.__ff.calls.splice(0));
      const total = (filter, list = calls) => list.filter(filter).reduce((sum, [, , ms]) => sum + ms, 0);
      for (const field of FIELDS) await page.type(field, KEYS, { delay: 30 });
      await sleep(300);
      const typing = await page.evaluate(() => window.__ff.calls.splice(0));
      runs.push({
        init,
        perClickUs: (total(() => true) / (2 * CLICKS)) * 1000,
        perKeyUs: (total(() => true, typing) / (FIELDS.length * KEYS.length)) * 1000,
        typingListenersUs: (total(([label]) => !['setTimeout', 'requestAnimationFrame'].includes(label), typing) / (FIELDS.length * KEYS.length)) * 1000,
        observersMs: total(([label]) => label === 'PerformanceObserver' || label === 'MutationObserver'),
        longestMs: Math.max(0, ...calls.map(([, , ms]) => ms)),
      });
      await context.close();
    }
    results[mode] = Object.fromEntries(Object.keys(runs[0]).map((k) => [k, Math.round(median(runs.map((r) => r[k])) * 100) / 100]));
  }
} finally {
  await browser.close();
  await collector.close();
}
const base = results.default;
for (const mode of Object.keys(MODES)) {
  const r = results[mode];
  r.addedPerClickUs = Math.round((r.perClickUs - base.perClickUs) * 100) / 100;
  r.addedPerKeyUs = Math.round((r.perKeyUs - base.perKeyUs) * 100) / 100;
  r.addedInitMs = Math.round((r.init - base.init) * 100) / 100;
}
mkdirSync(`${root}/bench/results`, { recursive: true });
writeFileSync(`${root}/bench/results/modules.json`, JSON.stringify({ date: new Date().toISOString(), runs: RUNS, clicks: 2 * CLICKS, results }, null, 2) + '\n');
console.log('mode        init ms  µs/click  added µs/click  µs/key  added µs/key  observers ms  longest ms');
for (const [mode, r] of Object.entries(results)) {
  console.log(`${mode.padEnd(11)} ${String(r.init).padStart(7)}  ${String(r.perClickUs).padStart(8)}  ${String(r.addedPerClickUs).padStart(14)}  ${String(r.perKeyUs).padStart(6)}  ${String(r.addedPerKeyUs).padStart(12)}  ${String(r.observersMs).padStart(12)}  ${String(r.longestMs).padStart(10)}`);
}
