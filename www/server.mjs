// The demo's dev server and collector: serves www/ (and the built dist/) on
// http://127.0.0.1:8080 and prints each batch POSTed to /collect.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const port = Number(process.env.PORT || 8080);
const host = process.env.HOST || '127.0.0.1';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Maps a URL path to a file: /dist/* from the build, everything else from www/. */
function fileFor(pathname) {
  const base = pathname.startsWith('/dist/') ? root : here;
  const path = normalize(join(base, decodeURIComponent(pathname)));
  return path.startsWith(base) ? (path.endsWith('/') ? join(path, 'index.html') : path) : null;
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://${host}`);
  if (url.pathname === '/collect' && req.method === 'POST') {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString('utf8');
    res.writeHead(200, { 'access-control-allow-origin': '*' });
    res.end();
    try {
      const body = JSON.parse(raw);
      const via = req.headers['sec-fetch-mode'] === 'no-cors' ? 'beacon' : 'fetch';
      const names = body.batch.map((e) => e.event ?? e.type);
      console.log(`batch via ${via}, ${raw.length} bytes, ${body.batch.length} events: ${names.join(', ')}`);
    } catch {
      console.log(`unparseable body (${raw.length} bytes)`);
    }
    return;
  }
  const path = fileFor(url.pathname);
  try {
    if (!path) throw new Error('outside');
    const data = await readFile(path);
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(data);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
});

server.listen(port, host, () => {
  console.log(`footfall demo: http://${host}:${port}/  (Ctrl-C to stop)`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
