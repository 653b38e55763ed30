// The demo's revenue, computed from the events a collector received.
// Pure (no DOM): the inspector renders it, tests import it in Node.
//
// Definition (also in docs/demo.md):
// - An order is a `track` event `Order Completed` (footfall's mapping of a
//   GA4 `purchase` pushed on the dataLayer). An event seen again with the
//   same `messageId` (a retried batch) counts once; so does an order seen
//   again with the same `properties.order_id` (the first one counts).
// - Its revenue is `properties.revenue`, else `properties.total`, else the
//   sum of its products' `price` × `quantity` (quantity 1 when absent);
//   numbers or numeric strings, summed in cents. An order without a readable
//   amount counts as an order of 0.
// - Channel: `context.channel`, 'Direct' when absent. Tier: the first
//   product's `category` (the store's service tier), '(none)' when absent.
// - Average order value: revenue / orders. Refunds are not subtracted.

export const ORDER_EVENT = 'Order Completed';
export const NO_CHANNEL = 'Direct';
export const NO_TIER = '(none)';

/** A finite, non-negative amount from a number or a numeric string; else null. */
export function amount(v) {
  if (typeof v === 'string' && v.trim() !== '') v = Number(v);
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

/** A non-empty string (numbers allowed, as ids often are); else ''. */
const text = (v) => (typeof v === 'string' ? v.trim() : typeof v === 'number' && Number.isFinite(v) ? String(v) : '');

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** An order's revenue in cents, by the rules above. */
function revenueCents(p) {
  const direct = amount(p.revenue) ?? amount(p.total);
  if (direct !== null) return Math.round(direct * 100);
  if (!Array.isArray(p.products)) return 0;
  let cents = 0;
  for (const product of p.products) {
    if (!isObject(product)) continue;
    const price = amount(product.price);
    const quantity = product.quantity === undefined ? 1 : amount(product.quantity);
    if (price !== null && quantity !== null) cents += Math.round(price * quantity * 100);
  }
  return cents;
}

/** The orders among `events` (in arrival order), deduplicated. */
export function ordersOf(events) {
  const messages = new Set();
  const ids = new Set();
  const orders = [];
  for (const e of Array.isArray(events) ? events : []) {
    if (!isObject(e) || e.type !== 'track' || e.event !== ORDER_EVENT) continue;
    const messageId = text(e.messageId);
    if (messageId) {
      if (messages.has(messageId)) continue;
      messages.add(messageId);
    }
    const p = isObject(e.properties) ? e.properties : {};
    const orderId = text(p.order_id);
    if (orderId) {
      if (ids.has(orderId)) continue;
      ids.add(orderId);
    }
    const context = isObject(e.context) ? e.context : {};
    const first = Array.isArray(p.products) && isObject(p.products[0]) ? p.products[0] : {};
    orders.push({
      orderId,
      cents: revenueCents(p),
      currency: typeof p.currency === 'string' ? p.currency.trim().toUpperCase() : '',
      channel: text(context.channel) || NO_CHANNEL,
      tier: text(first.category) || NO_TIER,
    });
  }
  return orders;
}

/** `{ revenue, orders, aov }` of some orders; amounts in currency units, to the cent. */
function totals(orders) {
  const cents = orders.reduce((sum, o) => sum + o.cents, 0);
  return { revenue: cents / 100, orders: orders.length, aov: orders.length ? Math.round(cents / orders.length) / 100 : 0 };
}

/** Rows `{ key, revenue, orders, aov }` per value of `keyOf`, most revenue first. */
function breakdown(orders, keyOf) {
  const groups = new Map();
  for (const o of orders) {
    const key = keyOf(o);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(o);
  }
  return [...groups]
    .map(([key, list]) => ({ key, ...totals(list) }))
    .sort((a, b) => b.revenue - a.revenue || b.orders - a.orders || a.key.localeCompare(b.key));
}

/**
 * Revenue over `events`: `total` ({ revenue, orders, aov }), `byChannel`
 * and `byTier` (rows { key, revenue, orders, aov }), and `currency`: the
 * orders' one currency code, '' when none is given, 'mixed' when several
 * are (the amounts are then summed as they are).
 */
export function computeRevenue(events) {
  const orders = ordersOf(events);
  const codes = new Set(orders.map((o) => o.currency).filter(Boolean));
  return {
    total: totals(orders),
    byChannel: breakdown(orders, (o) => o.channel),
    byTier: breakdown(orders, (o) => o.tier),
    currency: codes.size > 1 ? 'mixed' : ([...codes][0] ?? ''),
  };
}

/**
 * An amount for display: `€129`, `€19.99`, `129 XYZ` for a code Intl does
 * not know, `129` without a code. Never throws.
 */
export function money(value, currency = '') {
  const decimals = Number.isInteger(value) ? 0 : 2;
  if (/^[A-Z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat('en-IE', { style: 'currency', currency, minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(value);
    } catch {
      // an unknown code: below
    }
  }
  const n = value.toLocaleString('en-IE', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return currency && currency !== 'mixed' ? `${n} ${currency}` : n;
}
