// One unload run: a page tracks a burst of events and is closed one of three
// ways; then what reached the collector, and what the page left in storage,
// are measured; then the visitor comes back and what the next page sends is
// measured too. Shared by tests/e2e/unload.test.mjs (assertions) and
// bench/unload.mjs (the table in the README).
import { testPage, sleep } from './harness.mjs';

let runs = 0;

/** How a page goes away. */
export const CLOSE_MODES = ['driver close', 'navigation', 'window.close()'];

const BLANK = '/tests/e2e/pages/blank.html';

/** Every footfall event stored in this origin's localStorage: messageIds. */
const storedIds = () =>
  Object.keys(localStorage)
    .filter((k) => k.startsWith('footfall.q.'))
    .flatMap((k) =>
      localStorage
        .getItem(k)
        .split('\n')
        .map((line) => {
          try {
            return JSON.parse(line).messageId;
          } catch {
            return 'unparsable';
          }
        }),
    );

/**
 * Runs one close. `answer` is how the collector answers (`{ status, delayMs }`),
 * `options` footfall's options, `waitMs` the time between the burst and a
 * driver close. Returns
 * `{ tracked, within5s, afterRevisit, twice, twiceBeforeRevisit, twiceVia,
 * ackedStored, stored, errors, requests }`: events delivered within 5 s of
 * the close, delivered in all after a revisit, delivered more than once (in
 * all, and before the revisit, with how they travelled), left in storage
 * although the collector had acknowledged them, and left in storage at all;
 * `endedMidway` when the browser ended the page's unload work before its
 * end, `endedBeforeBeacons` when it did so before any beacon left, and
 * `neverUnloaded` when no listener of footfall's ran (seen in the page's own
 * trace).
 */
export async function closeRun(browser, collector, { mode, answer = { status: 200 }, options = {}, events = 200, revisit = true, waitMs = 0 }) {
  collector.reset();
  collector.respond = () => answer;
  // This run's events only: a page of an earlier run may still send.
  const name = `burst_${++runs}`;
  const mine = () => {
    const counts = new Map();
    for (const e of collector.events()) if (e.event === name) counts.set(e.messageId, (counts.get(e.messageId) ?? 0) + 1);
    return counts;
  };
  collector.initScripts.push(`(${tracer})()`);
  const context = await browser.newContext();
  const url = collector.origin + testPage(options);
  let page;
  let errors = [];
  try {
    // A page of the same origin without footfall: it opens the page that
    // closes itself, reads what is left in storage, and comes back.
    const probe = await context.newPage(collector.origin + BLANK);
    if (mode === 'window.close()') {
      await probe.evaluate(
        (u) =>
          new Promise((resolve, reject) => {
            window.popup = window.open(u);
            if (!window.popup) return reject(new Error('window.open was blocked'));
            const t = setInterval(() => window.popup.ffReady && (clearInterval(t), resolve()), 20);
          }),
        url,
      );
      errors = await probe.evaluate(() => popup.__ffErrors.slice());
      // The page closes itself right after the burst (its own script, in its own realm).
      await probe.evaluate(
        ([n, name]) => popup.eval(`for (let i = 0; i < ${n}; i++) ff.trackEvent('${name}', { i, label: 'event number ' + i }); window.close();`),
        [events, name],
      );
    } else {
      page = await context.newPage(url);
      await page.waitForFunction(() => window.ffReady);
      errors = await page.errors();
      if (mode === 'driver close') {
        await page.evaluate(([n, name]) => {
          for (let i = 0; i < n; i++) ff.trackEvent(name, { i, label: 'event number ' + i });
        }, [events, name]);
        if (waitMs) await sleep(waitMs);
        await page.close();
      } else {
        await page.evaluate(
          ([n, next, name]) => {
            for (let i = 0; i < n; i++) ff.trackEvent(name, { i, label: 'event number ' + i });
            location.href = next;
          },
          [events, collector.origin + BLANK, name],
        );
      }
    }
    const closedAt = Date.now();
    await collector.waitFor(() => mine().size >= events, 5000).catch(() => {});
    const within5s = mine().size;
    // A moment for what is still on its way (a duplicate, a late write).
    await sleep(600);
    // What the page left behind.
    const stored = await probe.evaluate(storedIds);
    const acked = new Set(collector.events().map((e) => e.messageId));
    const ackedStored = stored.filter((id) => acked.has(id)).length;
    const requests = collector.requests.map((r) => `${r.via}:${r.status}:${r.body?.batch?.length ?? '?'}@${r.at - closedAt}`);
    const trace = await probe.evaluate(() => window.__trace ?? []);
    // The page got to the end of its unload work: after its last beacon
    // left, it removed its heartbeat (nothing left to hand over). When it
    // did not, the browser ended it midway (Firefox, closing a tab).
    const lastBeacon = trace.findLastIndex((t) => t.includes(' beacon '));
    const endedMidway = lastBeacon >= 0 && !trace.slice(lastBeacon).some((t) => / remove footfall\.hb\./.test(t));
    // The browser destroyed the page before footfall did anything on its
    // way out (seen once in a few hundred Firefox tab closes): no beacon
    // could leave; what was stored stays for a later visit.
    const hide = trace.findIndex((t) => / (pagehide|visibility hidden) /.test(t));
    const neverUnloaded = stored.length > 0 && !trace.slice(hide < 0 ? trace.length : hide).some((t) => / (set|remove) footfall\.| beacon /.test(t));
    // The browser ended the page's unload work after its first storage
    // writes and before its first beacon, and did not run the listener
    // again (seen once in about 50 Firefox tab closes): what was stored
    // stays for a later visit, as when it never unloaded.
    const afterHide = trace.slice(hide < 0 ? trace.length : hide);
    const endedBeforeBeacons =
      !neverUnloaded && hide >= 0 && stored.length > 0 && !afterHide.some((t) => / beacon /.test(t)) && !afterHide.some((t) => / remove footfall\.hb\./.test(t));
    const lost = [...Array(events).keys()].length - new Set([...mine().keys(), ...stored]).size;
    // How each event sent twice travelled, before any revisit.
    const vias = new Map();
    for (const r of collector.requests) for (const e of r.body?.batch ?? []) if (e.event === name) vias.set(e.messageId, [...(vias.get(e.messageId) ?? []), r.via]);
    const twiceVia = [...new Set([...vias.values()].filter((v) => v.length > 1).map((v) => v.join('+')))];
    const twiceBeforeRevisit = [...vias.values()].filter((v) => v.length > 1).length;
    let afterRevisit = within5s;
    if (revisit) {
      // The visitor comes back: the next page adopts what was left and sends it.
      await probe.goto(collector.origin + testPage(options));
      await probe.waitForFunction(() => window.ffReady);
      await collector.waitFor(() => mine().size >= events, 3000).catch(() => {});
      // Adoption sends at once; a leaving outbox is adopted after 2 s.
      await sleep(within5s < events ? 2500 : 800);
      afterRevisit = mine().size;
    }
    // The last page goes too: what it sends on its way out counts here.
    await probe.close();
    await sleep(500);
    const twice = [...mine().values()].filter((n) => n > 1).length;
    return { mode, tracked: events, within5s, afterRevisit, twice, twiceBeforeRevisit, twiceVia, ackedStored, stored: stored.length, lost, endedMidway, neverUnloaded, endedBeforeBeacons, errors, requests, trace: process.env.FOOTFALL_TRACE || endedBeforeBeacons ? trace : undefined };
  } finally {
    await context.close();
  }
}

/**
 * Run first in every page: reports footfall's storage writes, fetches,
 * beacons and the page's lifecycle events to the blank probe page
 * (BroadcastChannel), which keeps them in `window.__trace`. Returned with
 * each run when FOOTFALL_TRACE=1.
 */
export function tracer() {
  const bc = new BroadcastChannel('ff-trace');
  // Every page keeps what the others report (and its own lines).
  window.__trace = [];
  bc.onmessage = (e) => window.__trace.push(e.data);
  if (location.pathname.endsWith('blank.html')) return;
  const t0 = performance.now();
  const id = Math.random().toString(36).slice(2, 6);
  const log = (s) => {
    const line = `${Math.round(performance.now() - t0)} ${s} ${window.event?.type ?? ''} [${id}]`;
    window.__trace.push(line);
    bc.postMessage(line);
  };
  const S = Storage.prototype;
  const [set, remove, beacon, fetch] = [S.setItem, S.removeItem, navigator.sendBeacon, window.fetch];
  const lines = (v) => String(v).split('\n').length;
  S.setItem = function (k, v) {
    if (/^footfall\.(q|hb)\./.test(k)) log(`set ${k} ${k.includes('.hb.') ? v : lines(v)}`);
    return set.call(this, k, v);
  };
  S.removeItem = function (k) {
    if (/^footfall\.(q|hb)\./.test(k)) log(`remove ${k}`);
    return remove.call(this, k);
  };
  navigator.sendBeacon = function (u, b) {
    log(`beacon ${lines(b)}`);
    const r = beacon.call(this, u, b);
    log(`beacon returned ${r}`);
    return r;
  };
  window.fetch = function (u, init) {
    const p = fetch.call(this, u, init);
    if (init?.method === 'POST') {
      log('fetch');
      p.then((r) => log(`fetch answered ${r.status}`), (e) => log(`fetch rejected ${e}`));
    }
    return p;
  };
  addEventListener('pagehide', () => log('pagehide'), true);
  document.addEventListener('visibilitychange', () => log(`visibility ${document.visibilityState}`), true);
}
