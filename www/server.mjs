// The demo's dev server and collector, with no dependencies beyond Node.
//
// - Serves the store (www/*.html under friendly paths, www/assets/) and the
//   built library (/dist/).
// - Collects the batches footfall POSTs to /collect: answers 200, tells a
//   beacon from a fetch (`sec-fetch-mode: no-cors`), merges a compact
//   batch's `context` into each event (as Segment-compatible collectors do),
//   prints a line per batch, appends it to a JSON Lines file, and streams it
//   to the inspector over Server-Sent Events (GET /events).
//
// `node www/server.mjs` (what `npm run demo` runs) listens on HOST:PORT
// (default 127.0.0.1:8080; PORT=0 picks a free port) and writes
// www/collected.jsonl (COLLECTED=path to change it). Tests import
// `startDemo` instead.
import http from 'node:http';
import { createWriteStream } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, dirname, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serviceBySlug } from './assets/services.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
};

/** Most bytes accepted in one POST (footfall sends at most 60,000). */
const MAX_BODY_BYTES = 1 << 20;
/** Batches kept in memory for inspectors that connect later. */
const BACKLOG_BATCHES = 2000;

/** Page routes: a pathname -> the www/ file that renders it, or null. */
export function pageFor(pathname) {
  if (pathname === '/' || pathname === '/index.html') return 'index.html';
  if (pathname === '/quote') return 'quote.html';
  if (pathname === '/inspector') return 'inspector.html';
  if (pathname === '/book' || /^\/book\/(details|confirm)$/.test(pathname)) return 'book.html';
  const service = /^\/services\/([a-z0-9-]+)$/.exec(pathname);
  if (service && serviceBySlug(service[1])) return 'service.html';
  return null;
}

/** A static file for a pathname (/assets/ from www/, /dist/ from the build), or null. */
function staticFor(pathname) {
  const [base, dir] = pathname.startsWith('/assets/') ? [here, 'assets'] : pathname.startsWith('/dist/') ? [root, 'dist'] : [];
  if (!base) return null;
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  const path = normalize(join(base, decoded));
  const inside = relative(join(base, dir), path);
  return inside && !inside.startsWith('..') && !inside.includes(`..${sep}`) ? path : null;
}

/** `hh:mm:ss` of a Date, local time. */
const clock = (d) => d.toTimeString().slice(0, 8);

/**
 * Starts the demo server. Resolves with `{ origin, port, close(), batches }`
 * once it listens. `log` receives one line per batch (null: silent).
 */
export async function startDemo({ port = 8080, host = '127.0.0.1', collectedPath = join(here, 'collected.jsonl'), log = console.log } = {}) {
  /** Every batch received since start (or the last clear), oldest first. */
  const batches = [];
  const seen = new Set();
  const clients = new Set();
  let nextId = 1;
  const file = collectedPath ? createWriteStream(collectedPath, { flags: 'a' }) : null;
  file?.on('error', (e) => log?.(`cannot write ${collectedPath}: ${e.message}`));

  const send = (res, event, data) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const broadcast = (event, data) => clients.forEach((res) => send(res, event, data));

  /**
   * Records one POST to /collect: `received` as it came over the wire,
   * gunzipped when the URL says `compression=gzip` (footfall's `compression`
   * option).
   */
  function collect(req, url, received) {
    const receivedAt = new Date();
    const via = req.headers['sec-fetch-mode'] === 'no-cors' ? 'beacon' : 'fetch';
    const encoding = url.searchParams.get('compression') === 'gzip' ? 'gzip' : null;
    const bytes = received.length;
    let raw = '';
    try {
      raw = (encoding ? gunzipSync(received) : received).toString('utf8');
    } catch {}
    const jsonBytes = Buffer.byteLength(raw);
    let body = null;
    try {
      body = JSON.parse(raw);
    } catch {}
    const list = Array.isArray(body?.batch) ? body.batch.filter((e) => e && typeof e === 'object') : null;
    const line = { receivedAt: receivedAt.toISOString(), via, bytes, ...(encoding && { encoding, jsonBytes }), body: body ?? raw };
    file?.write(JSON.stringify(line) + '\n');
    if (!list) {
      log?.(`${clock(receivedAt)}  ${via.padEnd(6)} ${bytes} bytes: not a batch`);
      return;
    }
    const compact = Boolean(body.context && typeof body.context === 'object');
    const events = list.map((e) => (compact ? { ...e, context: { ...body.context, ...e.context } } : e));
    const duplicates = [];
    for (const e of events) {
      if (typeof e.messageId !== 'string') continue;
      if (seen.has(e.messageId)) duplicates.push(e.messageId);
      else seen.add(e.messageId);
    }
    const batch = { id: nextId++, receivedAt: receivedAt.toISOString(), via, bytes, encoding, jsonBytes, compact, sentAt: body.sentAt ?? null, duplicates, events };
    batches.push(batch);
    if (batches.length > BACKLOG_BATCHES) batches.shift();
    broadcast('batch', batch);
    const names = events.map((e) => (e.type === 'track' ? e.event : e.type === 'page' ? `page ${e.properties?.path ?? e.context?.page?.path ?? ''}` : e.type));
    const size = `${String(bytes).padStart(6)} bytes${encoding ? ` (${encoding}, ${jsonBytes} as JSON)` : ''}`;
    log?.(`${clock(receivedAt)}  ${via.padEnd(6)} ${size}  ${names.join(', ')}${duplicates.length ? `  (${duplicates.length} duplicate)` : ''}`);
  }

  const server = http.createServer(async (req, res) => {
    let url;
    try {
      url = new URL(req.url, 'http://demo');
    } catch {
      res.writeHead(400);
      return res.end();
    }
    const { pathname } = url;
    if (pathname === '/collect') {
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type' });
        return res.end();
      }
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' });
        return res.end();
      }
      const chunks = [];
      let size = 0;
      for await (const c of req) {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          res.writeHead(413, { 'access-control-allow-origin': '*', connection: 'close' });
          return res.end();
        }
        chunks.push(c);
      }
      res.writeHead(200, { 'access-control-allow-origin': '*' });
      res.end();
      return collect(req, url, Buffer.concat(chunks));
    }
    if (pathname === '/events' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('retry: 1000\n\n');
      send(res, 'hello', { batches: batches.length, file: collectedPath ? relative(root, collectedPath) : null });
      batches.forEach((b) => send(res, 'batch', b));
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (pathname === '/api/clear' && req.method === 'POST') {
      batches.length = 0;
      seen.clear();
      broadcast('clear', {});
      res.writeHead(204);
      return res.end();
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' });
      return res.end();
    }
    const page = pageFor(pathname);
    const path = page ? join(here, page) : pathname === '/collected.jsonl' && collectedPath ? collectedPath : staticFor(pathname);
    try {
      if (!path) throw new Error('no route');
      const data = await readFile(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : data);
    } catch {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Not found</title><p>Not found. <a href="/">Back to the store</a></p>');
    }
  });

  // Keeps inspectors' connections alive through proxies and idle timeouts.
  const ping = setInterval(() => clients.forEach((res) => res.write(': ping\n\n')), 15000);
  ping.unref();

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = server.address().port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    port: actual,
    origin: `http://${shownHost}:${actual}`,
    batches,
    /** Stops listening, ends every connection and flushes the JSON Lines file. */
    close() {
      clearInterval(ping);
      clients.forEach((res) => res.end());
      clients.clear();
      return new Promise((resolve) => {
        server.close(() => (file ? file.end(resolve) : resolve()));
        server.closeAllConnections?.();
      });
    },
  };
}

// `node www/server.mjs`: the command `npm run demo` ends with.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 8080);
  const host = process.env.HOST || '127.0.0.1';
  const collectedPath = process.env.COLLECTED || join(here, 'collected.jsonl');
  let demo;
  try {
    demo = await startDemo({ port, host, collectedPath });
  } catch (e) {
    console.error(e.code === 'EADDRINUSE' ? `footfall demo: port ${port} is in use; try PORT=${port + 1} npm run demo` : `footfall demo: ${e.message}`);
    process.exit(1);
  }
  const near = relative(process.cwd(), collectedPath);
  const shown = near && !near.startsWith('..') ? near : collectedPath;
  let stopping = false;
  const stop = async () => {
    if (stopping) return process.exit(0); // a second Ctrl-C
    stopping = true;
    setTimeout(() => process.exit(0), 2000).unref(); // never hang on a connection
    const events = demo.batches.reduce((n, b) => n + b.events.length, 0);
    await demo.close();
    console.log(`\nfootfall demo stopped: ${demo.batches.length} batches, ${events} events this run, in ${shown}`);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`\n  footfall demo:  ${demo.origin}/`);
  console.log(`  try-it link:    ${demo.origin}/?utm_source=newsletter&utm_medium=email&utm_campaign=spring`);
  console.log(`  inspector:      ${demo.origin}/inspector`);
  console.log(`  received batches are printed below and appended to ${shown}. Ctrl-C stops.\n`);
}
