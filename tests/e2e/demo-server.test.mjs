// The demo server (`www/server.mjs`) against clients that misbehave: no
// browser, only sockets. It must keep answering whatever a client does, bound
// what a client makes it hold, and answer only its own pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startDemoProcess } from './demo-process.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const dir = mkdtempSync(join(tmpdir(), 'footfall-demo-server-'));
let demo;

before(async () => {
  demo = await startDemoProcess(join(dir, 'collected.jsonl'));
});
after(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** One request with any headers (fetch forbids setting Host); resolves with status, headers and body. */
function request(path, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: demo.port, path, method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Milliseconds a request takes, and its status. */
async function timed(path, options) {
  const t0 = performance.now();
  const { status } = await request(path, options);
  return { status, ms: Math.round(performance.now() - t0) };
}

/** The server's resident memory in MB (Linux), or null. */
function rssMB() {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${demo.child.pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : null;
  } catch {
    return null;
  }
}

/** The server is alive and answers a page at once. */
async function assertAnswering(what) {
  assert.equal(demo.child.exitCode, null, `${what}: the server process is still running:\n${demo.output()}`);
  const page = await timed('/');
  assert.equal(page.status, 200, what);
  assert.ok(page.ms < 1000, `${what}: a page answered in ${page.ms} ms`);
}

/** A raw connection that sends `head` (and `body`) and then nothing more. */
function rawConnection(text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(demo.port, '127.0.0.1', () => {
      socket.write(text);
      resolve(socket);
    });
    socket.on('error', () => {}); // reset by the server: fine
    socket.once('error', reject);
  });
}

const batchOf = (i, pad = 0) =>
  JSON.stringify({ batch: [{ type: 'track', event: 'load', messageId: `m-${i}`, anonymousId: 'a', timestamp: new Date().toISOString(), properties: { pad: 'x'.repeat(pad) } }], sentAt: new Date().toISOString() });

test('a client that disconnects mid-upload (or mid-stream) does not stop the server', async () => {
  for (const path of ['/collect', '/collect?compression=gzip']) {
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${demo.port}\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n`;
    const socket = await rawConnection(head + '{"batch":[' + 'x'.repeat(2000));
    await sleep(50);
    socket.destroy(); // 2 KB of the promised 100 KB, then gone
    await sleep(100);
    await assertAnswering(`after an upload to ${path} was cut off`);
  }
  // Reset rather than closed (RST): the server's next write fails.
  const socket = await rawConnection(`POST /collect HTTP/1.1\r\nHost: 127.0.0.1:${demo.port}\r\nContent-Length: 50000\r\n\r\n` + 'y'.repeat(1000));
  await sleep(50);
  socket.resetAndDestroy();
  await sleep(100);
  await assertAnswering('after an upload was reset');
  // An inspector that goes away while batches are streamed to it.
  const inspector = await rawConnection(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${demo.port}\r\n\r\n`);
  await sleep(50);
  inspector.resetAndDestroy();
  for (let i = 0; i < 5; i++) assert.equal((await request('/collect', { method: 'POST', body: batchOf(i) })).status, 200);
  await assertAnswering('after an inspector vanished');
});

/**
 * A gzip bomb: `members` gzip members of 1 MiB of zeros each (gunzip reads
 * concatenated members as one stream), about 1 KB per MiB inflated.
 */
function gzipBomb(members) {
  const one = gzipSync(Buffer.alloc(1 << 20), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => one));
}

test('a gzip bomb is answered 413 at once, and the server keeps answering', async () => {
  const before = rssMB();
  // 1 MB on the wire, 1 GiB inflated; then one under the raw limit (200 MiB inflated).
  for (const [name, bomb] of [["1 MB -> 1 GiB", gzipBomb(990)], ['200 KB -> 200 MiB', gzipBomb(200)]]) {
    const answer = timed('/collect?compression=gzip', { method: 'POST', body: bomb });
    await sleep(20); // the page below is asked while the bomb is being handled
    const page = await timed('/');
    const { status, ms } = await answer;
    console.log(`# gzip bomb ${name} (${bomb.length} bytes): ${status} in ${ms} ms; a page meanwhile in ${page.ms} ms; server RSS ${before} -> ${rssMB()} MB`);
    assert.equal(status, 413, `${name}: refused as too large`);
    assert.ok(ms < 1000, `${name}: answered in ${ms} ms`);
    assert.ok(page.ms < 1000, `${name}: a page asked meanwhile answered in ${page.ms} ms`);
    await assertAnswering(`after the ${name} bomb`);
  }
  // A plain body over the raw limit: 413 too.
  assert.equal((await request('/collect', { method: 'POST', body: 'z'.repeat(2 << 20) })).status, 413);
  // An honest gzipped batch still arrives.
  const plain = batchOf('gz');
  assert.equal((await request('/collect?compression=gzip', { method: 'POST', body: gzipSync(plain) })).status, 200);
  await assertAnswering('after the bombs');
  const rss = rssMB();
  if (before != null) assert.ok(rss - before < 200, `server memory grew by ${rss - before} MB`);
});

test('an inspector that never reads is dropped, and the batch history it would replay is bounded', async () => {
  // Connects to the stream and never reads from it.
  const stalled = await rawConnection(`GET /events HTTP/1.1\r\nHost: 127.0.0.1:${demo.port}\r\nAccept: text/event-stream\r\n\r\n`);
  await sleep(100);
  const before = rssMB();
  const posts = 400;
  const pad = 100_000; // 40 MB of batches in all, each under footfall's largest body
  const t0 = performance.now();
  for (let i = 0; i < posts; i++) {
    const { status } = await request('/collect', { method: 'POST', body: batchOf(`big-${i}`, pad) });
    assert.equal(status, 200);
  }
  const during = rssMB();
  // Now read what the server kept for it: it must have given up on the client.
  let received = 0;
  const ended = new Promise((resolve) => {
    stalled.on('end', () => resolve(true));
    stalled.on('close', () => resolve(true));
  });
  stalled.on('data', (c) => (received += c.length));
  const closed = await Promise.race([ended, sleep(5000).then(() => false)]);
  stalled.destroy();
  console.log(
    `# never-reading inspector: ${posts} batches (${Math.round((posts * pad) / 1e6)} MB) posted in ${Math.round(performance.now() - t0)} ms; ` +
      `it was ${closed ? 'dropped' : 'kept'}, ${(received / 1e6).toFixed(1)} MB had been buffered for it; server RSS ${before} -> ${during} MB`,
  );
  assert.ok(closed, 'the server closed the stream of a client that does not read');
  assert.ok(received < (posts * pad) / 2, `${received} bytes were held for a client that did not read`);
  assert.match(demo.output(), /inspector dropped/, 'the server says why');

  // A new inspector gets the recent history, bounded in bytes.
  const controller = new AbortController();
  const res = await fetch(demo.origin + '/events', { signal: controller.signal });
  const reader = res.body.getReader();
  let text = '';
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const next = await Promise.race([reader.read(), sleep(300).then(() => null)]);
    if (!next || next.done) break;
    text += Buffer.from(next.value).toString('utf8');
  }
  controller.abort();
  const replayed = [...text.matchAll(/^event: batch$/gm)].length;
  console.log(`# a new inspector: ${replayed} batches replayed, ${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB`);
  assert.ok(replayed > 0, 'the latest batches are replayed');
  assert.ok(Buffer.byteLength(text) < 8e6, `replay of ${Buffer.byteLength(text)} bytes`);
  assert.match(text, new RegExp(`"messageId":"m-big-${posts - 1}"`), 'the newest batch is kept');
  await assertAnswering('after the stalled inspector');
});

test("only the server's own host and origin: another site (or DNS rebinding) gets 403", async () => {
  const own = `127.0.0.1:${demo.port}`;
  // The Host header: a name that is not the server's (DNS rebinding) is refused on every route.
  for (const host of [own, `localhost:${demo.port}`]) assert.equal((await request('/', { headers: { host } })).status, 200, host);
  for (const host of [`evil.example:${demo.port}`, 'evil.example', `127.0.0.1:${demo.port + 1}`, `localhost.evil.example:${demo.port}`]) {
    for (const [method, path] of [['GET', '/'], ['GET', '/collected.jsonl'], ['GET', '/events'], ['POST', '/collect'], ['POST', '/api/clear']]) {
      const { status } = await request(path, { method, headers: { host }, body: method === 'POST' ? batchOf('rebound') : undefined });
      assert.equal(status, 403, `${method} ${path} with Host ${host}`);
    }
  }
  // A page of another origin: no batches, no clearing, no reading.
  const lines = () => readFileSync(demo.collected, 'utf8').split('\n').filter(Boolean).length;
  const count = lines();
  for (const origin of ['http://evil.example', 'null', `http://127.0.0.1:${demo.port + 1}`, `https://${own}`]) {
    const headers = { origin };
    assert.equal((await request('/collect', { method: 'POST', headers, body: batchOf('cross') })).status, 403, `collect from ${origin}`);
    assert.equal((await request('/collect', { method: 'OPTIONS', headers })).status, 403, `preflight from ${origin}`);
    assert.equal((await request('/api/clear', { method: 'POST', headers })).status, 403, `clear from ${origin}`);
    assert.equal((await request('/collected.jsonl', { headers })).status, 403, `read from ${origin}`);
    assert.equal((await request('/events', { headers })).status, 403, `stream from ${origin}`);
  }
  assert.equal(lines(), count, 'nothing was written from another origin');
  // The demo's own pages: a beacon or fetch with the page's own Origin (either name), and no Origin at all (curl).
  for (const origin of [`http://${own}`, `http://localhost:${demo.port}`, undefined]) {
    const headers = origin ? { origin, 'sec-fetch-mode': 'no-cors' } : {};
    assert.equal((await request('/collect', { method: 'POST', headers, body: batchOf(`own-${origin}`) })).status, 200, `collect from ${origin}`);
    assert.equal((await request('/collected.jsonl', { headers })).status, 200, `read from ${origin}`);
  }
  assert.equal(lines(), count + 3);
  assert.equal((await request('/api/clear', { method: 'POST', headers: { origin: `http://${own}` } })).status, 204);
});

test('HOST=0.0.0.0 (or ::): the wildcard as the banner prints it and every local address are its own, other names are not', async () => {
  const { ownHosts } = await import('../../www/server.mjs');
  for (const wildcard of ['0.0.0.0', '::']) {
    const hosts = ownHosts(wildcard, 8080);
    for (const own of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', wildcard === '::' ? '[::]:8080' : '0.0.0.0:8080']) assert.ok(hosts.has(own), `${wildcard}: ${own}`);
    for (const other of ['evil.example:8080', '127.0.0.1:8081', 'localhost']) assert.ok(!hosts.has(other), `${wildcard}: ${other}`);
  }
  assert.deepEqual([...ownHosts('127.0.0.1', 80)], ['127.0.0.1:80', 'localhost:80', '[::1]:80']);
});
