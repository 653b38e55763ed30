// One small driver abstraction over three engines, so a test is written once:
// Chromium through playwright-core, Firefox ESR through puppeteer-core over
// WebDriver BiDi, WebKitGTK through its own WebDriver server (W3C WebDriver
// over HTTP, a few requests: no client library needed).
//
//   const browser = await launchEngine('firefox');
//   const context = await browser.newContext();   // its own storage
//   const page = await context.newPage(url);
//   await page.evaluate((n) => ff.trackEvent('x', { n }), 1);
//   await page.close();                           // the driver closes the tab
//
// Every wait is bounded. Page errors are caught by the page itself (the test
// server injects a recorder into every HTML page it serves, see harness.mjs)
// and read with `page.errors()`, since WebKit's driver reports none.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** The engines `npm test` runs, narrowed with FOOTFALL_ENGINES=chromium,webkit. */
export const ENGINES = (process.env.FOOTFALL_ENGINES || 'chromium,firefox,webkit')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

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

const which = (cmd) => {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`]).toString().trim();
  } catch {
    return '';
  }
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rejects after `ms` with `what` unless `promise` settles first. */
export function within(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Turns a function and its argument into script text calling it. */
function callText(fn, arg) {
  return `(${fn})(${arg === undefined ? '' : JSON.stringify(arg)})`;
}

/**
 * Starts one engine. Returns { name, newContext(), close() }.
 */
export async function launchEngine(name) {
  if (name === 'chromium') return launchChromium();
  if (name === 'firefox') return launchFirefox();
  if (name === 'webkit') return launchWebKit();
  throw new Error(`unknown engine ${name}`);
}

// ---------------------------------------------------------------- Chromium

async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const executablePath = process.env.CHROMIUM || which('chromium');
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  return {
    name: 'chromium',
    raw: browser,
    async newContext() {
      const context = await browser.newContext();
      return {
        async newPage(url) {
          const page = await context.newPage();
          const wrapped = wrapPage({
            goto: (u) => page.goto(u, { timeout: 15_000 }).then(() => {}),
            run: (fn, arg) => page.evaluate(fn, arg),
            reload: () => page.reload({ timeout: 15_000 }).then(() => {}),
            close: () => page.close(),
            url: async () => page.url(),
            clickAt: (x, y) => page.mouse.click(x, y),
          });
          if (url) await wrapped.goto(url);
          return wrapped;
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

// ---------------------------------------------------------------- Firefox

async function launchFirefox() {
  const puppeteer = (await import('puppeteer-core')).default;
  const executablePath = process.env.FIREFOX || which('firefox-esr') || which('firefox');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath,
    headless: true,
    protocolTimeout: 30_000,
    extraPrefsFirefox: {
      'dom.disable_open_during_load': false,
      'dom.allow_scripts_to_close_windows': true,
      'browser.tabs.warnOnClose': false,
      'network.proxy.type': 0,
    },
  });
  return {
    name: 'firefox',
    raw: browser,
    async newContext() {
      const context = await browser.createBrowserContext();
      return {
        async newPage(url) {
          const page = await context.newPage();
          const wrapped = wrapPage({
            goto: (u) => page.goto(u, { timeout: 15_000, waitUntil: 'load' }).then(() => {}),
            run: (fn, arg) => page.evaluate(fn, arg),
            reload: () => page.reload({ timeout: 15_000, waitUntil: 'load' }).then(() => {}),
            close: () => page.close(),
            url: async () => page.url(),
            clickAt: (x, y) => page.mouse.click(x, y),
          });
          if (url) await wrapped.goto(url);
          return wrapped;
        },
        close: () => context.close(),
      };
    },
    close: () => within(browser.close(), 15_000, 'closing Firefox').catch(() => browser.process()?.kill('SIGKILL')),
  };
}

// ---------------------------------------------------------------- WebKit

let xvfb = null;

/** Starts one Xvfb for the process (MiniBrowser has no headless mode). */
async function display() {
  if (process.env.DISPLAY && !process.env.FOOTFALL_XVFB) return process.env.DISPLAY;
  if (xvfb) return xvfb.display;
  let n = 99;
  while (existsSync(`/tmp/.X11-unix/X${n}`) || existsSync(`/tmp/.X${n}-lock`)) n++;
  const child = spawn(which('Xvfb') || 'Xvfb', [`:${n}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  child.unref();
  xvfb = { child, display: `:${n}` };
  process.once('exit', () => child.kill());
  for (let i = 0; i < 100 && !existsSync(`/tmp/.X11-unix/X${n}`); i++) await sleep(50);
  return xvfb.display;
}

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

function miniBrowser() {
  if (process.env.MINIBROWSER) return process.env.MINIBROWSER;
  for (const path of [
    '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.0/MiniBrowser',
  ]) {
    if (existsSync(path)) return path;
  }
  try {
    return execFileSync('sh', ['-c', "dpkg -L libwebkit2gtk-4.1-0 | grep '/MiniBrowser$' | head -1"]).toString().trim();
  } catch {
    return '';
  }
}

/** A W3C WebDriver session over HTTP. */
class WebDriverSession {
  constructor(base, id) {
    this.base = base;
    this.id = id;
    this.current = null;
  }

  async call(method, path, body) {
    const res = await within(
      fetch(`${this.base}/session/${this.id}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      60_000,
      `WebDriver ${method} ${path}`,
    );
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${json.value?.error ?? res.status}: ${json.value?.message ?? ''}`);
    return json.value;
  }

  async use(handle) {
    if (this.current === handle) return;
    await this.call('POST', '/window', { handle });
    this.current = handle;
  }
}

async function launchWebKit() {
  const env = { ...process.env, DISPLAY: await display() };
  const port = await freePort();
  const driver = spawn(which('WebKitWebDriver') || 'WebKitWebDriver', [`--port=${port}`, '--host=local'], { env, stdio: 'ignore' });
  driver.unref();
  const base = `http://127.0.0.1:${port}`;
  process.once('exit', () => driver.kill());
  for (let i = 0; ; i++) {
    try {
      const res = await fetch(`${base}/status`);
      if (res.ok) break;
    } catch {}
    if (i > 200) throw new Error('WebKitWebDriver did not start');
    await sleep(50);
  }
  const sessions = new Set();
  return {
    name: 'webkit',
    async newContext() {
      // A session is a browser of its own: its own storage, like a context.
      // WebKitWebDriver runs one session at a time: one a failed test left
      // open is ended first.
      for (const s of sessions) {
        sessions.delete(s);
        await fetch(`${base}/session/${s.id}`, { method: 'DELETE' }).catch(() => {});
      }
      const res = await within(
        fetch(`${base}/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            capabilities: {
              alwaysMatch: {
                browserName: 'MiniBrowser',
                'webkitgtk:browserOptions': {
                  binary: miniBrowser(),
                  args: ['--automation', '--javascript-can-open-windows-automatically=true'],
                },
              },
            },
          }),
        }),
        60_000,
        'a WebKit session',
      );
      const json = await res.json();
      if (!res.ok) throw new Error(`WebKit session: ${json.value?.message ?? res.status}`);
      const session = new WebDriverSession(base, json.value.sessionId);
      sessions.add(session);
      await session.call('POST', '/timeouts', { script: 30_000, pageLoad: 30_000 });
      // Pages use the session's first window, then new ones. Only the first
      // window may open popups (MiniBrowser's --javascript-can-open-windows-
      // automatically applies to it alone), and closing a session's last
      // window ends the session: a blank window is opened first then.
      let first = await session.call('GET', '/window');
      session.current = first;
      const open = new Set();
      return {
        async newPage(url) {
          let handle = first;
          if (first) first = null;
          else handle = (await session.call('POST', '/window/new', { type: 'tab' })).handle;
          open.add(handle);
          const wrapped = wrapPage({
            goto: async (u) => {
              await session.use(handle);
              await session.call('POST', '/url', { url: u });
            },
            run: async (fn, arg) => {
              await session.use(handle);
              const script =
                'const done = arguments[arguments.length - 1];' +
                `Promise.resolve().then(() => ${callText(fn, arg)}).then(` +
                '(v) => done(v === undefined ? { undef: true } : { ok: v }), (e) => done({ error: String(e) + (e && e.stack ? "\\n" + e.stack : "") }));';
              const out = await session.call('POST', '/execute/async', { script, args: [] });
              if (out && 'error' in out) throw new Error(out.error);
              return out?.undef ? undefined : out?.ok;
            },
            reload: async () => {
              await session.use(handle);
              await session.call('POST', '/refresh', {});
            },
            close: async () => {
              await session.use(handle);
              if (open.size === 1) {
                const keeper = (await session.call('POST', '/window/new', { type: 'tab' })).handle;
                open.add(keeper);
              }
              const left = await session.call('DELETE', '/window');
              open.delete(handle);
              session.current = null;
              if (left?.[0]) await session.use(left[0]);
            },
            url: async () => {
              await session.use(handle);
              return session.call('GET', '/url');
            },
            clickAt: async (x, y) => {
              await session.use(handle);
              const pointer = { type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' } };
              const actions = [
                { type: 'pointerMove', x: Math.round(x), y: Math.round(y), origin: 'viewport', duration: 0 },
                { type: 'pointerDown', button: 0 },
                { type: 'pointerUp', button: 0 },
              ];
              await session.call('POST', '/actions', { actions: [{ ...pointer, actions }] });
            },
          });
          if (url) await wrapped.goto(url);
          return wrapped;
        },
        async close() {
          sessions.delete(session);
          await fetch(`${base}/session/${session.id}`, { method: 'DELETE' }).catch(() => {});
        },
      };
    },
    async close() {
      for (const s of sessions) await fetch(`${base}/session/${s.id}`, { method: 'DELETE' }).catch(() => {});
      driver.kill();
    },
  };
}

// ---------------------------------------------------------------- Page

/**
 * The page every engine gives: goto, evaluate, waitForFunction, reload,
 * close, url, errors.
 */
function wrapPage(raw) {
  return {
    goto: (url) => raw.goto(url),
    /** Runs `fn(arg)` in the page (a promise is awaited), returning its JSON result. */
    evaluate: (fn, arg) => raw.run(fn, arg),
    /** Polls `fn(arg)` in the page until it is truthy, at most `ms`. */
    async waitForFunction(fn, arg, ms = 10_000) {
      const end = Date.now() + ms;
      let last;
      while (Date.now() < end) {
        try {
          last = await raw.run(fn, arg);
          if (last) return last;
        } catch (e) {
          last = e;
        }
        await sleep(25);
      }
      throw new Error(`timed out after ${ms} ms waiting for ${String(fn).slice(0, 120)} (${last})`);
    },
    reload: () => raw.reload(),
    close: () => raw.close(),
    url: () => raw.url(),
    /** A real (trusted) mouse click at viewport coordinates, in CSS pixels. */
    clickAt: (x, y) => raw.clickAt(x, y),
    /** A real mouse click in the middle of the first element matching `selector`. */
    async click(selector) {
      const at = await raw.run((s) => {
        const r = document.querySelector(s).getBoundingClientRect();
        return [r.left + r.width / 2, r.top + r.height / 2];
      }, selector);
      await raw.clickAt(at[0], at[1]);
    },
    /**
     * Errors the page recorded (uncaught errors, rejections, console.error;
     * the test server injects the recorder into every page it serves).
     */
    errors: () => raw.run(() => window.__ffErrors ?? []),
    /** console.warn lines the page recorded. */
    warnings: () => raw.run(() => window.__ffWarnings ?? []),
  };
}
