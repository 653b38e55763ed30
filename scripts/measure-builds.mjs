// Measures the wasm of each feature set (no features, each capability
// alone, the default) the way scripts/build.mjs makes dist/footfall_bg.wasm:
// cargo release build, wasm-bindgen, import/export names minified, then
// wasm-opt -Oz. Prints raw, gzip (level 9) and brotli bytes. The glue is not
// rewritten here (build.mjs does that for the default build): only the wasm
// is measured. Usage: node scripts/measure-builds.mjs [feature sets...],
// a set being "" (none) or comma-separated features.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

/** Raw, gzip (level 9) and brotli (quality 11) bytes, as build.mjs counts them. */
const compressedSizes = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const sets = process.argv.length > 2 ? process.argv.slice(2) : ['', 'signals', 'attribution', 'datalayer', 'signals,attribution,datalayer'];
const rows = [];
for (const set of sets) {
  run('cargo', ['build', '--quiet', '--release', '--target', 'wasm32-unknown-unknown', '--no-default-features', ...(set ? ['--features', set] : [])]);
  const out = mkdtempSync(join(tmpdir(), 'footfall-measure-'));
  try {
    run('wasm-bindgen', ['--target', 'web', '--encode-into', 'always', '--out-dir', out, '--out-name', 'footfall', 'target/wasm32-unknown-unknown/release/footfall.wasm']);
    const wasm = join(out, 'footfall_bg.wasm');
    run('node_modules/.bin/wasm-opt', ['--minify-imports-and-exports-and-modules', wasm, '-o', wasm]);
    run('node_modules/.bin/wasm-opt', ['-Oz', '--converge', '--low-memory-unused', '--strip-debug', '--strip-producers', wasm, '-o', wasm]);
    rows.push({ features: set || '(none)', ...compressedSizes(readFileSync(wasm)) });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
console.table(rows);
