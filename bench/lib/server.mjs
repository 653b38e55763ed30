// The comparison's server on 127.0.0.1: serves the repository's files (SDK
// builds gzip-compressed, as a CDN would) and collects whatever any SDK sends
// under /c/<run>/..., decoding each SDK's wire format far enough to count the
// benchmark's events (`{ i, label: 'item ' + i, price }`) by their `i`.
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { gzipSync, gunzipSync, brotliCompressSync, constants } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** Files under these prefixes are the SDKs: served gzip-compressed and counted. */
export const SDK_PREFIXES = ['/dist/', '/bench/.build/'];

/**
 * Starts the server. `runs` maps a run id to what its collector path
 * received: { requests, bytes, events: Map<i, count>, first, last }.
 */
export async function startServer(root) {
  const files = new Map(); // path -> { mtime, raw, gzip, brotli? }
  const runs = new Map();

  async function sdkFile(path) {
    const { mtimeMs } = await stat(path);
    let f = files.get(path);
    if (!f || f.mtime !== mtimeMs) {
      const raw = await readFile(path);
      f = { mtime: mtimeMs, raw, gzip: gzipSync(raw, { level: 9 }) };
      files.set(path, f);
    }
    return f;
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const collect = /^\/c\/([\w-]+)\//.exec(url.pathname);
    if (collect) {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const body = Buffer.concat(chunks);
      record(runs, collect[1], req, url, body);
      // One answer every SDK reads as success (Amplitude reads `code`).
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      return res.end('{"code":200,"status":1,"events_ingested":0}');
    }
    const path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(root)) {
      res.writeHead(403);
      return res.end();
    }
    try {
      const headers = { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
      if (SDK_PREFIXES.some((p) => url.pathname.startsWith(p))) {
        const f = await sdkFile(path);
        const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
        if (gzip) headers['content-encoding'] = 'gzip';
        res.writeHead(200, headers);
        return res.end(gzip ? f.gzip : f.raw);
      }
      const data = await readFile(path);
      res.writeHead(200, headers);
      res.end(data);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    runs,
    run(id) {
      return runs.get(id) ?? emptyRun();
    },
    /** gzip and brotli bytes of an SDK file, by URL path. */
    async sizes(pathname) {
      const f = await sdkFile(normalize(join(root, decodeURIComponent(pathname))));
      f.brotli ??= brotliCompressSync(f.raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
      return { raw: f.raw.length, gzip: f.gzip.length, brotli: f.brotli.length };
    },
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }),
  };
}

function emptyRun() {
  return { requests: 0, bytes: 0, events: new Map(), first: 0, last: 0, undecoded: 0 };
}

function record(runs, id, req, url, body) {
  let run = runs.get(id);
  if (!run) runs.set(id, (run = emptyRun()));
  run.requests += 1;
  run.bytes += body.length;
  run.last = Date.now();
  run.first ||= run.last;
  const found = new Set();
  // Query-string payloads (GET pixels) and the body.
  for (const [, v] of url.searchParams) scanString(v, found, 0);
  const decoded = decodeBody(body);
  if (decoded !== undefined) scan(decoded, found, 0);
  else if (body.length) run.undecoded += 1;
  for (const i of found) run.events.set(i, (run.events.get(i) ?? 0) + 1);
}

/** JSON, gzip'd JSON, form-encoded `data=` (base64) JSON; undefined if none. */
export function decodeBody(buf) {
  if (!buf.length) return null;
  let b = buf;
  if (b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b);
    } catch {
      return undefined;
    }
  }
  const text = b.toString('utf8');
  const json = tryJson(text);
  if (json !== undefined) return json;
  if (/^[\w%.-]+=/.test(text)) {
    const params = new URLSearchParams(text);
    for (const [, v] of params) {
      const inner = tryJson(v) ?? tryBase64Json(v);
      if (inner !== undefined) return inner;
    }
  }
  return tryBase64Json(text);
}

function tryJson(text) {
  const t = text.trimStart();
  if (t[0] !== '{' && t[0] !== '[') return undefined;
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

function tryBase64Json(text) {
  if (text.length < 8 || !/^[A-Za-z0-9+/_=-]+$/.test(text)) return undefined;
  try {
    const raw = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (raw[0] === 0x1f && raw[1] === 0x8b) return tryJson(gunzipSync(raw).toString('utf8'));
    return tryJson(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

function scanString(s, found, depth) {
  if (s.length < 8 || depth > 6) return;
  const inner = tryJson(s) ?? tryBase64Json(s); // Snowplow's ue_pr / ue_px
  if (inner !== undefined) scan(inner, found, depth + 1);
}

/** Adds the `i` of every benchmark event found anywhere in `v`. */
function scan(v, found, depth) {
  if (depth > 40 || v === null) return;
  if (typeof v === 'string') return scanString(v, found, depth);
  if (typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) scan(x, found, depth + 1);
    return;
  }
  if (typeof v.i === 'number' && v.label === 'item ' + v.i) found.add(v.i);
  for (const k in v) scan(v[k], found, depth + 1);
}
