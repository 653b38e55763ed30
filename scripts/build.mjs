// Builds the browser artefacts, once per set of optional capabilities
// (Cargo features; the page's options choose one: src/js/builds.js):
//   target/builds/<name>/  wasm-bindgen output (glue, .d.ts, wasm), wasm-opt -Oz
//   dist/                  what pages load (below)
// and prints the gzip/brotli size of what a page loads (target/size.json).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CAPABILITIES, buildNames } from '../src/js/builds.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

/** Every set of capabilities built (src/js/builds.js), by build name (`core`, `signals`, ..., all of them). */
const BUILDS = buildNames().map((name) => ({ name, features: name == 'core' ? [] : name.split('-') }));
const FULL = CAPABILITIES.join('-');

// Two lanes, each with its own Cargo target directory: a build's compile
// runs on one core while the other lane compiles or optimizes (the crate
// compiles on one core: one codegen unit, LTO). About 40 % less time on
// 2 cores from scratch.
// Each lane always takes the same builds, so its incremental artefacts
// serve the next run.
const lane = async (i, targetDir) => {
  for (const { name, features } of BUILDS.filter((_, j) => j % 2 == i)) await buildWasm(name, features, targetDir);
};
await Promise.all([lane(0, 'target'), lane(1, 'target/lane2')]);

/** Runs a command to its end without blocking the other lane; rejects on failure. */
function runAsync(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * target/builds/<name>/: the release build with these features (compiled
 * in `targetDir`), through wasm-bindgen and wasm-opt. Cargo keeps every
 * feature set's artefacts but writes each to the same footfall.wasm, so
 * the raw wasm is kept per build and the rest redone only when it changed
 * (or this script did).
 */
async function buildWasm(name, features, targetDir) {
  await runAsync('cargo', ['build', '--quiet', '--release', '--target', 'wasm32-unknown-unknown', '--target-dir', targetDir, '--no-default-features', ...(features.length ? ['--features', features.join(',')] : [])]);
  const out = `target/builds/${name}`;
  const raw = `${out}/raw.wasm`;
  const built = readFileSync(`${targetDir}/wasm32-unknown-unknown/release/footfall.wasm`);
  mkdirSync(out, { recursive: true });
  if (!existsSync(raw) || !built.equals(readFileSync(raw))) writeFileSync(raw, built);
  const wasm = `${out}/footfall_bg.wasm`;
  if (mtime(raw) <= mtime(wasm) && mtime(fileURLToPath(import.meta.url)) <= mtime(wasm)) return;
  try {
    rmSync(`${out}/snippets`, { recursive: true, force: true });
    run('wasm-bindgen', ['--target', 'web', '--encode-into', 'always', '--out-dir', out, '--out-name', 'footfall', raw]);
    minifyNames(wasm, `${out}/footfall.js`);
    run('node_modules/.bin/wasm-opt', ['-Oz', '--converge', '--low-memory-unused', '--strip-debug', '--strip-producers', wasm, '-o', wasm]);
  } catch (e) {
    rmSync(wasm, { force: true }); // a half-built build is redone next time
    throw e;
  }
  // The types: wasm-bindgen declares `[Symbol.dispose]()` on classes, which
  // only compiles with TypeScript's `esnext.disposable` lib (or
  // skipLibCheck). The method stays in the JavaScript; the declaration
  // goes, so the types compile with any lib setting.
  const dts = `${out}/footfall.d.ts`;
  // `free()` is not part of the API either: src/js/client.js makes it a
  // `shutdown()`, for code that calls it anyway.
  writeFileSync(dts, readFileSync(dts, 'utf8').replace(/^\s*(\[Symbol\.dispose\]|free)\(\): void;\n/gm, ''));
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

// dist/, what pages load from a CDN or a copy of the package:
//   footfall.js          the script-tag loader: IIFE of src/js/loader.js and
//                        the snippet, minified (es2017: any browser with
//                        WebAssembly parses it)
//   footfall.mjs         the ES module entry (`import { init } from 'footfall-analytics'`)
//   footfall.<build>.mjs, footfall.<build>.wasm
//                        each build's glue (one module with its snippets,
//                        minified) and wasm; a page fetches one pair
//   footfall.d.ts, footfall.api.d.ts   the entry's types, the API's types
//   footfall.snippet.js, footfall.snippet.min.js   the snippet to paste inline
//   options.js           its option-name check, imported only with `debug`
//   experiments.js       declarative experiments before footfall is ready,
//                        imported only for options with experiments
//   footfall.experiments.min.js   the experiments snippet to paste inline
rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
const esbuild = (args) => run('node_modules/.bin/esbuild', [...args, '--log-level=warning']);
for (const { name } of BUILDS) {
  const out = `target/builds/${name}`;
  // The glue's default wasm URL names the file next to it in dist/.
  const glue = readFileSync(`${out}/footfall.js`, 'utf8');
  const renamed = glue.replace("new URL('footfall_bg.wasm', import.meta.url)", `new URL('footfall.${name}.wasm', import.meta.url)`);
  if (renamed === glue) throw new Error(`${out}/footfall.js: the default wasm URL was not found`);
  writeFileSync(`${out}/footfall.dist.js`, renamed);
  // The module pages import: the glue, its Client given the fast paths.
  writeFileSync(
    `${out}/footfall.entry.js`,
    `export * from './footfall.dist.js';\nexport { default } from './footfall.dist.js';\n` +
      `import { Client } from './footfall.dist.js';\nimport { adaptClient } from '../../../src/js/client.js';\nadaptClient(Client);\n`,
  );
  esbuild([`${out}/footfall.entry.js`, '--bundle', '--format=esm', '--minify', `--outfile=dist/footfall.${name}.mjs`]);
  copyFileSync(`${out}/footfall_bg.wasm`, `dist/footfall.${name}.wasm`);
}
// The entry keeps its imports of the builds and of the option check: each
// is a module of its own, fetched only when used.
esbuild(['src/js/index.js', '--bundle', '--format=esm', '--minify', '--external:./options.js', '--external:./experiments.js', '--external:./footfall.*', '--outfile=dist/footfall.mjs']);
const entry = readFileSync('dist/footfall.mjs', 'utf8');
for (const { name } of BUILDS) {
  if (!entry.includes(`./footfall.${name}.mjs`) || !entry.includes(`./footfall.${name}.wasm`)) throw new Error(`src/js/index.js does not name the build ${name}`);
}
writeFileSync('dist/footfall.d.ts', readFileSync('src/js/index.d.ts', 'utf8'));
copyFileSync(`target/builds/${FULL}/footfall.d.ts`, 'dist/footfall.api.d.ts');
esbuild(['src/js/options.js', '--format=esm', '--minify', '--outfile=dist/options.js']);
esbuild(['src/js/experiments.js', '--format=esm', '--minify', '--outfile=dist/experiments.js']);
esbuild(['src/js/loader.js', '--bundle', '--format=iife', '--minify', '--target=es2017', '--outfile=dist/footfall.js']);
esbuild([
  'src/js/snippet.js', '--bundle', '--format=iife', '--target=es5', '--outfile=dist/footfall.snippet.js',
  '--banner:js=/* footfall snippet: paste it inline, before the loader\'s <script async> (minified: footfall.snippet.min.js). */',
]);
esbuild(['src/js/snippet.js', '--bundle', '--format=iife', '--target=es5', '--minify', '--outfile=dist/footfall.snippet.min.js']);
const snippetBytes = readFileSync('dist/footfall.snippet.min.js').length;
if (snippetBytes >= 1024) throw new Error(`the minified snippet is ${snippetBytes} bytes; it must stay under 1 KB`);
// The experiments snippet, for pages with `data-ff-experiment` elements.
esbuild(['src/js/snippet-experiments.js', '--bundle', '--format=iife', '--target=es5', '--minify', '--outfile=dist/footfall.experiments.min.js']);
const experimentsBytes = readFileSync('dist/footfall.experiments.min.js').length;
if (experimentsBytes >= 1152) throw new Error(`the minified experiments snippet is ${experimentsBytes} bytes; it must stay under 1.125 KiB`);

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

// target/size.json: per build, what the script-tag path loads (`script`:
// loader, glue and wasm) and what the ES module entry loads (`npm`: entry,
// glue and wasm; an app's bundler may shrink its JS a little more);
// `snippet` is the inline snippet. scripts/check-size.mjs holds the builds
// that the core, default and full options load to size-budget.json.
const sizes = { builds: {}, snippet: compressedSizes(readFileSync('dist/footfall.snippet.min.js')) };
for (const { name } of BUILDS) {
  const wasm = `dist/footfall.${name}.wasm`;
  const glue = `dist/footfall.${name}.mjs`;
  sizes.builds[name] = {
    script: measure({ wasm, glue, loader: 'dist/footfall.js' }),
    npm: measure({ wasm, glue, entry: 'dist/footfall.mjs' }),
  };
}
mkdirSync('target', { recursive: true });
writeFileSync('target/size.json', JSON.stringify(sizes, null, 2) + '\n');
const kb = (n) => (n / 1024).toFixed(1);
console.log(
  'footfall, KiB gzip the script tag loads: ' +
    BUILDS.map(({ name }) => `${name} ${kb(sizes.builds[name].script.total.gzip)}`).join(', ') +
    `; snippet ${sizes.snippet.raw} bytes`,
);
