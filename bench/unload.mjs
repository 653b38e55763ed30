// The unload benchmark (not a test): for each engine and each way a page
// goes away, RUNS runs (default 10) of 200 events tracked right before the
// close. Reports, summed over the runs: events delivered within 5 s of the
// close, delivered after the visitor comes back, sent twice, and left in
// storage although the collector had acknowledged them; and in how many runs
// the browser ended the page's unload work midway.
//
//   npm run bench:unload                       # every engine, 10 runs each
//   RUNS=20 ENGINES=firefox node bench/unload.mjs
//
// Writes bench/results/unload.json and prints the README's table.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCollector } from '../tests/e2e/harness.mjs';
import { launchEngine } from '../tests/e2e/engines.mjs';
import { closeRun, CLOSE_MODES } from '../tests/e2e/unload-run.mjs';

const RUNS = Number(process.env.RUNS || 10);
const ENGINES = (process.env.ENGINES || 'chromium,firefox,webkit').split(',');
const SCENARIOS = [
  ...CLOSE_MODES.map((mode) => ({ name: mode, mode })),
  { name: 'driver close, collector answering after 400 ms', mode: 'driver close', answer: { status: 200, delayMs: 400 } },
  { name: "window.close(), compression: 'gzip'", mode: 'window.close()', options: { compression: 'gzip' } },
];

const results = [];
const collector = await startCollector();
for (const engine of ENGINES) {
  const browser = await launchEngine(engine);
  const version = await browserVersion(browser, collector);
  for (const s of SCENARIOS) {
    const row = { engine, version, scenario: s.name, runs: RUNS, tracked: 0, within5s: 0, afterRevisit: 0, twice: 0, ackedStored: 0, endedMidway: 0, runsClean: 0 };
    for (let i = 0; i < RUNS; i++) {
      const r = await closeRun(browser, collector, s);
      row.tracked += r.tracked;
      row.within5s += r.within5s;
      row.afterRevisit += r.afterRevisit;
      row.twice += r.twice;
      row.ackedStored += r.ackedStored;
      row.endedMidway += r.endedMidway ? 1 : 0;
      row.runsClean += r.within5s === r.tracked && r.twice === 0 && r.stored === 0 ? 1 : 0;
    }
    results.push(row);
    console.error(JSON.stringify(row));
  }
  await browser.close();
}
await collector.close();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/unload.json'), JSON.stringify({ date: new Date().toISOString(), results }, null, 2) + '\n');

console.log('| engine | close | runs | delivered within 5 s | delivered after a revisit | sent twice | acknowledged left stored | unload ended midway |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.engine} ${r.version} | ${r.scenario} | ${r.runs} | ${r.within5s}/${r.tracked} | ${r.afterRevisit}/${r.tracked} | ${r.twice} | ${r.ackedStored} | ${r.endedMidway} |`);
}
process.exit(0);

/** The engine's version: WebKitGTK's package, or the user agent's. */
async function browserVersion(browser, collector) {
  if (browser.name === 'webkit') {
    try {
      const { execFileSync } = await import('node:child_process');
      return execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'libwebkit2gtk-4.1-0']).toString().split('-')[0];
    } catch {}
  }
  const context = await browser.newContext();
  const page = await context.newPage(collector.origin + '/tests/e2e/pages/blank.html');
  const ua = await page.evaluate(() => navigator.userAgent);
  await context.close();
  return (/(?:Chrome|Firefox|Version)\/(\d+(?:\.\d+)?)/.exec(ua) ?? [])[1] ?? '';
}
