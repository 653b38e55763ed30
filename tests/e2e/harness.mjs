// Shared end-to-end harness: a static server + collector on 127.0.0.1, and
// Debian's Chromium driven by playwright-core.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { gunzipSync } from 'node:zlib';
import { before, after } from 'node:test';

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
     * Events of every request that was answered 2xx, with the batch-level
     * `context` (compact form) merged into each, as Segment-compatible
     * collectors do.
     */
    events() {
      return this.requests
        .filter((r) => r.status >= 200 && r.status < 300)
        .flatMap((r) => (r.body?.batch ?? []).map((e) => (r.body.context ? { ...e, context: { ...r.body.context, ...e.context } } : e)));
    },
    /** Forgets every request and answers 200 again. */
    reset() {
      this.requests.length = 0;
      this.respond = null;
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
      const data = await readFile(path.endsWith('/') ? join(path, 'index.html') : path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
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

/** The Chromium flags every launch uses (root, closed network). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches Debian's Chromium, headless. */
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
    const data = file ? await readFile(join(root, file)) : body;
    const contentType = type ?? TYPES[extname(file ?? path)] ?? 'application/octet-stream';
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
