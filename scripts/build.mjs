// Builds the browser artefacts:
//   pkg/   wasm-bindgen output (ES module glue, .d.ts, wasm), wasm-opt -Oz
//   dist/  the script-tag loader, the snippet, a bundled ES module (below)
// and prints the gzip/brotli size of what a page loads (target/size.json).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
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
  try {
    rmSync('pkg/snippets', { recursive: true, force: true });
    run('wasm-bindgen', ['--target', 'web', '--encode-into', 'always', '--out-dir', 'pkg', '--out-name', 'footfall', raw]);
    minifyNames(wasm, 'pkg/footfall.js');
    run('node_modules/.bin/wasm-opt', ['-Oz', '--converge', '--low-memory-unused', '--strip-debug', '--strip-producers', wasm, '-o', wasm]);
  } catch (e) {
    rmSync(wasm, { force: true }); // a half-built pkg/ is rebuilt next time
    throw e;
  }
}

// The types: wasm-bindgen declares `[Symbol.dispose]()` on classes, which
// only compiles with TypeScript's `esnext.disposable` lib (or skipLibCheck).
// The method stays in the JavaScript; the declaration goes, so the types
// compile with any lib setting.
const dts = 'pkg/footfall.d.ts';
writeFileSync(dts, readFileSync(dts, 'utf8').replace(/^\s*\[Symbol\.dispose\]\(\): void;\n/gm, ''));

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

// dist/, what pages load from a CDN or a copy of the package:
//   footfall.js          the script-tag loader: IIFE of src/js/loader.js, the
//                        snippet and the glue, minified (es2017: any browser
//                        with WebAssembly parses it)
//   footfall_bg.wasm     the wasm, fetched next to the loader
//   footfall.snippet.js, footfall.snippet.min.js   the snippet to paste inline
//   footfall.min.mjs     the ES module entry bundled with the glue, minified
//                        (`import { init } from '.../footfall.min.mjs'`)
//   options.js           its option-name check, imported only with `debug`
mkdirSync('dist', { recursive: true });
const esbuild = (args) => run('node_modules/.bin/esbuild', [...args, '--log-level=warning']);
// The option check runs only with `debug` and is imported then: kept out of
// the bundle, next to it as dist/options.js.
esbuild(['src/js/index.js', '--bundle', '--format=esm', '--minify', '--external:./options.js', '--outfile=dist/footfall.min.mjs']);
esbuild(['src/js/options.js', '--format=esm', '--minify', '--outfile=dist/options.js']);
esbuild([
  'src/js/loader.js', '--bundle', '--format=iife', '--minify', '--target=es2017',
  // The glue's `new URL('footfall_bg.wasm', import.meta.url)` is never
  // reached: the loader passes the wasm's URL itself.
  '--define:import.meta.url=undefined', '--outfile=dist/footfall.js',
]);
esbuild([
  'src/js/snippet.js', '--bundle', '--format=iife', '--target=es5', '--outfile=dist/footfall.snippet.js',
  '--banner:js=/* footfall snippet: paste it inline, before the loader\'s <script async> (minified: footfall.snippet.min.js). */',
]);
esbuild(['src/js/snippet.js', '--bundle', '--format=iife', '--target=es5', '--minify', '--outfile=dist/footfall.snippet.min.js']);
copyFileSync(wasm, 'dist/footfall_bg.wasm');
const snippetBytes = readFileSync('dist/footfall.snippet.min.js').length;
if (snippetBytes >= 1024) throw new Error(`the minified snippet is ${snippetBytes} bytes; it must stay under 1 KB`);

/** Gzip (level 9) and brotli (max quality) sizes of a buffer. */
export function compressedSizes(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** Sizes of each file and their total. */
function measure(files) {
  const sizes = {};
  const total = { raw: 0, gzip: 0, brotli: 0 };
  for (const [name, path] of Object.entries(files)) {
    sizes[name] = compressedSizes(readFileSync(path));
    for (const k of Object.keys(total)) total[k] += sizes[name][k];
  }
  sizes.total = total;
  return sizes;
}

// target/size.json: `total` is what the script-tag path loads (loader with
// the glue, and the wasm), the figure scripts/check-size.mjs holds to the
// budget; `npm` is what an app bundling the ES module entry ships (its own
// bundler minifies the glue); `snippet` is the inline snippet.
const sizes = measure({ wasm: 'dist/footfall_bg.wasm', loader: 'dist/footfall.js' });
sizes.npm = measure({ wasm: 'dist/footfall_bg.wasm', js: 'dist/footfall.min.mjs' });
sizes.snippet = compressedSizes(readFileSync('dist/footfall.snippet.min.js'));
mkdirSync('target', { recursive: true });
writeFileSync('target/size.json', JSON.stringify(sizes, null, 2) + '\n');
const kb = (n) => (n / 1024).toFixed(1);
console.log(
  `footfall: the script tag loads ${kb(sizes.total.gzip)} KiB gzip, ${kb(sizes.total.brotli)} KiB brotli ` +
    `(wasm ${kb(sizes.wasm.gzip)} + loader ${kb(sizes.loader.gzip)} KiB gzip; ${kb(sizes.total.raw)} KiB raw); ` +
    `npm: ${kb(sizes.npm.total.gzip)} KiB gzip; snippet: ${sizes.snippet.raw} bytes`,
);
