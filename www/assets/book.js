// The booking funnel, a client-side routed section:
//   /book (service) -> /book/details -> /book/confirm
// Steps change with history.pushState; back and forward work (popstate).
// Events: booking_started (service chosen), booking_completed (confirmed).
// GA4 ecommerce pushes on window.dataLayer, as a store using Google Tag
// Manager makes them (footfall's `dataLayer: { ecommerce: true }` turns them
// into Segment Ecommerce events): begin_checkout with booking_started,
// purchase at confirmation. No add_payment_info: repairs are paid at the
// counter.
import { SERVICES, serviceBySlug, euros, CURRENCY } from '/assets/services.js';
import { track, ready } from '/assets/store.js';

const query = new URLSearchParams(location.search);
const coupon = query.get('coupon') === 'STAYFIXED' ? 'STAYFIXED' : '';
const STEPS = { '/book': 'service', '/book/details': 'details', '/book/confirm': 'confirm' };
const TITLES = { service: 'Choose a repair', details: 'Your details', confirm: 'Confirm your booking' };

const state = {
  service: serviceBySlug(query.get('service'))?.slug ?? '',
  model: Math.max(0, Math.min(Number(query.get('model')) || 0, (serviceBySlug(query.get('service'))?.models.length ?? 1) - 1)),
  day: '',
  time: '',
  name: '',
  phone: '',
  started: false,
  done: null,
};

const escape = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const root = document.getElementById('step');
const service = () => serviceBySlug(state.service);
const price = () => {
  const base = service()?.models[state.model]?.[1] ?? 0;
  return coupon ? Math.round(base * 0.9) : base;
};

/** The booking's one GA4 item: the service, its tier and the chosen model. */
function item() {
  const s = service();
  return { item_id: s.key, item_name: s.name, item_category: s.tier, item_variant: s.models[state.model][0], price: price(), quantity: 1 };
}

/**
 * Pushes a GA4 ecommerce event onto the dataLayer, after clearing the
 * previous `ecommerce` object as Google advises.
 */
function pushEcommerce(event, fields = {}) {
  window.dataLayer = window.dataLayer || [];
  const ecommerce = { ...fields, value: price(), currency: CURRENCY, ...(coupon ? { coupon } : {}), items: [item()] };
  window.dataLayer.push({ ecommerce: null });
  window.dataLayer.push({ event, ecommerce });
}

/** A booking reference, e.g. FW-K7QD2M: 32^6 values, so unique in practice (it is the transaction_id). */
function reference() {
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  return 'FW-' + Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => letters[b % 32]).join('');
}

/** The next six opening days, as [value, label]. */
function days() {
  const out = [];
  const d = new Date();
  while (out.length < 6) {
    d.setDate(d.getDate() + 1);
    if (d.getDay() === 0) continue;
    out.push([d.toISOString().slice(0, 10), d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short' })]);
  }
  return out;
}
const TIMES = ['09:30', '11:00', '12:30', '14:00', '15:30', '17:00'];

/**
 * Goes to a step: a new history entry, which footfall's history hook
 * records as a page view (with the title set just before).
 */
function go(path) {
  document.title = `Book: ${TITLES[STEPS[path]].toLowerCase()} — Fixwell`;
  history.pushState({ step: STEPS[path] }, '', path + location.search);
  render(true);
}

function render(moved) {
  let step = STEPS[location.pathname] ?? 'service';
  // Later steps need the earlier ones: a reload or a shared link starts over.
  if ((step === 'details' && !state.service) || (step === 'confirm' && (!state.name || !state.day))) {
    step = 'service';
    history.replaceState({ step }, '', '/book' + location.search);
  }
  document.title = `Book: ${TITLES[step].toLowerCase()} — Fixwell`;
  const order = ['service', 'details', 'confirm'];
  for (const li of document.querySelectorAll('.progress li')) {
    const i = order.indexOf(li.dataset.step);
    if (li.dataset.step === step) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
    li.classList.toggle('done', i < order.indexOf(step) || (step === 'confirm' && state.done !== null));
  }
  root.innerHTML = VIEWS[step]();
  BIND[step]?.();
  if (moved) root.querySelector('h2')?.focus();
}

const VIEWS = {
  service: () => `
    <form id="f-service" novalidate>
      <h2 tabindex="-1">${TITLES.service}</h2>
      ${coupon ? `<p>Code <span class="coupon">${coupon}</span> applied: 10% off.</p>` : ''}
      <fieldset class="choices">
        <legend class="sr-only">Repair</legend>
        ${SERVICES.map(
          (s) => `<div class="choice">
            <input type="radio" name="service" id="s-${s.slug}" value="${s.slug}"${s.slug === state.service ? ' checked' : ''} required>
            <label for="s-${s.slug}"><b>${s.name}</b><span>${s.from ? 'from ' : ''}${euros(s.price)} · ${s.duration}</span></label>
          </div>`,
        ).join('')}
      </fieldset>
      <p class="error" id="service-error" role="alert"></p>
      <div class="actions"><a class="btn ghost" href="/">Cancel</a><button class="btn" type="submit">Continue</button></div>
    </form>`,
  details: () => {
    const s = service();
    return `
    <form id="f-details" novalidate>
      <h2 tabindex="-1">${TITLES.details}</h2>
      <div class="card" style="padding: 1.5rem">
        <div class="form-grid">
          <div class="field">
            <label for="d-model">Model</label>
            <select id="d-model" name="model">${s.models.map(([m, p], i) => `<option value="${i}"${i === state.model ? ' selected' : ''}>${escape(m)} · ${euros(p)}</option>`).join('')}</select>
          </div>
          <div class="field">
            <label for="d-day">Day</label>
            <select id="d-day" name="day" required aria-describedby="d-day-error"><option value="">Choose a day</option>${days().map(([v, l]) => `<option value="${v}"${v === state.day ? ' selected' : ''}>${l}</option>`).join('')}</select>
            <span class="error" id="d-day-error"></span>
          </div>
          <div class="field">
            <label for="d-time">Time</label>
            <select id="d-time" name="time">${TIMES.map((t) => `<option${t === state.time ? ' selected' : ''}>${t}</option>`).join('')}</select>
          </div>
          <div class="field">
            <label for="d-name">Name</label>
            <input type="text" id="d-name" name="name" autocomplete="name" required value="${escape(state.name)}" aria-describedby="d-name-error">
            <span class="error" id="d-name-error"></span>
          </div>
          <div class="field full">
            <label for="d-phone">Mobile number <span class="hint">(optional, for the pickup text)</span></label>
            <input type="tel" id="d-phone" name="phone" autocomplete="tel" value="${escape(state.phone)}">
          </div>
        </div>
      </div>
      <div class="actions"><button class="btn ghost" type="button" data-back>Back</button><button class="btn" type="submit">Continue</button></div>
    </form>`;
  },
  confirm: () => {
    const s = service();
    if (state.done) {
      return `
      <div class="card success">
        <div class="tick" aria-hidden="true">✓</div>
        <h2 tabindex="-1">Booked: see you soon, ${escape(state.name)}</h2>
        <p>Reference <strong>${state.done}</strong>. We sent nothing anywhere: this is a demo.</p>
        <a class="btn" href="/">Back to the store</a>
      </div>`;
    }
    const [model] = s.models[state.model];
    const day = days().find(([v]) => v === state.day)?.[1] ?? state.day;
    return `
    <div>
      <h2 tabindex="-1">${TITLES.confirm}</h2>
      <div class="card summary">
        <dl>
          <dt>Repair</dt><dd>${s.name}</dd>
          <dt>Model</dt><dd>${escape(model)}</dd>
          <dt>When</dt><dd>${escape(day)}, ${escape(state.time)}</dd>
          <dt>Name</dt><dd>${escape(state.name)}</dd>
          ${coupon ? `<dt>Code</dt><dd><span class="coupon">${coupon}</span> −10%</dd>` : ''}
          <dt class="total">Total</dt><dd class="total">${euros(price())}</dd>
        </dl>
      </div>
      <div class="actions"><button class="btn ghost" type="button" data-back>Back</button><button class="btn" type="button" id="confirm-booking">Confirm booking</button></div>
    </div>`;
  },
};

const BIND = {
  service: () => {
    const form = document.getElementById('f-service');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const chosen = form.service.value;
      if (!chosen) {
        document.getElementById('service-error').textContent = 'Choose a repair to continue.';
        return form.querySelector('input[name="service"]').focus();
      }
      if (chosen !== state.service) state.model = 0;
      state.service = chosen;
      if (!state.started) {
        state.started = true;
        track('booking_started', { service: service().key, coupon: coupon || undefined });
        pushEcommerce('begin_checkout');
      }
      go('/book/details');
    });
  },
  details: () => {
    const form = document.getElementById('f-details');
    form.querySelector('[data-back]').addEventListener('click', () => history.back());
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      let first = null;
      for (const [input, message] of [[form.day, 'Choose a day.'], [form.name, 'Your name, for the counter.']]) {
        const ok = input.checkValidity();
        input.setAttribute('aria-invalid', String(!ok));
        document.getElementById(input.id + '-error').textContent = ok ? '' : message;
        if (!ok) first ??= input;
      }
      Object.assign(state, { model: Number(form.model.value), day: form.day.value, time: form.time.value, name: form.name.value.trim(), phone: form.phone.value });
      if (first) return first.focus();
      go('/book/confirm');
    });
  },
  confirm: () => {
    root.querySelector('[data-back]')?.addEventListener('click', () => history.back());
    document.getElementById('confirm-booking')?.addEventListener('click', async () => {
      if (state.done) return; // a second click before the page changed
      const s = service();
      state.done = reference();
      track('booking_completed', { service: s.key, model: s.models[state.model][0], price: price(), day: state.day, time: state.time, coupon: coupon || undefined, reference: state.done });
      pushEcommerce('purchase', { transaction_id: state.done });
      const ff = await ready;
      ff?.identify(`customer-${state.done}`, { bookings: 1 });
      render(true);
    });
  },
};

addEventListener('popstate', () => render(true));
render(false);
