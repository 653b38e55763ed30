// Shared by every store page: the header and footer, the consent banner, the
// exit offer, the inspector panel, and footfall itself.
//
// Page scripts `import { ready, track } from '/assets/store.js'`. Page views,
// scroll depth, rage clicks, exit intent, page leave, `data-ff-event` clicks,
// uncaught errors, form starts, submits and abandons, web vitals and click
// maps are footfall's automatic events (autocapture): no code here.
import { init } from '/dist/footfall.mjs';
import { LOGO, ICONS } from '/assets/icons.js';
import { EXPERIMENTS } from '/assets/experiments.js';

const $ = (selector, root = document) => root.querySelector(selector);

/**
 * footfall's options in the demo: opt-in consent, gzipped batches, a flush
 * interval of 1 s (default 3 s) so events show up at once, the GA4
 * ecommerce pushes of the booking flow (book.js) read from the dataLayer as
 * Segment Ecommerce events (`purchase` -> `Order Completed`), uncaught
 * errors and unhandled rejections as `error` events, form starts, submits
 * and abandons, each page view's Core Web Vitals (`web_vitals`) and its
 * clicks as click-map points (`heatmap`) (the default signals stay on: an
 * `autocapture` object changes only the members it names), and the A/B
 * experiment on the home page's headline (`hero_copy`, in experiments.js).
 */
export const OPTIONS = {
  endpoint: '/collect',
  writeKey: 'fixwell-demo',
  flushIntervalMs: 1000,
  compression: 'gzip',
  consent: { mode: 'opt-in' },
  dataLayer: { ecommerce: true },
  autocapture: { errors: true, forms: true, webVitals: true, heatmap: true },
  experiments: EXPERIMENTS,
  debug: true,
};

// ---------------------------------------------------------------- chrome

const NAV = [
  ['/#services', 'Services', 'hide-sm'],
  ['/quote', 'Get a quote', 'hide-sm'],
  ['/book', 'Book a repair', ''],
];

function renderChrome() {
  const store = $('.store');
  const here = location.pathname;
  const nav = NAV.map(([href, label, cls]) => {
    const current = href === here || (href === '/book' && here.startsWith('/book'));
    return `<a href="${href}" class="${cls}"${current ? ' aria-current="page"' : ''}>${label}</a>`;
  }).join('');
  store.insertAdjacentHTML(
    'afterbegin',
    `<header class="site-header">
      <div class="wrap">
        <a class="logo" href="/">${LOGO}<span>Fixwell</span></a>
        <nav class="site-nav" aria-label="Main">${nav}</nav>
        <button class="panel-toggle" type="button" aria-controls="inspector-panel" aria-expanded="false"><span class="dot" aria-hidden="true"></span>Inspector</button>
      </div>
    </header>`,
  );
  store.insertAdjacentHTML(
    'beforeend',
    `<footer class="site-footer">
      <div class="wrap">
        <div><strong>Fixwell</strong> · 12 Harbour Street · Mon–Sat 9:00–19:00<br><small>A demo store for footfall: nothing here is for sale.</small></div>
        <nav aria-label="Footer">
          <a href="/#services">Services</a><a href="/quote">Get a quote</a><a href="/book">Book a repair</a><a href="/inspector">Inspector (full page)</a>
          <button type="button" class="link-button" id="privacy-settings" aria-controls="consent">Privacy settings</button>
        </nav>
      </div>
    </footer>`,
  );
  document.body.insertAdjacentHTML('afterbegin', `<a class="skip-link" href="#main">Skip to content</a>`);
  $('.skip-link').insertAdjacentHTML(
    'afterend',
    `<section class="consent" id="consent" role="dialog" aria-modal="false" aria-labelledby="consent-title" aria-describedby="consent-text" hidden>
      <h2 id="consent-title">Your privacy, your choice</h2>
      <p id="consent-text">Fixwell measures visits with footfall to learn which repairs people look for.
        <strong>Nothing is sent or stored on this device until you choose.</strong></p>
      <form id="consent-form">
        <fieldset id="consent-choices" hidden>
          <legend>Categories</legend>
          <div class="toggle"><input type="checkbox" id="consent-necessary" checked disabled><label for="consent-necessary">Necessary</label><small>Remembers this choice. Always on.</small></div>
          <div class="toggle"><input type="checkbox" id="consent-analytics" name="analytics"><label for="consent-analytics">Analytics</label><small>Page views, clicks and bookings, sent to this store's own collector.</small></div>
          <div class="toggle"><input type="checkbox" id="consent-marketing" name="marketing"><label for="consent-marketing">Marketing</label><small>Measuring ad campaigns.</small></div>
        </fieldset>
        <div class="buttons">
          <button type="button" class="btn secondary" data-consent="reject">Reject all</button>
          <button type="button" class="btn" data-consent="accept">Accept all</button>
        </div>
        <div class="more">
          <button type="button" class="link-button" id="consent-customize" aria-expanded="false" aria-controls="consent-choices">Choose categories</button>
          <button type="submit" class="btn small ghost" id="consent-save" hidden>Save choices</button>
          <button type="button" class="btn small ghost" id="consent-close" hidden>Close</button>
        </div>
      </form>
    </section>`,
  );
  document.body.insertAdjacentHTML(
    'beforeend',
    `<div class="toast" role="status" aria-live="polite"></div>
    <dialog class="offer" id="exit-offer" aria-modal="true" aria-labelledby="offer-title" aria-describedby="offer-text">
      <div class="offer-top">
        <button class="close" type="button" aria-label="Close the offer" data-offer="dismiss">×</button>
        <p class="big" aria-hidden="true">−10%</p>
      </div>
      <div class="offer-body">
        <h2 id="offer-title">Leaving already?</h2>
        <p id="offer-text">Book any repair today and save 10% with the code <span class="coupon">STAYFIXED</span>. Most repairs are done in under an hour.</p>
        <div class="buttons">
          <a class="btn" href="/book?coupon=STAYFIXED" data-offer="accept" autofocus>Book with 10% off</a>
          <button class="btn ghost" type="button" data-offer="dismiss">No thanks</button>
        </div>
        <p class="demo-note"><b>DEMO</b> Opened by <code>ff.onExitIntent()</code>: the pointer left through the top of the window.</p>
      </div>
    </dialog>
    <aside class="panel" id="inspector-panel" aria-label="footfall inspector">
      <div class="panel-bar"><span>Live events</span><button type="button" data-panel="close">Back to the store</button></div>
      <iframe title="footfall live event inspector"></iframe>
    </aside>`,
  );
}

// ----------------------------------------------------------------- toast

let toastTimer;
/** Shows a short message, announced to screen readers. */
export function toast(text) {
  const el = $('.toast');
  if (!el) return;
  el.textContent = text;
  el.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => el.classList.remove('show'), 3200);
}

// ----------------------------------------------------------------- panel

const WIDE = matchMedia('(min-width: 1100px)');

function setupPanel() {
  const toggle = $('.panel-toggle');
  const frame = $('#inspector-panel iframe');
  const set = (open, remember = true) => {
    if (open && !frame.src) frame.src = '/inspector?embed=1';
    document.body.classList.toggle('panel-open', open);
    toggle.setAttribute('aria-expanded', String(open));
    if (remember) sessionStorage.setItem('fixwell.panel', open ? 'open' : 'closed');
  };
  // Open beside the store on wide screens unless closed in this tab; over
  // the store on narrow ones, so only when asked.
  set(WIDE.matches && sessionStorage.getItem('fixwell.panel') !== 'closed', false);
  toggle.addEventListener('click', () => set(!document.body.classList.contains('panel-open')));
  $('[data-panel="close"]').addEventListener('click', () => {
    set(false);
    toggle.focus();
  });
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !WIDE.matches && document.body.classList.contains('panel-open') && !$('dialog[open]')) {
      set(false);
      toggle.focus();
    }
  });
}

/** Tells the embedded inspector what this tab's footfall client knows. */
function postStatus(ff) {
  const frame = $('#inspector-panel iframe');
  if (!frame?.src || !frame.contentWindow) return;
  const consent = ff?.getConsent?.();
  frame.contentWindow.postMessage(
    {
      source: 'fixwell-store',
      loaded: Boolean(ff),
      path: location.pathname,
      consent: consent ? { decided: consent.decided, categories: consent.categories } : null,
      stats: ff?.stats?.() ?? null,
      anonymousId: ff?.anonymousId?.() ?? '',
      sessionId: ff?.sessionId?.() ?? '',
    },
    location.origin,
  );
}

// --------------------------------------------------------------- consent

function setupConsent(ff) {
  const banner = $('#consent');
  const form = $('#consent-form');
  const choices = $('#consent-choices');
  const customize = $('#consent-customize');
  const save = $('#consent-save');
  const close = $('#consent-close');
  const settings = $('#privacy-settings');
  let returnFocus = null;

  const expand = (open) => {
    choices.hidden = !open;
    save.hidden = !open;
    customize.setAttribute('aria-expanded', String(open));
  };
  const show = ({ fromSettings }) => {
    const { categories, decided } = ff.getConsent();
    form.analytics.checked = Boolean(categories?.analytics);
    form.marketing.checked = Boolean(categories?.marketing);
    expand(fromSettings);
    close.hidden = !decided;
    banner.hidden = false;
    if (fromSettings) {
      returnFocus = document.activeElement;
      form.analytics.focus();
    }
  };
  const hide = () => {
    banner.hidden = true;
    if (returnFocus?.isConnected) returnFocus.focus();
    returnFocus = null;
  };
  const decide = (categories) => {
    ff.setConsent(categories);
    if (categories.analytics) showAssignedVariants(ff);
    hide();
    toast(categories.analytics ? 'Analytics on: watch the events arrive in the inspector.' : 'Analytics off: nothing is sent or stored.');
    postStatus(ff);
  };

  banner.addEventListener('click', (e) => {
    const action = e.target.closest('[data-consent]')?.dataset.consent;
    if (action === 'accept') decide({ analytics: true, marketing: true, personalization: true });
    if (action === 'reject') decide({ analytics: false, marketing: false, personalization: false });
  });
  customize.addEventListener('click', () => expand(choices.hidden));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    decide({ analytics: form.analytics.checked, marketing: form.marketing.checked });
  });
  close.addEventListener('click', hide);
  banner.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && ff.getConsent().decided) {
      e.stopPropagation();
      hide();
    }
  });
  settings.addEventListener('click', () => show({ fromSettings: true }));
  if (!ff.getConsent().decided) show({ fromSettings: false });
}

// ----------------------------------------------------------- experiments

/**
 * Shows, for each experiment on the page, the element of `choose(key)`
 * (its first element when it names none) and hides the others, as footfall
 * does when it starts (`data-ff-on` on the shown one, `hidden` on the rest).
 */
function showVariants(choose) {
  const chosen = new Map();
  for (const el of document.querySelectorAll('[data-ff-experiment]')) {
    const key = el.dataset.ffExperiment;
    if (!chosen.has(key)) chosen.set(key, choose(key) || el.dataset.ffVariant);
    const on = el.dataset.ffVariant === chosen.get(key);
    el.hidden = !on;
    el.toggleAttribute('data-ff-on', on);
  }
}

/**
 * Consent just granted on this page: before it, footfall showed the
 * control and recorded nothing. Now the visitor has an assignment, so the
 * page shows it and `variant(key)` records its exposure: the headline a
 * visitor is counted under is the one they see.
 */
function showAssignedVariants(ff) {
  showVariants((key) => ff.variant(key));
}

// ------------------------------------------------------------ exit offer

function setupExitOffer(ff) {
  const dialog = $('#exit-offer');
  let opener = null;
  const open = () => {
    if (dialog.open || !$('#consent').hidden || location.pathname === '/book/confirm') return;
    opener = document.activeElement;
    dialog.showModal();
    track('exit_offer_shown', { path: location.pathname });
  };
  const close = (outcome) => {
    if (!dialog.open) return;
    track('exit_offer_' + outcome);
    dialog.close();
  };
  dialog.addEventListener('close', () => {
    if (opener?.isConnected && opener !== document.body) opener.focus();
    opener = null;
  });
  dialog.addEventListener('cancel', () => track('exit_offer_dismissed', { via: 'escape' }));
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) return close('dismissed'); // the backdrop
    const action = e.target.closest('[data-offer]')?.dataset.offer;
    if (action === 'dismiss') close('dismissed');
    if (action === 'accept') track('exit_offer_accepted');
  });
  // Keeps Tab inside the dialog (the browser would move on to its own UI).
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const items = [...dialog.querySelectorAll('a[href], button:not([disabled])')];
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  });
  ff.onExitIntent(open);
}

// --------------------------------------------------------------- preview

/**
 * Whether this page is the inspector's heat-map preview (an iframe of the
 * page at a visitor's width, under the points of its click map): it must
 * not be a visit. It is when its URL has `ff_preview=1` (the src the
 * inspector gives it) or when its frame element is marked `data-ff-preview`
 * (so a page the preview somehow navigates to stays one). A preview renders
 * the page as a first visit sees it (experiments show their control), and
 * never starts footfall: no event, nothing stored, no consent banner, no
 * exit offer, no inspector inside it.
 */
export const PREVIEW = (() => {
  try {
    return new URLSearchParams(location.search).get('ff_preview') === '1' || Boolean(window.frameElement?.hasAttribute('data-ff-preview'));
  } catch {
    return false;
  }
})();

/**
 * The layout a visitor's first visit has: on wide screens, the store beside
 * the (here empty) inspector panel, as `setupPanel` opens it. No transition,
 * so the inspector measures the final layout; the scrollbar's width kept as
 * a visitor's taller-than-the-window page has it (the preview iframe is as
 * tall as the page and would have none).
 */
function setupPreview() {
  $('.store').style.transition = 'none';
  document.body.classList.toggle('panel-open', WIDE.matches);
  document.documentElement.style.overflowY = 'scroll';
  showVariants(() => ''); // footfall does not start: each experiment's first variant, the control
  window.demoPreview = true;
}

// -------------------------------------------------------------- footfall

let client = null;

/** `trackEvent` when footfall is loaded; nothing otherwise. */
export function track(name, properties) {
  client?.trackEvent(name, properties);
}

async function start() {
  renderChrome();
  if (PREVIEW) {
    setupPreview();
    return null;
  }
  setupPanel();
  let ff;
  try {
    ff = await init(OPTIONS);
  } catch (e) {
    console.error('footfall did not start:', e);
    toast('footfall did not load: run `npm run demo` to build it.');
    postStatus(null);
    return null;
  }
  client = ff;
  window.ff = ff; // for the console: ff.trackEvent('hello', { from: 'console' })
  setupConsent(ff);
  setupExitOffer(ff);
  const frame = $('#inspector-panel iframe');
  frame.addEventListener('load', () => postStatus(ff));
  setInterval(() => postStatus(ff), 1000);
  document.addEventListener('click', () => setTimeout(() => postStatus(ff), 50));
  window.demoReady = true;
  console.info('footfall demo: try ff.trackEvent("hello", { from: "console" }) here, and watch the inspector.');
  return ff;
}

/** Resolves with the footfall client once it started (null if it could not). */
export const ready = start();

export { ICONS };
