// The demo inspector's booking funnel (www/assets/funnel.js) on synthetic
// events, in Node; demo.test.mjs runs the funnel in the store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeFunnel } from '../../www/assets/funnel.js';

test('funnel: ordered, per visitor, one event may complete several steps, drop-off per step', () => {
  const at = (s) => `2026-11-22T12:00:${String(s).padStart(2, '0')}.000Z`;
  const page = (id, s, path) => ({ type: 'page', anonymousId: id, timestamp: at(s), properties: { path } });
  const track = (id, s, event) => ({ type: 'track', anonymousId: id, timestamp: at(s), event, properties: {} });
  const events = [
    // a: the whole funnel.
    page('a', 1, '/'),
    page('a', 2, '/services/battery'),
    track('a', 3, 'price_checked'),
    track('a', 4, 'booking_started'),
    track('a', 5, 'booking_completed'),
    track('a', 6, 'booking_completed'), // twice: still one visitor
    // b: lands on a service page (landing and service viewed at once), checks the price.
    page('b', 1, '/services/iphone-screen'),
    track('b', 2, 'price_checked'),
    // c: checked a price before viewing any page: out of order, only landing counts...
    track('c', 1, 'price_checked'),
    page('c', 2, '/'),
    // ...and events arriving late but stamped earlier are ordered by timestamp.
    track('d', 9, 'price_checked'),
    page('d', 8, '/services/diagnostics'),
    // no anonymousId: ignored.
    { type: 'page', timestamp: at(1), properties: { path: '/' } },
  ];
  const rows = computeFunnel(events);
  assert.deepEqual(
    rows.map((r) => [r.id, r.count, r.ofFirst, r.dropOff]),
    [
      ['landing', 4, 100, null],
      ['service_viewed', 3, 75, 25],
      ['price_checked', 3, 75, 0],
      ['booking_started', 1, 25, 67],
      ['booking_completed', 1, 25, 0],
    ],
  );
  assert.deepEqual(computeFunnel([]).map((r) => r.count), [0, 0, 0, 0, 0]);
  assert.equal(computeFunnel([]).at(-1).dropOff, 0, 'no division by zero');
});
