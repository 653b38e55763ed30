// Starts the demo server as `npm run demo` does (`node www/server.mjs`), for
// the tests that drive it: demo.test.mjs (with a browser) and
// demo-server.test.mjs (Node only).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `node www/server.mjs` on a free port (PORT=0) with its JSON Lines
 * file at `collected`. Resolves once it printed its URLs.
 */
export async function startDemoProcess(collected, env = {}) {
  const child = spawn(process.execPath, ['www/server.mjs'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', COLLECTED: collected, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const end = Date.now() + 10000;
  let origin;
  // The last line of the banner: every line is there, the Ctrl-C handler too.
  while (!(origin = /footfall demo:\s+(http:\/\/[^/\s]+)\/[^]*Ctrl-C stops/.exec(out)?.[1])) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`the demo did not start:\n${out}`);
    await sleep(25);
  }
  return {
    origin,
    port: Number(new URL(origin).port),
    child,
    exited,
    collected,
    output: () => out,
    /** The batches appended to the JSON Lines file. */
    lines: () => {
      try {
        return readFileSync(collected, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    },
    stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}
