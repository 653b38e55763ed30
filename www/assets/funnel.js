// The demo's booking funnel, computed from the events a collector received.
// Pure (no DOM): the inspector renders it, tests import it in Node.
//
// Definition (also in the README):
// - A visitor is an `anonymousId`. Events without one are ignored.
// - A visitor's events are taken in `timestamp` order (arrival order on
//   ties). A visitor reaches a step when one of those events matches it at
//   or after the moment they reached the step before: an ordered funnel, as
//   product analytics tools count them. One event may complete several
//   steps in a row (a visitor who lands on a service page has landed and
//   viewed a service).
// - Each step counts the distinct visitors who reached it; the drop-off of a
//   step is the share of the previous step's visitors who did not reach it.

/** Path of a page event (`properties.path`, else `context.page.path`). */
export const pathOf = (e) => e?.properties?.path ?? e?.context?.page?.path ?? '';

/** The steps, in order, and how each is recognized. */
export const FUNNEL = [
  { id: 'landing', label: 'Landing', rule: 'any page view', match: (e) => e.type === 'page' },
  {
    id: 'service_viewed',
    label: 'Service viewed',
    rule: 'page view of /services/…',
    match: (e) => e.type === 'page' && pathOf(e).startsWith('/services/'),
  },
  { id: 'price_checked', label: 'Price checked', rule: 'price_checked', match: (e) => e.type === 'track' && e.event === 'price_checked' },
  { id: 'booking_started', label: 'Booking started', rule: 'booking_started', match: (e) => e.type === 'track' && e.event === 'booking_started' },
  { id: 'booking_completed', label: 'Booking completed', rule: 'booking_completed', match: (e) => e.type === 'track' && e.event === 'booking_completed' },
];

/** Percent of `part` in `whole`, rounded; 0 when `whole` is 0. */
export const percent = (part, whole) => (whole > 0 ? Math.round((part / whole) * 100) : 0);

/**
 * The funnel over `events` (in arrival order): one row per step with
 * `count` (distinct visitors), `ofFirst` (% of the first step) and `dropOff`
 * (% of the previous step lost; null for the first step).
 */
export function computeFunnel(events, steps = FUNNEL) {
  const byVisitor = new Map();
  events.forEach((e, arrival) => {
    if (!e || typeof e.anonymousId !== 'string' || !e.anonymousId) return;
    let list = byVisitor.get(e.anonymousId);
    if (!list) byVisitor.set(e.anonymousId, (list = []));
    list.push({ e, at: Date.parse(e.timestamp) || 0, arrival });
  });
  const counts = steps.map(() => 0);
  for (const list of byVisitor.values()) {
    list.sort((a, b) => a.at - b.at || a.arrival - b.arrival);
    let reached = 0;
    for (const { e } of list) {
      while (reached < steps.length && steps[reached].match(e)) reached++;
      if (reached === steps.length) break;
    }
    for (let i = 0; i < reached; i++) counts[i]++;
  }
  return steps.map((step, i) => ({
    id: step.id,
    label: step.label,
    rule: step.rule,
    count: counts[i],
    ofFirst: percent(counts[i], counts[0]),
    dropOff: i === 0 ? null : percent(counts[i - 1] - counts[i], counts[i - 1]),
  }));
}
