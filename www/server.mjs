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
//
// Any page the visitor opens can reach it, so it trusts no client: it answers
// only its own Host names, refuses other origins on the routes that change or
// read what it collected, bounds every body (on the wire and inflated), every
// inspector's unread backlog and what it keeps in memory, and survives clients
// that vanish mid-request.
import http from 'node:http';
import { networkInterfaces } from 'node:os';
import { createWriteStream } from 'node:fs';
import { gunzip } from 'node:zlib';
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

/** Most bytes accepted on the wire in one POST: footfall sends at most 60,000 (`maxBatchBytes`). */
export const MAX_BODY_BYTES = 256 * 1024;
/** Most bytes a `compression=gzip` body may inflate to; inflating stops there (413). */
export const MAX_INFLATED_BYTES = 1024 * 1024;
/** Batches kept in memory for inspectors that connect later: at most this many... */
const HISTORY_BATCHES = 2000;
/** ...and at most this many bytes of them as streamed (the oldest go first). */
export const HISTORY_BYTES = 4 * 1024 * 1024;
/**
 * Most bytes an inspector may leave unread before it is dropped (its browser
 * reconnects and starts again from the history): more than a full replay of
 * the history, so a new inspector is never dropped for its first screen.
 */
export const CLIENT_BACKLOG_BYTES = 2 * HISTORY_BYTES;
/** `messageId`s remembered to flag duplicates (the oldest are forgotten first). */
const SEEN_IDS = 100_000;

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

const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);

/**
 * The `Host` values this server answers to on `port`: 127.0.0.1, localhost
 * and ::1, the configured host (0.0.0.0 included, as the banner prints it),
 * and every local address when it listens on all of them (0.0.0.0 or ::).
 * Any other name, such as an attacker's domain rebound to 127.0.0.1, is
 * refused.
 */
export function ownHosts(host, port) {
  const names = ['127.0.0.1', 'localhost', '::1', host];
  if (WILDCARDS.has(host)) for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.push(a.address);
  const hosts = new Set();
  for (const name of names) {
    if (!name) continue;
    const bare = name.toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    hosts.add(`${bare.includes(':') ? `[${bare}]` : bare}:${port}`);
  }
  return hosts;
}

/** Reads a request's body, at most `limit` bytes: a Buffer, or null when it is larger. */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return resolve(null);
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        return resolve(null);
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject); // the client went away mid-upload
    req.on('close', () => reject(new Error('closed before the end of the body')));
  });
}

/** Gunzips `data`, inflating at most `limit` bytes: a Buffer; null when larger; an Error when not gzip. */
function inflate(data, limit) {
  return new Promise((resolve) =>
    gunzip(data, { maxOutputLength: limit }, (e, out) => resolve(!e ? out : e.code === 'ERR_BUFFER_TOO_LARGE' ? null : e)),
  );
}

/**
 * Starts the demo server. Resolves with `{ origin, port, close(), received }`
 * once it listens (`received`: batches and events since start). `log`
 * receives one line per batch (null: silent).
 */
export async function startDemo({ port = 8080, host = '127.0.0.1', collectedPath = join(here, 'collected.jsonl'), log = console.log } = {}) {
  /** The latest batches, oldest first, each with its SSE text: at most HISTORY_BATCHES and HISTORY_BYTES. */
  const history = [];
  let historyBytes = 0;
  const received = { batches: 0, events: 0 };
  const seen = new Set();
  const clients = new Set();
  let nextId = 1;
  let hosts = new Set();
  const file = collectedPath ? createWriteStream(collectedPath, { flags: 'a' }) : null;
  file?.on('error', (e) => log?.(`cannot write ${collectedPath}: ${e.message}`));

  const sse = (event, data) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  /** Writes to one inspector; one that leaves more than CLIENT_BACKLOG_BYTES unread is dropped. */
  function deliver(res, text) {
    if (!clients.has(res)) return;
    res.write(text);
    if (res.writableLength > CLIENT_BACKLOG_BYTES) {
      clients.delete(res);
      log?.(`${clock(new Date())}  inspector dropped: ${res.writableLength} bytes unread (more than ${CLIENT_BACKLOG_BYTES})`);
      res.destroy();
    }
  }
  const broadcast = (text) => clients.forEach((res) => deliver(res, text));

  /** Remembers a batch for later inspectors, forgetting the oldest beyond the bounds. */
  function remember(batch, text) {
    const bytes = Buffer.byteLength(text);
    history.push({ batch, text, bytes });
    historyBytes += bytes;
    while (history.length > HISTORY_BATCHES || (historyBytes > HISTORY_BYTES && history.length > 1)) historyBytes -= history.shift().bytes;
  }

  /** Flags repeated `messageId`s, remembering at most SEEN_IDS. */
  function duplicatesOf(events) {
    const duplicates = [];
    for (const e of events) {
      if (typeof e.messageId !== 'string') continue;
      if (seen.has(e.messageId)) duplicates.push(e.messageId);
      else {
        seen.add(e.messageId);
        if (seen.size > SEEN_IDS) seen.delete(seen.values().next().value);
      }
    }
    return duplicates;
  }

  /**
   * Records one POST to /collect: `received` as it came over the wire, and
   * `raw`, its text (gunzipped when the URL says `compression=gzip`,
   * footfall's `compression` option).
   */
  function collect(via, encoding, bytes, raw) {
    const receivedAt = new Date();
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
    const duplicates = duplicatesOf(events);
    const batch = { id: nextId++, receivedAt: receivedAt.toISOString(), via, bytes, encoding, jsonBytes, compact, sentAt: body.sentAt ?? null, duplicates, events };
    received.batches++;
    received.events += events.length;
    const text = sse('batch', batch);
    remember(batch, text);
    broadcast(text);
    const names = events.map((e) => (e.type === 'track' ? e.event : e.type === 'page' ? `page ${e.properties?.path ?? e.context?.page?.path ?? ''}` : e.type));
    const size = `${String(bytes).padStart(6)} bytes${encoding ? ` (${encoding}, ${jsonBytes} as JSON)` : ''}`;
    log?.(`${clock(receivedAt)}  ${via.padEnd(6)} ${size}  ${names.join(', ')}${duplicates.length ? `  (${duplicates.length} duplicate)` : ''}`);
  }

  /** An answer with no body, unless the response has begun or the client is gone. */
  const answer = (res, status, headers = {}) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, headers);
    res.end();
  };

  /**
   * Whether the request's Origin (when it has one: browsers send it with
   * every POST and cross-origin request) is one of this server's own.
   */
  const sameOrigin = (req) => {
    const origin = req.headers.origin?.toLowerCase();
    return origin === undefined || (origin.startsWith('http://') && hosts.has(origin.slice(7)));
  };

  async function handle(req, res) {
    // Only our own names: a page of another site rebound to 127.0.0.1 (DNS rebinding) is refused.
    if (!hosts.has(String(req.headers.host).toLowerCase())) return answer(res, 403, { connection: 'close' });
    let url;
    try {
      url = new URL(req.url, 'http://demo');
    } catch {
      return answer(res, 400);
    }
    const { pathname } = url;
    // What changes or reads the collected data: pages of other origins are refused.
    const guarded = pathname === '/collect' || pathname === '/events' || pathname === '/api/clear' || pathname === '/collected.jsonl';
    if (guarded && !sameOrigin(req)) return answer(res, 403, { connection: 'close' });
    if (pathname === '/collect') {
      if (req.method === 'OPTIONS') return answer(res, 204);
      if (req.method !== 'POST') return answer(res, 405, { allow: 'POST' });
      const via = req.headers['sec-fetch-mode'] === 'no-cors' ? 'beacon' : 'fetch';
      const encoding = url.searchParams.get('compression') === 'gzip' ? 'gzip' : null;
      const tooLarge = (what) => {
        log?.(`${clock(new Date())}  ${via.padEnd(6)} refused (413): ${what}`);
        answer(res, 413, { connection: 'close' });
      };
      const data = await readBody(req, MAX_BODY_BYTES);
      if (!data) return tooLarge(`body over ${MAX_BODY_BYTES} bytes`);
      let raw = '';
      if (encoding) {
        const out = await inflate(data, MAX_INFLATED_BYTES);
        if (out === null) return tooLarge(`inflates to over ${MAX_INFLATED_BYTES} bytes`);
        if (!(out instanceof Error)) raw = out.toString('utf8');
      } else raw = data.toString('utf8');
      answer(res, 200);
      return collect(via, encoding, data.length, raw);
    }
    if (pathname === '/events' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
      clients.add(res);
      res.on('close', () => clients.delete(res));
      deliver(res, 'retry: 1000\n\n' + sse('hello', { batches: history.length, file: collectedPath ? relative(root, collectedPath) : null }));
      for (const { text } of history) deliver(res, text);
      return;
    }
    if (pathname === '/api/clear' && req.method === 'POST') {
      history.length = 0;
      historyBytes = 0;
      seen.clear();
      broadcast(sse('clear', {}));
      return answer(res, 204);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, { allow: 'GET, HEAD' });
    const page = pageFor(pathname);
    const path = page ? join(here, page) : pathname === '/collected.jsonl' && collectedPath ? collectedPath : staticFor(pathname);
    let data;
    try {
      if (!path) throw new Error('no route');
      data = await readFile(path);
    } catch {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      return res.end('<!doctype html><title>Not found</title><p>Not found. <a href="/">Back to the store</a></p>');
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : data);
  }

  const server = http.createServer((req, res) => {
    // A client may vanish at any moment: its errors end its request, never the server.
    req.on('error', () => {});
    res.on('error', () => {});
    handle(req, res).catch((e) => {
      if (res.headersSent || req.destroyed) return res.destroy();
      log?.(`${clock(new Date())}  ${req.method} ${req.url}: ${e.message}`);
      answer(res, 500, { connection: 'close' });
    });
  });
  server.on('error', (e) => log?.(`server error: ${e.message}`));

  // Keeps inspectors' connections alive through proxies and idle timeouts.
  const ping = setInterval(() => broadcast(': ping\n\n'), 15000);
  ping.unref();

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = server.address().port;
  hosts = ownHosts(host, actual);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    port: actual,
    origin: `http://${shownHost}:${actual}`,
    received,
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
    await demo.close();
    console.log(`\nfootfall demo stopped: ${demo.received.batches} batches, ${demo.received.events} events this run, in ${shown}`);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(`\n  footfall demo:  ${demo.origin}/`);
  console.log(`  try-it link:    ${demo.origin}/?utm_source=newsletter&utm_medium=email&utm_campaign=spring`);
  console.log(`  inspector:      ${demo.origin}/inspector`);
  console.log(`  received batches are printed below and appended to ${shown}. Ctrl-C stops.\n`);
}
