// Builds the browser artefacts:
//   pkg/  wasm-bindgen output (ES module glue, .d.ts, wasm), wasm-opt -Oz
// and prints the gzip/brotli size of what a page loads.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

run('cargo', ['build', '--quiet', '--release', '--target', 'wasm32-unknown-unknown']);
const raw = 'target/wasm32-unknown-unknown/release/footfall.wasm';
const wasm = 'pkg/footfall_bg.wasm';
if (mtime(raw) > mtime(wasm) || mtime(fileURLToPath(import.meta.url)) > mtime(wasm)) {
  run('wasm-bindgen', ['--target', 'web', '--encode-into', 'always', '--out-dir', 'pkg', '--out-name', 'footfall', raw]);
  minifyNames(wasm, 'pkg/footfall.js');
  run('node_modules/.bin/wasm-opt', ['-Oz', '--converge', '--low-memory-unused', '--strip-debug', '--strip-producers', wasm, '-o', wasm]);
}

/**
 * Shortens the wasm's import, export and module names (binaryen prints the
 * mapping) and rewrites the glue to match: wasm-bindgen's names carry a
 * 16-digit hash each, about 2.5 KB that compress poorly.
 */
function minifyNames(wasmPath, gluePath) {
  const out = execFileSync('node_modules/.bin/wasm-opt', ['--minify-imports-and-exports-and-modules', wasmPath, '-o', wasmPath]);
  const text = out.toString();
  const map = JSON.parse(text.slice(text.indexOf('{')));
  let glue = readFileSync(gluePath, 'utf8');
  // The glue's import object: `"<module>": importN,` per module; import0 (the
  // glue's own functions) is defined inline, others are snippet modules.
  const objects = new Map([...glue.matchAll(/^\s+"([^"]+)": (import\d+),?$/gm)].map((m) => [m[1], m[2]]));
  if (!objects.size) throw new Error('no import object found in the glue');
  const main = [...objects].find(([, v]) => v === 'import0')?.[0];
  const mainImports = new Map();
  const extra = [];
  for (const [module, name, short] of map.imports) {
    if (!objects.has(module)) throw new Error(`no import object for ${module}`);
    if (module === main) mainImports.set(name, short);
    else extra.push(`${short}: ${objects.get(module)}[${JSON.stringify(name)}]`);
  }
  const exports = new Map(map.exports.map(([name, short]) => [name, short]));
  // import0's keys: `    name: function(`.
  glue = glue.replace(/^(\s+)(\w+)(: function)/gm, (m, indent, name, rest) => (mainImports.has(name) ? indent + mainImports.get(name) + rest : m));
  // binaryen puts every import in module "a": one object for all.
  const merged = extra.length ? `Object.assign(import0, { ${extra.join(', ')} })` : 'import0';
  glue = glue.replace(/^(\s+)"[^"]+": import\d+,?\n(?:\s+"[^"]+": import\d+,?\n)*/m, (m, indent) => `${indent}"a": ${merged},\n`);
  // Export uses: `wasm.name`.
  glue = glue.replace(/\bwasm\.(\w+)/g, (m, name) => (exports.has(name) ? 'wasm.' + exports.get(name) : m));
  const unmapped = [...mainImports.keys()].filter((n) => glue.includes(n + ': function'));
  if (unmapped.length) throw new Error('imports left unrenamed: ' + unmapped.join(', '));
  writeFileSync(gluePath, glue);
}

// dist/: the ES module entry bundled with the glue and minified, and the
// wasm beside it: what a page that loads footfall from a CDN fetches.
mkdirSync('dist', { recursive: true });
run('node_modules/.bin/esbuild', [
  'src/js/index.js', '--bundle', '--format=esm', '--minify', '--log-level=warning', '--outfile=dist/footfall.min.mjs',
]);
copyFileSync(wasm, 'dist/footfall_bg.wasm');

/** Gzip (level 9) and brotli (max quality) sizes of a buffer. */
export function compressedSizes(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

const files = { wasm: 'dist/footfall_bg.wasm', js: 'dist/footfall.min.mjs' };
const sizes = {};
const total = { raw: 0, gzip: 0, brotli: 0 };
for (const [name, path] of Object.entries(files)) {
  sizes[name] = compressedSizes(readFileSync(path));
  for (const k of Object.keys(total)) total[k] += sizes[name][k];
}
sizes.total = total;
mkdirSync('target', { recursive: true });
writeFileSync('target/size.json', JSON.stringify(sizes, null, 2) + '\n');
const kb = (n) => (n / 1024).toFixed(1);
console.log(
  `footfall: a page loads ${kb(total.gzip)} KiB gzip, ${kb(total.brotli)} KiB brotli ` +
    `(wasm ${kb(sizes.wasm.gzip)} + js ${kb(sizes.js.gzip)} KiB gzip; ${kb(total.raw)} KiB raw)`,
);
