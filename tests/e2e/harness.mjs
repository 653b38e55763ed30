// Shared end-to-end harness: a static server + collector on 127.0.0.1, and
// the browsers: Debian's Chromium driven by playwright-core (`useBrowser`,
// Chromium-only suites), or any of the three engines through the small
// driver abstraction of engines.mjs (`forEachEngine`, suites that must hold
// in Chromium, Firefox and WebKit).
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { gunzipSync } from 'node:zlib';
import { before, after, describe } from 'node:test';
import { ENGINES, CHROMIUM_ARGS, launchEngine } from './engines.mjs';

export { ENGINES, CHROMIUM_ARGS };

/**
 * Injected at the top of every HTML page the test server serves from the
 * repository: records uncaught errors, unhandled rejections and
 * `console.error`/`console.warn` lines in `window.__ffErrors` and
 * `window.__ffWarnings`, since WebKit's driver reports none of them.
 */
const RECORDER = `<script>(function(){var e=window.__ffErrors=[],w=window.__ffWarnings=[];addEventListener('error',function(v){e.push(String(v.message||v))});addEventListener('unhandledrejection',function(v){var r=v.reason;e.push('unhandled rejection: '+String(r&&r.stack||r))});var c=console.error,k=console.warn,j=function(a){return[].map.call(a,function(x){return typeof x=='string'?x:String(x)}).join(' ')};console.error=function(){e.push('console.error: '+j(arguments));return c.apply(this,arguments)};console.warn=function(){w.push(j(arguments));return k.apply(this,arguments)}})()</script>`;

/** `html` with the recorder and `scripts` (source texts) first in its head. */
function inject(html, scripts) {
  const head = RECORDER + scripts.map((s) => `<script>${s}</script>`).join('');
  const m = /<head[^>]*>/i.exec(html) ?? /<!doctype[^>]*>/i.exec(html);
  return m ? html.slice(0, m.index + m[0].length) + head + html.slice(m.index + m[0].length) : head + html;
}

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Starts a server on 127.0.0.1 that serves the repository's files and
 * collects batches POSTed to /collect. `collector.respond` decides each
 * answer (default 200); every request is recorded, answered or not.
 */
export async function startCollector() {
  const collector = {
    /** Every request to /collect: { at, body, status, via, raw }. */
    requests: [],
    /** (request, collector) => { status, headers } | undefined (200). */
    respond: null,
    /** Extra routes: path -> (req, res) handler. */
    routes: new Map(),
    /**
     * Scripts (source text) run first in every HTML page served from the
     * repository, in every engine: the engine-independent `addInitScript`.
     * Emptied by `reset()`.
     */
    initScripts: [],
    /**
     * Events of every request that was answered 2xx, with the batch-level
     * `context` (compact form) merged into each, as Segment-compatible
     * collectors do.
     */
    events() {
      return this.requests
        .filter((r) => r.status >= 200 && r.status < 300)
        .flatMap((r) => (r.body?.batch ?? []).map((e) => (r.body.context ? { ...e, context: { ...r.body.context, ...e.context } } : e)));
    },
    /**
     * `events()` with each messageId once: a beacon that a closing tab cut
     * off goes again with the same messageId (at least once), and a
     * Segment-compatible collector deduplicates it.
     */
    unique() {
      const seen = new Set();
      return this.events().filter((e) => !seen.has(e.messageId) && seen.add(e.messageId));
    },
    /** Forgets every request and answers 200 again. */
    reset() {
      this.requests.length = 0;
      this.respond = null;
      this.initScripts = [];
    },
    /** Every messageId that reached the collector, answered or not. */
    attempted() {
      return new Set(this.requests.flatMap((r) => (r.body?.batch ?? []).map((e) => e.messageId)));
    },
    /** Count of acknowledged deliveries per messageId. */
    deliveries() {
      const counts = new Map();
      for (const e of this.events()) counts.set(e.messageId, (counts.get(e.messageId) ?? 0) + 1);
      return counts;
    },
    /** Resolves when `predicate(collector)` holds, or rejects after `ms`. */
    async waitFor(predicate, ms = 5000, what = 'condition') {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        if (predicate(this)) return;
        await sleep(25);
      }
      throw new Error(`timed out waiting for ${what}`);
    },
  };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const route = collector.routes.get(url.pathname);
    if (route) return route(req, res);
    if (url.pathname === '/collect' && req.method === 'POST') {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const received = Buffer.concat(chunks);
      const gzip = url.searchParams.get('compression') === 'gzip';
      let raw;
      try {
        raw = (gzip ? gunzipSync(received) : received).toString('utf8');
      } catch {
        raw = '';
      }
      let body = null;
      try {
        body = JSON.parse(raw);
      } catch {}
      const via = req.headers['sec-fetch-mode'] === 'no-cors' ? 'beacon' : 'fetch';
      const record = { at: Date.now(), body, raw, via, status: 200, contentType: req.headers['content-type'], wireBytes: received.length, gzip };
      const answer = collector.respond?.(record, collector) ?? { status: 200 };
      record.status = answer.status;
      collector.requests.push(record);
      if (answer.hang) return; // never answer
      if (answer.destroy) return req.socket.destroy(); // a network error
      if (answer.delayMs) await sleep(answer.delayMs);
      res.writeHead(answer.status, answer.headers ?? {});
      if (answer.bodyDelayMs) {
        // Headers now, the body later: the page sees the status at once.
        res.flushHeaders();
        await sleep(answer.bodyDelayMs);
        return res.end('ok');
      }
      return res.end();
    }
    const path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(root)) {
      res.writeHead(403);
      return res.end();
    }
    try {
      const file = path.endsWith('/') ? join(path, 'index.html') : path;
      let data = await readFile(file);
      if (extname(file) === '.html') data = inject(data.toString('utf8'), collector.initScripts);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(data);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  collector.origin = `http://127.0.0.1:${server.address().port}`;
  collector.close = () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); });
  return collector;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Declares the suite `body(get)` once per engine of `ENGINES`, as
 * `describe(engine)`: a collector and that engine are started before its
 * tests and stopped after them (one browser at a time). `get()` returns
 * `{ collector, browser, engine }` inside the tests.
 */
export function forEachEngine(body) {
  for (const engine of ENGINES) {
    describe(engine, () => {
      const state = { engine };
      before(async () => {
        state.collector = await startCollector();
        state.browser = await launchEngine(engine);
      });
      after(async () => {
        await state.browser?.close();
        await state.collector?.close();
      });
      body(() => state, engine);
    });
  }
}

/**
 * Declares the suite `body(get)` as `describe(name)` run in Chromium alone,
 * through playwright-core (for what only its API can do: going offline,
 * intercepting requests). `get()` returns `{ collector, browser }` (a
 * playwright Browser).
 */
export function chromiumOnly(name, body) {
  describe(name, () => {
    const state = {};
    before(async () => {
      state.collector = await startCollector();
      state.browser = await launch();
    });
    after(async () => {
      await state.browser?.close();
      await state.collector?.close();
    });
    body(() => state);
  });
}

/**
 * Starts a collector and Chromium before a test file's tests and stops both
 * after them; `ready(collector, browser)` receives them.
 */
export function useBrowser(ready) {
  let collector;
  let browser;
  before(async () => {
    collector = await startCollector();
    browser = await launch();
    ready(collector, browser);
  });
  after(async () => {
    await browser?.close();
    await collector?.close();
  });
}

export async function launch() {
  const executablePath = process.env.CHROMIUM || execFileSync('sh', ['-c', 'command -v chromium']).toString().trim();
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Opens `path` in a new page and records page errors and console output.
 * Returns { page, errors, console }.
 */
export async function open(context, origin, path) {
  const page = await context.newPage();
  const errors = [];
  const consoleLines = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => consoleLines.push({ type: m.type(), text: m.text() }));
  await page.goto(origin + path);
  return { page, errors, console: consoleLines };
}

/**
 * URL of the basic test page with footfall options. Automatic events
 * (page views, scroll depth, page leave...) are off unless `options` sets
 * `autocapture`: most suites count exactly the events they track;
 * tests/e2e/signals.test.mjs turns them on.
 */
export function testPage(options = {}, page = 'basic.html') {
  return `/tests/e2e/pages/${page}?opts=${encodeURIComponent(JSON.stringify({ autocapture: false, ...options }))}`;
}

/** The files of every prebuilt build in dist/: each build's glue module and wasm. */
export function buildFiles() {
  return readdirSync(join(root, 'dist')).filter((f) => /^footfall\.[a-z-]+\.(mjs|wasm)$/.test(f));
}

/** Serves every build's files under /footfall/, where the script-tag loader looks for them. */
export function serveBuilds(collector) {
  for (const f of buildFiles()) serve(collector, '/footfall/' + f, { file: 'dist/' + f });
}

/**
 * Serves `path` on the collector's server: a file of the repository
 * (`file`, relative to the root) or a fixed `body`, with its content type
 * from the extension unless `type` is given, after `delayMs`, with extra
 * `headers`. Records when each answer left in `served[path]`.
 */
export function serve(collector, path, { file, body, type, delayMs = 0, headers = {} }) {
  collector.served ??= {};
  collector.routes.set(path, async (req, res) => {
    if (delayMs) await sleep(delayMs);
    let data = file ? await readFile(join(root, file)) : body;
    const contentType = type ?? TYPES[extname(file ?? path)] ?? 'application/octet-stream';
    if (contentType.startsWith('text/html')) data = inject(String(data), collector.initScripts);
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
    res.end(data);
    (collector.served[path] ??= []).push(Date.now());
  });
}

/**
 * The first fenced block of README.md in `lang` that contains `marker`
 * (the README's copy-paste blocks are what the tests run).
 */
export async function readmeBlock(lang, marker) {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter(([, l, body]) => l === lang && body.includes(marker));
  if (!blocks.length) throw new Error(`README.md has no ${lang} block with ${marker}`);
  return blocks[0][2];
}
