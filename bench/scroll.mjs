// Scroll benchmark (not a test): scrolls a long page continuously for 5 s in
// headless Chromium with footfall's default signals on, and reports
// - long tasks (> 50 ms) during the scroll, and the longest single footfall
//   callback (a long task attributable to footfall would need one > 50 ms);
// - footfall's main-thread time per frame: every footfall listener and
//   animation-frame callback is timed with performance.now() by the page
//   (bench/pages/scroll.html), summed, and divided by the frames drawn.
// Writes bench/results/scroll.json. Run: npm run bench:scroll
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { startCollector, launch, sleep, root } from '../tests/e2e/harness.mjs';

const RUNS = Number(process.env.RUNS || 5);
const SECONDS = Number(process.env.SECONDS || 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const collector = await startCollector();
// Cross-origin isolated, so performance.now() has 5 µs resolution (100 µs
// otherwise, too coarse for a per-callback timing).
collector.routes.set('/bench/pages/scroll.html', (req, res) => {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  });
  res.end(readFileSync(`${root}/bench/pages/scroll.html`));
});
const browser = await launch();
const runs = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(`${collector.origin}/bench/pages/scroll.html`);
    await page.waitForFunction(() => window.ready);
    if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error('the bench page must be cross-origin isolated');
    await sleep(300);
    const r = await page.evaluate(async (seconds) => {
      const longTasks = [];
      const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
      observer.observe({ type: 'longtask' });
      window.__ff.calls.length = 0;
      const docH = document.documentElement.scrollHeight;
      let frames = 0;
      let direction = 1;
      const t0 = performance.now();
      await new Promise((resolve) => {
        const step = () => {
          frames++;
          // 40 px per frame (2400 px/s at 60 fps): a brisk, continuous scroll.
          if (scrollY + innerHeight >= docH - 1) direction = -1;
          if (scrollY <= 0) direction = 1;
          window.scrollBy(0, 40 * direction);
          if (performance.now() - t0 < seconds * 1000) window.__raf(step);
          else resolve();
        };
        window.__raf(step);
      });
      const elapsed = performance.now() - t0;
      await new Promise((r) => setTimeout(r, 100));
      observer.disconnect();
      const calls = window.__ff.calls;
      const byType = {};
      for (const [type, , ms] of calls) {
        byType[type] ??= { count: 0, ms: 0 };
        byType[type].count++;
        byType[type].ms += ms;
      }
      // Footfall's callbacks (the control, and requestAnimationFrame calls
      // already inside a callback's time, are not added).
      const own = calls.filter((c) => c[0] !== 'control' && !c[0].startsWith('('));
      const total = own.reduce((n, c) => n + c[2], 0);
      return {
        frames, elapsed, docH, byType, totalMs: total,
        maxCallMs: own.reduce((m, c) => Math.max(m, c[2]), 0),
        longTasks, scrollDepth: ff.stats(),
      };
    }, SECONDS);
    runs.push(r);
    await context.close();
  }
} finally {
  await browser.close();
  await collector.close();
}

const perFrameUs = runs.map((r) => (r.totalMs * 1000) / r.frames);
const summary = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, headless Chromium (Debian)`,
  runs: RUNS,
  seconds: SECONDS,
  framesPerRun: median(runs.map((r) => r.frames)),
  usPerFrame: +median(perFrameUs).toFixed(1),
  usPerFrameMax: +Math.max(...perFrameUs).toFixed(1),
  longestFootfallCallbackMs: +Math.max(...runs.map((r) => r.maxCallMs)).toFixed(2),
  longTasks: runs.reduce((n, r) => n + r.longTasks.length, 0),
};
mkdirSync(`${root}/bench/results`, { recursive: true });
writeFileSync(`${root}/bench/results/scroll.json`, JSON.stringify({ summary, runs }, null, 2) + '\n');
console.log(`| frames in ${SECONDS} s | footfall µs per frame (median / worst run) | longest footfall callback | long tasks (> 50 ms) |
|---|---|---|---|
| ${summary.framesPerRun} | ${summary.usPerFrame} / ${summary.usPerFrameMax} | ${summary.longestFootfallCallbackMs} ms | ${summary.longTasks} in ${RUNS} runs |
(${RUNS} runs of ${SECONDS} s, ${summary.machine}, ${summary.date})`);
for (const [type, v] of Object.entries(runs[0].byType)) console.log(`  run 1: ${type}: ${v.count} calls, ${(v.ms * 1000 / v.count).toFixed(1)} µs each`);
