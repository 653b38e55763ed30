// The side-by-side benchmark: footfall and other analytics SDKs, each served
// from 127.0.0.1 (gzip) to headless Chromium against a local collector, in
// one run, alternating SDKs from run to run. Prints a Markdown table of
// medians and writes bench/results/compare.json. Run: npm run bench
//
// Environment: RUNS (default 3), SDKS (comma-separated ids, default all),
// CHROMIUM (browser path). `node bench/run.mjs --table` prints the table of
// the last results again. The competitors' npm packages come from
// bench/package-lock.json (installed here on first use, never by npm test).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bench = dirname(fileURLToPath(import.meta.url));
const root = join(bench, '..');
const LOCK = '/tmp/footfall-browser.lock';

const RUNS = Number(process.env.RUNS || 3);
const BURSTS = [1000, 10_000];
const UNLOAD_EVENTS = 200;
const UNLOAD_WAIT_MS = 3000; // "delivered within a few seconds" of leaving
const SETTLE_QUIET_MS = 2000; // burst: done when the collector has been quiet this long
const SETTLE_MAX_MS = 10_000; // ... or this long after the burst's task
const BURST_10K_LIMIT_MS = 20_000; // skip the 10k burst when it would take longer
const IDLE_BEFORE_MS = 500; // page open this long before the events

/** Every SDK of the comparison; `entry` is what an app would import. */
const SDKS = [
  { id: 'footfall', label: 'footfall', suffix: ', automatic events off as for the others (build: attribution)' },
  // The build of an earlier commit, when bench/build-before.sh has made it:
  // the same options, for "before" and "now" from one run.
  ...(existsSync(join(bench, '.build/footfall-before/footfall.min.mjs'))
    ? [{ id: 'footfall-before', label: 'footfall', suffix: `, before the builds per option set (${readFileSync(join(bench, '.build/footfall-before/COMMIT'), 'utf8').trim()}, one build), automatic events off` }]
    : []),
  // footfall's payload and costs per option set: each loads its own build.
  { id: 'footfall-core', label: 'footfall', suffix: ', core options: autocapture and attribution off (build: core)', burstsOnly: true },
  { id: 'footfall-default', label: 'footfall', suffix: ', default options (build: signals-attribution)', burstsOnly: true },
  { id: 'footfall-all', label: 'footfall', suffix: ', every capability: defaults, dataLayer with ecommerce, errors, forms, web vitals, heatmap, an experiment (build: all nine)', burstsOnly: true },
  { id: 'snowplow', label: 'Snowplow', pkg: '@snowplow/browser-tracker', entry: `export { newTracker, trackSelfDescribingEvent } from '@snowplow/browser-tracker';` },
  { id: 'segment', label: 'Segment analytics-next', pkg: '@segment/analytics-next', entry: `export { AnalyticsBrowser } from '@segment/analytics-next';` },
  { id: 'rudderstack', label: 'RudderStack', pkg: '@rudderstack/analytics-js', entry: `export { RudderAnalytics } from '@rudderstack/analytics-js/bundled';` },
  { id: 'amplitude', label: 'Amplitude', pkg: '@amplitude/analytics-browser', entry: `export { init, track } from '@amplitude/analytics-browser';` },
  { id: 'posthog', label: 'PostHog', pkg: 'posthog-js', entry: `export { default } from 'posthog-js';` },
  { id: 'posthog-unlimited', label: 'PostHog', suffix: ', rate limit raised', pkg: 'posthog-js', bundle: 'posthog', burstsOnly: true },
  { id: 'floor', label: 'a bare loop: JSON.stringify + array push + one beacon' },
];
const wanted = process.env.SDKS ? process.env.SDKS.split(',').map((s) => s.trim()) : null;
const sdks = SDKS.filter((s) => !wanted || wanted.includes(s.id));

if (process.argv.includes('--table')) {
  // Prints the table of the last results again (for the README).
  console.log(table(JSON.parse(readFileSync(join(bench, 'results/compare.json'), 'utf8'))));
  process.exit(0);
}
if (!process.env.FOOTFALL_BENCH_LOCKED) {
  installCompetitors();
  await bundleCompetitors();
  // The browser work, one suite at a time on this machine (tests take the same lock).
  const r = spawnSync('flock', [LOCK, process.execPath, fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, FOOTFALL_BENCH_LOCKED: '1' },
  });
  process.exit(r.status ?? 1);
}
await measure();

/** `npm ci` in bench/ when its lock file changed since the last install. */
function installCompetitors() {
  const stamp = join(bench, 'node_modules/.footfall-bench-lock');
  const lock = join(bench, 'package-lock.json');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === readFileSync(lock, 'utf8')) return;
  console.log('bench: npm ci --prefix bench (the other SDKs, exact versions)');
  execFileSync('npm', ['ci', '--prefix', bench, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  copyFileSync(lock, stamp);
}

/** Each SDK as an app would ship it: bundled and minified by esbuild, code-split where the SDK imports lazily. */
async function bundleCompetitors() {
  const esbuild = await import('esbuild');
  const src = join(bench, '.build/src');
  mkdirSync(src, { recursive: true });
  const needed = new Set(sdks.map((s) => s.bundle ?? s.id));
  for (const sdk of SDKS.filter((s) => s.entry && needed.has(s.id))) {
    const entry = join(src, `${sdk.id}.js`);
    writeFileSync(entry, sdk.entry + '\n');
    const outdir = join(bench, '.build', sdk.id);
    rmSync(outdir, { recursive: true, force: true });
    await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      splitting: true,
      minify: true,
      platform: 'browser',
      legalComments: 'none',
      define: { 'process.env.NODE_ENV': '"production"' },
      outdir,
      entryNames: 'index',
      chunkNames: 'chunk-[hash]',
      logLevel: 'error',
    });
  }
}

async function measure() {
  const { launch, sleep } = await import('../tests/e2e/harness.mjs');
  const { startServer, SDK_PREFIXES } = await import('./lib/server.mjs');
  const server = await startServer(root);
  const browser = await launch();
  const samples = Object.fromEntries(sdks.map((s) => [s.id, []]));
  const problems = Object.fromEntries(sdks.map((s) => [s.id, { external: new Set(), errors: new Set() }]));
  const started = Date.now();
  const loadBefore = loadavg();
  let seq = 0;
  let chromium = '';
  let current = null; // the context of the scenario running

  async function open(sdk, scenario) {
    const run = `${sdk.id}-${scenario}-${++seq}`;
    const context = await browser.newContext();
    current = context;
    const page = await context.newPage();
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(server.origin) && !/^(data|blob):/.test(u)) problems[sdk.id].external.add(u);
    });
    page.on('pageerror', (e) => problems[sdk.id].errors.add(String(e).slice(0, 300)));
    await page.goto(`${server.origin}/bench/pages/compare.html?sdk=${sdk.id}&run=${run}`);
    await page.waitForFunction(() => window.bench || window.benchError, null, { timeout: 30_000 });
    const error = await page.evaluate(() => window.benchError);
    if (error) throw new Error(`${sdk.id} did not start: ${error}`);
    await sleep(IDLE_BEFORE_MS);
    return { run, context, page };
  }

  /** Waits until `n` events arrived, or the collector went quiet, or the limit. */
  async function settle(run, n, t0) {
    for (;;) {
      const r = server.run(run);
      const now = Date.now();
      if (r.events.size >= n) return;
      if (r.requests > 0 && now - r.last > SETTLE_QUIET_MS) return;
      if (now - t0 > SETTLE_MAX_MS) return;
      await sleep(50);
    }
  }

  async function waitDelivered(run, n, ms) {
    const end = Date.now() + ms;
    while (Date.now() < end && server.run(run).events.size < n) await sleep(50);
    return server.run(run).events.size;
  }

  /** Events received more than once (same `i`) by one scenario. */
  const duplicates = (run) => [...server.run(run).events.values()].reduce((sum, c) => sum + c - 1, 0);

  const metrics = async (cdp) => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const get = (name) => (metrics.find((m) => m.name === name)?.value ?? 0) * 1000;
    return { task: get('TaskDuration'), script: get('ScriptDuration') };
  };

  /** The 1k burst: per-call cost, busy time, TBT, bytes loaded, bytes per event on the wire. */
  async function burst1k(sdk) {
    const { run, context, page } = await open(sdk, 'burst1k');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const m0 = await metrics(cdp);
    const t0 = Date.now();
    const r = await page.evaluate((n) => burst(n), BURSTS[0]);
    // The window for deferred work starts when the page answers again (an
    // SDK's microtasks can hold the burst's task for seconds).
    await settle(run, BURSTS[0], Date.now());
    const m1 = await metrics(cdp);
    const { tbt, resources } = await page.evaluate((t0) => ({
      tbt: longTasks.filter(([s, d]) => s + d >= t0).reduce((sum, [, d]) => sum + Math.max(0, d - 50), 0),
      resources: [...new Set(performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname))],
    }), r.t0);
    const files = resources.filter((p) => SDK_PREFIXES.some((prefix) => p.startsWith(prefix))).sort();
    const size = { gzip: 0, brotli: 0, raw: 0 };
    for (const f of files) {
      const s = await server.sizes(f);
      for (const k of Object.keys(size)) size[k] += s[k];
    }
    const got = server.run(run);
    await context.close();
    return {
      files,
      gzipBytes: size.gzip,
      brotliBytes: size.brotli,
      rawBytes: size.raw,
      readyMs: r.readyMs,
      usPerTrack1k: (r.ms * 1000) / BURSTS[0],
      busyTaskMs: m1.task - m0.task,
      busyScriptMs: m1.script - m0.script,
      tbtMs: tbt,
      burstDelivered: got.events.size,
      burstDuplicates: duplicates(run),
      burstRequests: got.requests,
      wireBytesPerEvent: got.events.size ? got.bytes / got.events.size : null,
      burstWindowMs: Date.now() - t0,
    };
  }

  async function burst10k(sdk, first) {
    // Skipped when ten times the 1k burst's cost (its calls, or its long
    // tasks, which include the microtasks an SDK queues) would take too long:
    // some SDKs' deferred work grows with the square of the queue and would
    // take minutes, or crash the tab (Snowplow does at 6,000 events).
    const estimate = 10 * Math.max((first.usPerTrack1k * BURSTS[0]) / 1000, first.tbtMs);
    if (!(estimate <= BURST_10K_LIMIT_MS)) return { usPerTrack10k: null, burst10kSkipped: `estimated ${Math.round(estimate / 1000)} s` };
    const { context, page } = await open(sdk, 'burst10k');
    const { ms, t0 } = await page.evaluate((n) => burst(n), BURSTS[1]);
    // Total blocking time from the burst on (its own task included, as for
    // the 1k burst), after the deferred work had 2 s to run.
    await sleep(2000);
    const tbt = await page.evaluate((t0) => longTasks.filter(([s, d]) => s + d >= t0).reduce((sum, [, d]) => sum + Math.max(0, d - 50), 0), t0);
    await context.close();
    return { usPerTrack10k: (ms * 1000) / BURSTS[1], tbt10kMs: tbt };
  }

  /** 200 events, then the page navigates to a page without any SDK at once. */
  async function navigateAway(sdk) {
    const { run, context, page } = await open(sdk, 'navigate');
    await page.evaluate((n) => {
      for (let i = 0; i < n; i++) bench.track(i);
      location.href = '/bench/pages/blank.html';
    }, UNLOAD_EVENTS);
    await page.waitForURL('**/blank.html');
    const delivered = await waitDelivered(run, UNLOAD_EVENTS, UNLOAD_WAIT_MS);
    await context.close();
    return { navigateDelivered: delivered, navigateDuplicates: duplicates(run) };
  }

  /** 200 events, then the tab is closed. */
  async function closeTab(sdk) {
    const { run, context, page } = await open(sdk, 'close');
    await page.evaluate((n) => {
      for (let i = 0; i < n; i++) bench.track(i);
    }, UNLOAD_EVENTS);
    await page.close();
    const delivered = await waitDelivered(run, UNLOAD_EVENTS, UNLOAD_WAIT_MS);
    await context.close();
    return { closeDelivered: delivered, closeDuplicates: duplicates(run) };
  }

  try {
    for (let r = 0; r < RUNS; r++) {
      const order = sdks.map((_, k) => sdks[(k + r) % sdks.length]);
      console.log(`run ${r + 1}/${RUNS}: ${order.map((s) => s.id).join(' ')}`);
      for (const sdk of order) {
        const t = Date.now();
        const failures = [];
        // A scenario that fails (an SDK's page crashing, say) is recorded, not fatal.
        const attempt = async (name, f) => {
          try {
            return await f();
          } catch (e) {
            failures.push(`${name}: ${String(e.message ?? e).split('\n')[0]}`);
            problems[sdk.id].errors.add(`${name}: ${String(e.message ?? e).split('\n')[0]}`);
            await current?.close().catch(() => {});
            return {};
          }
        };
        const a = await attempt('1k burst', () => burst1k(sdk));
        const b = await attempt('10k burst', () => burst10k(sdk, a));
        const c = sdk.burstsOnly ? {} : await attempt('navigate', () => navigateAway(sdk));
        const d = sdk.burstsOnly ? {} : await attempt('close', () => closeTab(sdk));
        const sample = { run: r + 1, ...a, ...b, ...c, ...d, failures };
        samples[sdk.id].push(sample);
        console.log(
          `  ${sdk.id.padEnd(12)} ${((Date.now() - t) / 1000).toFixed(1).padStart(5)} s: ` +
            `${fmt(sample.usPerTrack1k)} µs/track, busy ${fmt(sample.busyTaskMs)} ms, ` +
            `delivered ${sample.burstDelivered}/${BURSTS[0]}, navigate ${sample.navigateDelivered ?? '—'}, close ${sample.closeDelivered ?? '—'}`,
        );
      }
    }
  } finally {
    chromium = browser.version();
    await browser.close();
    await server.close();
  }

  const results = {
    date: new Date().toISOString().slice(0, 10),
    machine: { nproc: nproc(), cpu: cpuModel(), chromium: `headless Chromium ${chromium}` },
    command: 'npm run bench',
    runs: RUNS,
    loadAverage: { before: loadBefore, after: loadavg() },
    durationS: Math.round((Date.now() - started) / 1000),
    settings: { bursts: BURSTS, unloadEvents: UNLOAD_EVENTS, unloadWaitMs: UNLOAD_WAIT_MS, settleQuietMs: SETTLE_QUIET_MS, settleMaxMs: SETTLE_MAX_MS, burst10kLimitMs: BURST_10K_LIMIT_MS },
    sdks: sdks.map((sdk) => ({
      id: sdk.id,
      label: sdk.label,
      suffix: sdk.suffix,
      package: sdk.pkg ?? (sdk.id === 'footfall-before' ? 'footfall (bench/.build/footfall-before/)' : sdk.id.startsWith('footfall') ? 'footfall (dist/)' : null),
      version: version(sdk),
      summary: summarize(samples[sdk.id]),
      externalRequests: [...problems[sdk.id].external],
      pageErrors: [...problems[sdk.id].errors],
      samples: samples[sdk.id],
    })),
  };
  mkdirSync(join(bench, 'results'), { recursive: true });
  writeFileSync(join(bench, 'results/compare.json'), JSON.stringify(results, round, 2) + '\n');
  console.log('\n' + table(results));
  for (const s of results.sdks) {
    if (s.externalRequests.length) console.log(`warning: ${s.id} tried to reach ${s.externalRequests.join(', ')}`);
    if (s.pageErrors.length) console.log(`warning: ${s.id} page errors: ${s.pageErrors.join(' | ')}`);
  }
  console.log('wrote bench/results/compare.json');
}

function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

function summarize(samples) {
  const keys = ['gzipBytes', 'brotliBytes', 'readyMs', 'usPerTrack1k', 'usPerTrack10k', 'busyTaskMs', 'busyScriptMs', 'tbtMs', 'tbt10kMs', 'wireBytesPerEvent', 'burstDelivered', 'navigateDelivered', 'closeDelivered'];
  const out = {};
  for (const k of keys) out[k] = median(samples.map((s) => s[k]));
  for (const k of ['burstDelivered', 'navigateDelivered', 'closeDelivered']) {
    const v = samples.map((s) => s[k]).filter((x) => typeof x === 'number');
    out[k + 'Range'] = v.length ? [Math.min(...v), Math.max(...v)] : null;
  }
  return out;
}

function round(k, v) {
  return typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 100) / 100 : v;
}

function fmt(x, digits) {
  if (x === null || x === undefined) return '—';
  const d = digits ?? (x >= 100 ? 0 : x >= 10 ? 1 : 2);
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

function kib(n) {
  return n ? (n / 1024).toFixed(1) : '0';
}

function count(median, range) {
  if (median === null || !range) return '—';
  const [lo, hi] = range;
  return lo === hi ? `${median}` : `${Math.round(median)} (${lo}-${hi})`;
}

function table(results) {
  const head = [
    'SDK', 'gzip KiB', 'brotli KiB', 'ready ms', 'µs/track 1k', 'µs/track 10k', 'busy 1k burst ms (task / script)',
    'TBT 1k burst ms', 'TBT 10k burst ms', 'wire bytes/event', 'delivered of 1k', `${UNLOAD_EVENTS} then navigate`, `${UNLOAD_EVENTS} then tab closed`,
  ];
  const rows = results.sdks.map((s) => {
    const m = s.summary;
    const name = (s.version ? `${s.label} ${s.version}` : s.label) + (s.suffix ?? '');
    return [
      name, kib(m.gzipBytes), kib(m.brotliBytes), fmt(m.readyMs, 0), fmt(m.usPerTrack1k), fmt(m.usPerTrack10k),
      `${fmt(m.busyTaskMs, 0)} / ${fmt(m.busyScriptMs, 0)}`, fmt(m.tbtMs, 0), fmt(m.tbt10kMs, 0), fmt(m.wireBytesPerEvent, 0),
      count(m.burstDelivered, m.burstDeliveredRange), count(m.navigateDelivered, m.navigateDeliveredRange), count(m.closeDelivered, m.closeDeliveredRange),
    ];
  });
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [
    line(head),
    line(head.map((_, k) => (k === 0 ? '---' : '---:'))),
    ...rows.map(line),
    '',
    `Median of ${results.runs} runs, ${results.date}, ${results.machine.nproc} cores (${results.machine.cpu}), ` +
      `${results.machine.chromium}; command: \`${results.command}\`.`,
  ].join('\n');
}

function version(sdk) {
  if (sdk.id === 'floor') return null;
  const pkg = sdk.pkg ? join(bench, 'node_modules', sdk.pkg, 'package.json') : join(root, 'package.json');
  return JSON.parse(readFileSync(pkg, 'utf8')).version;
}

function nproc() {
  try {
    return Number(execFileSync('nproc').toString().trim());
  } catch {
    return cpus().length;
  }
}

function cpuModel() {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {}
  return cpus()[0]?.model ?? 'unknown CPU';
}
