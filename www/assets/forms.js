// The demo's form analytics, computed from the events a collector received.
// Pure (no DOM): the inspector renders it, tests import it in Node.
//
// Definition (also in docs/demo.md):
// - footfall (`autocapture: { forms: true }`) sends `form_started` at the
//   first input in a form, `form_submitted` when it is submitted and
//   `form_abandoned` when the page view ends after a start without a submit,
//   each with `properties.form` (the form's id, else its name, else a short
//   selector) and, when abandoned, `last_field` (the name or id of the last
//   field touched). Never a field's value.
// - Per form: how many starts, submits and abandons (events; one received
//   again with the same `messageId` counts once); the submit and abandon
//   rates (% of starts); and the abandons by last field, most first.

export const STARTED = 'form_started';
export const SUBMITTED = 'form_submitted';
export const ABANDONED = 'form_abandoned';
export const NO_FORM = '(unnamed form)';
export const NO_FIELD = '(no field)';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A non-empty string (numbers allowed); else ''. */
const text = (v) => (typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : '');
/** Percent of `part` in `whole`, rounded; 0 when `whole` is 0. */
const percent = (part, whole) => (whole > 0 ? Math.round((part / whole) * 100) : 0);

const KIND = { [STARTED]: 'started', [SUBMITTED]: 'submitted', [ABANDONED]: 'abandoned' };

/**
 * Per form among `events` (in arrival order), most starts first:
 * `{ form, started, submitted, abandoned, submitRate, abandonRate,
 * lastFields: [{ field, count, share }] }` (`share`: % of the form's
 * abandons).
 */
export function computeForms(events) {
  const seen = new Set();
  const forms = new Map();
  let arrival = 0;
  for (const e of Array.isArray(events) ? events : []) {
    if (!isObject(e) || e.type !== 'track' || typeof e.event !== 'string' || !Object.hasOwn(KIND, e.event)) continue;
    const messageId = text(e.messageId);
    if (messageId) {
      if (seen.has(messageId)) continue;
      seen.add(messageId);
    }
    const p = isObject(e.properties) ? e.properties : {};
    const name = text(p.form) || NO_FORM;
    if (!forms.has(name)) forms.set(name, { form: name, started: 0, submitted: 0, abandoned: 0, fields: new Map(), first: arrival++ });
    const f = forms.get(name);
    f[KIND[e.event]]++;
    if (e.event === ABANDONED) {
      const field = text(p.last_field) || NO_FIELD;
      f.fields.set(field, (f.fields.get(field) ?? 0) + 1);
    }
  }
  return [...forms.values()]
    .sort((a, b) => b.started - a.started || a.first - b.first)
    .map((f) => ({
      form: f.form,
      started: f.started,
      submitted: f.submitted,
      abandoned: f.abandoned,
      submitRate: percent(f.submitted, f.started),
      abandonRate: percent(f.abandoned, f.started),
      lastFields: [...f.fields]
        .map(([field, count]) => ({ field, count, share: percent(count, f.abandoned) }))
        .sort((a, b) => b.count - a.count || a.field.localeCompare(b.field)),
    }));
}
