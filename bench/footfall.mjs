// footfall's own benchmark: size of what a page loads, time to ready, and
// main-thread cost of trackEvent in headless Chromium. Prints a table and
// writes bench/results/footfall.json. Run: npm run bench:footfall
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { startCollector, launch, sleep, root, serve } from '../tests/e2e/harness.mjs';
import { buildFor } from '../src/js/builds.js';

const OPTIONS = { maxQueueEvents: 10_000, autocapture: false };

const RUNS = Number(process.env.RUNS || 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const collector = await startCollector();
const browser = await launch();
const results = { burst1k: [], burst10k: [], busy10k: [], readyMs: [], scriptReadyMs: [] };
// The script-tag path: the README's snippet and async loader; ready is when
// footfall.ready's callback runs, timed from the script after the loader's tag.
serve(collector, '/bench/scripttag.html', {
  type: 'text/html; charset=utf-8',
  body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>footfall bench</title></head><body>
<script>${readFileSync(`${root}/dist/footfall.snippet.min.js`, 'utf8')}</script>
<script async src="/dist/footfall.js" data-endpoint="/collect" data-options='${JSON.stringify(OPTIONS)}'></script>
<script>const t0 = performance.now(); footfall.ready(() => { window.readyMs = performance.now() - t0; });</script>
</body></html>`,
});
try {
  for (let run = 0; run < RUNS; run++) {
    for (const [n, key] of [[1000, 'burst1k'], [10_000, 'burst10k']]) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const opts = encodeURIComponent(JSON.stringify(OPTIONS));
      await page.goto(`${collector.origin}/bench/pages/footfall.html?opts=${opts}`);
      await page.waitForFunction(() => window.ff);
      await sleep(50);
      const r = await page.evaluate(async (n) => {
        const t0 = performance.now();
        for (let i = 0; i < n; i++) ff.trackEvent('bench_event', { i, label: 'item ' + i, price: 129.5 });
        const t1 = performance.now();
        await new Promise((r) => setTimeout(r, 0)); // deferred work (storage, first sends)
        const t2 = performance.now();
        return { syncMs: t1 - t0, busyMs: t2 - t0, readyMs: window.readyMs };
      }, n);
      results[key].push((r.syncMs * 1000) / n);
      if (n === 10_000) results.busy10k.push(r.busyMs);
      if (n === 1000) results.readyMs.push(r.readyMs);
      await context.close();
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${collector.origin}/bench/scripttag.html`);
    results.scriptReadyMs.push(await page.waitForFunction(() => window.readyMs).then((h) => h.jsonValue()));
    await context.close();
  }
} finally {
  await browser.close();
  await collector.close();
}

// What the ES module entry loads for these options: entry, glue and wasm.
const size = JSON.parse(readFileSync(`${root}/target/size.json`, 'utf8')).builds[buildFor(OPTIONS)].npm;
const summary = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, headless Chromium (Debian)`,
  runs: RUNS,
  gzipBytes: size.total.gzip,
  brotliBytes: size.total.brotli,
  usPerTrack1k: +median(results.burst1k).toFixed(2),
  usPerTrack10k: +median(results.burst10k).toFixed(2),
  burst10kBusyMs: +median(results.busy10k).toFixed(1),
  timeToReadyMs: +median(results.readyMs).toFixed(1),
  scriptTagReadyMs: +median(results.scriptReadyMs).toFixed(1),
};
mkdirSync(`${root}/bench/results`, { recursive: true });
writeFileSync(`${root}/bench/results/footfall.json`, JSON.stringify({ summary, samples: results }, null, 2) + '\n');
const kb = (n) => (n / 1024).toFixed(1);
console.log(`| gzip KiB | brotli KiB | µs/trackEvent (1k burst) | µs/trackEvent (10k burst) | 10k burst incl. deferred work | time to ready, ES module / script tag |
|---|---|---|---|---|---|
| ${kb(summary.gzipBytes)} | ${kb(summary.brotliBytes)} | ${summary.usPerTrack1k} | ${summary.usPerTrack10k} | ${summary.burst10kBusyMs} ms | ${summary.timeToReadyMs} / ${summary.scriptTagReadyMs} ms |
(median of ${RUNS} runs, ${summary.machine}, ${summary.date})`);
