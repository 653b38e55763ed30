// The demo's A/B experiments: their definition (the store's
// `OPTIONS.experiments`) and the booking funnel split by variant, computed
// from the events a collector received. Pure (no DOM): the store and the
// inspector import it, tests import it in Node.
//
// Definition (also in docs/demo.md):
// - A visitor is an `anonymousId`. Exposures are footfall's `Experiment
//   Viewed` track events (`properties.experiment_id`, `variation_id`); an
//   event received again (same `messageId`) counts once. A forced exposure
//   (`?ff_variant=`, `forced: true`) is QA, not a visitor of the experiment:
//   it is counted apart (`forced`) and nowhere else.
// - A visitor belongs to the variant of their first exposure to the
//   experiment (by `timestamp`, arrival order on ties), counted once
//   however many sessions they were exposed in.
// - Per variant: the booking funnel of funnel.js over each visitor's events
//   from that first exposure on, the exposure itself counting as the
//   landing (it happens on a page view), so `steps[0]` is the visitors
//   exposed. Conversion: visitors who reached the last step (booking
//   completed) / visitors exposed.
import { FUNNEL, percent } from './funnel.js';

/** The store's experiments (footfall's `experiments` option); the first variant is the control. */
export const EXPERIMENTS = {
  hero_copy: { variants: ['control', 'urgent'], weights: [0.5, 0.5], name: 'Hero copy' },
};

export const EXPOSURE_EVENT = 'Experiment Viewed';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
/** A non-empty string; else ''. */
const text = (v) => (typeof v === 'string' ? v.trim() : '');
const isExposure = (e) => e.type === 'track' && e.event === EXPOSURE_EVENT;

/** The funnel's steps, the exposure counting as a landing. */
const STEPS = FUNNEL.map((step, i) => (i === 0 ? { ...step, match: (e) => isExposure(e) || step.match(e) } : step));

/** Whether `step` matches `e`; an event it cannot read matches nothing. */
function matches(step, e) {
  try {
    return Boolean(step.match(e));
  } catch {
    return false;
  }
}

/**
 * Per experiment among `events` (in arrival order): `{ id, name, visitors,
 * forced, variants: [{ id, name, visitors, steps: [{ id, label, count }],
 * converted, conversion }] }`. Experiments and variants of `known` (an
 * `experiments` option) come first, in its order, even with no visitor;
 * the others follow, by id.
 */
export function computeExperiments(events, known = EXPERIMENTS) {
  const list = Array.isArray(events) ? events : [];
  const defs = isObject(known) ? known : {};
  const seen = new Set();
  /** anonymousId -> [{ e, at, arrival }] */
  const byVisitor = new Map();
  /** experiment id -> { name, forced, exposures: [{ visitor, variant, variantName, at, arrival }] } */
  const found = new Map();
  const experiment = (id) => {
    let x = found.get(id);
    if (!x) found.set(id, (x = { name: '', forced: 0, exposures: [] }));
    return x;
  };
  list.forEach((e, arrival) => {
    if (!isObject(e)) return;
    if (typeof e.messageId === 'string' && e.messageId) {
      if (seen.has(e.messageId)) return;
      seen.add(e.messageId);
    }
    const visitor = text(e.anonymousId);
    if (!visitor) return;
    const at = (typeof e.timestamp === 'string' && Date.parse(e.timestamp)) || 0;
    let mine = byVisitor.get(visitor);
    if (!mine) byVisitor.set(visitor, (mine = []));
    mine.push({ e, at, arrival });
    if (!isExposure(e)) return;
    const p = isObject(e.properties) ? e.properties : {};
    const id = text(p.experiment_id);
    const variant = text(p.variation_id);
    if (!id || !variant) return;
    const x = experiment(id);
    if (!x.name) x.name = text(p.experiment_name);
    if (p.forced === true) x.forced++;
    else x.exposures.push({ visitor, variant, variantName: text(p.variation_name), at, arrival });
  });
  for (const mine of byVisitor.values()) mine.sort((a, b) => a.at - b.at || a.arrival - b.arrival);

  const ids = [...Object.keys(defs).filter((id) => isObject(defs[id])), ...[...found.keys()].filter((id) => !Object.hasOwn(defs, id)).sort()];
  return ids.map((id) => {
    const x = found.get(id) ?? { name: '', forced: 0, exposures: [] };
    const def = isObject(defs[id]) ? defs[id] : {};
    // Each visitor's first exposure.
    const first = new Map();
    for (const ex of [...x.exposures].sort((a, b) => a.at - b.at || a.arrival - b.arrival)) if (!first.has(ex.visitor)) first.set(ex.visitor, ex);
    const variants = new Map();
    const variant = (vid) => {
      let v = variants.get(vid);
      if (!v) variants.set(vid, (v = { id: vid, name: '', visitors: 0, counts: STEPS.map(() => 0) }));
      return v;
    };
    for (const vid of Array.isArray(def.variants) ? def.variants : []) if (text(vid)) variant(text(vid));
    const knownCount = variants.size;
    for (const ex of first.values()) {
      const v = variant(ex.variant);
      if (!v.name && ex.variantName) v.name = ex.variantName;
      v.visitors++;
      // The ordered funnel over the visitor's events from the exposure on.
      const mine = byVisitor.get(ex.visitor) ?? [];
      let reached = 0;
      for (const { e } of mine.slice(mine.findIndex((m) => m.arrival === ex.arrival))) {
        while (reached < STEPS.length && matches(STEPS[reached], e)) reached++;
        if (reached === STEPS.length) break;
      }
      for (let i = 0; i < reached; i++) v.counts[i]++;
    }
    const ordered = [...variants.values()];
    const rows = [...ordered.slice(0, knownCount), ...ordered.slice(knownCount).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))];
    return {
      id,
      name: x.name || text(def.name) || id,
      visitors: first.size,
      forced: x.forced,
      variants: rows.map((v) => {
        const converted = v.counts[STEPS.length - 1];
        return {
          id: v.id,
          name: v.name || v.id,
          visitors: v.visitors,
          steps: STEPS.map((s, i) => ({ id: s.id, label: s.label, count: v.counts[i] })),
          converted,
          conversion: percent(converted, v.visitors),
        };
      }),
    };
  });
}
