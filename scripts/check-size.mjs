// Fails when what the script-tag path loads from footfall for an option set
// of size-budget.json (the loader, and the glue and wasm of the build those
// options choose: target/size.json, written by scripts/build.mjs) exceeds
// that set's budget.
import { readFileSync } from 'node:fs';
import { buildFor } from '../src/js/builds.js';

const { optionSets } = JSON.parse(readFileSync('size-budget.json', 'utf8'));
const { builds } = JSON.parse(readFileSync('target/size.json', 'utf8'));
let over = false;
for (const [label, { options, gzipBytes }] of Object.entries(optionSets)) {
  const build = buildFor(options);
  const size = builds[build].script.total.gzip;
  const line = `size, ${label} options (build ${build}): ${size} bytes gzip, budget ${gzipBytes} (${((100 * size) / gzipBytes).toFixed(1)}%)`;
  if (size > gzipBytes) {
    console.error(`${line}: over budget. Find the bytes with twiggy (see docs/ARCHITECTURE.md), or raise the budget with a measured reason.`);
    over = true;
  } else console.log(line);
}
if (over) process.exit(1);
