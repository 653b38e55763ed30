// Fails when what the script-tag path loads from footfall (loader with the
// glue, and the wasm: target/size.json's total, written by
// scripts/build.mjs) exceeds the budget in size-budget.json.
import { readFileSync } from 'node:fs';

const budget = JSON.parse(readFileSync('size-budget.json', 'utf8')).gzipBytes;
const size = JSON.parse(readFileSync('target/size.json', 'utf8')).total.gzip;
const line = `size: ${size} bytes gzip, budget ${budget} (${((100 * size) / budget).toFixed(1)}%)`;
if (size > budget) {
  console.error(`${line}: over budget. Find the bytes with twiggy (see docs/ARCHITECTURE.md), or raise the budget with a measured reason.`);
  process.exit(1);
}
console.log(line);
