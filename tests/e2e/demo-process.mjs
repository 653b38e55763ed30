// Starts the demo server as `npm run demo` does (`node www/server.mjs`), for
// the tests that drive it: demo.test.mjs (with a browser) and
// demo-server.test.mjs (Node only).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * The browser tests of a file share one demo server (its JSON Lines file
 * at `collected`) and one Chromium (`launch`): `start()` in the file's
 * `before`, `close()` in its `after`. Then `demo`, `browser`, `problems`
 * (console errors and page errors of every page watched), `watch(page)`,
 * and `visitor(viewport)`: a browser context of its own (own storage, own
 * anonymousId) whose `open(path)` waits for the store to be ready.
 */
export function demoBrowser(collected, launch) {
  const session = {
    demo: undefined,
    browser: undefined,
    problems: [],
    async start() {
      session.demo = await startDemoProcess(collected);
      session.browser = await launch();
    },
    async close() {
      await session.browser?.close();
      await session.demo?.stop();
    },
    watch(page) {
      page.on('pageerror', (e) => session.problems.push(`${page.url()}: ${e}`));
      page.on('console', (m) => m.type() === 'error' && session.problems.push(`${page.url()}: ${m.text()}`));
    },
    async visitor({ width = 1280, height = 800 } = {}) {
      const context = await session.browser.newContext({ viewport: { width, height } });
      const open = async (path) => {
        const page = await context.newPage();
        session.watch(page);
        await page.goto(session.demo.origin + path);
        await page.waitForFunction(() => window.demoReady);
        return page;
      };
      return { context, open };
    },
  };
  return session;
}

/**
 * [`demoBrowser`] for a test file's browser tests, its JSON Lines file in a
 * temporary directory of its own: started in one `before` hook, which then
 * calls `ready(session)`, and closed (the directory removed) in `after`.
 */
export function useDemoBrowser(name, { before, after, launch }, ready) {
  const dir = mkdtempSync(join(tmpdir(), `footfall-demo-${name}-`));
  const session = demoBrowser(join(dir, `${name}.jsonl`), launch);
  before(async () => {
    await session.start();
    ready(session);
  });
  after(async () => {
    await session.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return session;
}

/** Events of the JSON Lines file, batch context merged (as the inspector shows them). */
export const eventsOf = (lines) => lines.flatMap((l) => (l.body?.batch ?? []).map((e) => (l.body.context ? { ...e, context: { ...l.body.context, ...e.context } } : e)));

/** Resolves once `predicate()` holds, polling every 50 ms; rejects naming `what` after `ms`. */
export async function waitFor(predicate, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await predicate()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}
