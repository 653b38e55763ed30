// Replaying what a stub (stub.js) recorded into the client once it is up:
// shared by the script-tag loader and the ES module entry's `load`.

const isObject = (v) => v !== null && typeof v == 'object';

/**
 * Calls `client`'s methods with the recorded `queue` (`[method, args, page,
 * time]`), in order, each with Segment's per-call options carrying the page
 * and time of the moment it was made. A method the client lacks is skipped;
 * nothing thrown reaches the page.
 */
export function replay(queue, client) {
  for (const [m, args, page, time] of queue) {
    if (typeof client[m] == 'function') {
      try {
        client[m](...withContext(m, args, page, time));
      } catch (_) {}
    }
  }
}

/**
 * The arguments of a recorded call with Segment's per-call options carrying
 * the page and time of the moment it was made (options the call gave win).
 */
function withContext(m, args, page, time) {
  const at =
    m == 'trackEvent' || m == 'track' || m == 'group' ? 2
    : m == 'alias' ? (isObject(args[1]) ? 1 : 2)
    : m == 'page' ? (isObject(args[0]) ? 1 : typeof args[1] == 'string' ? 3 : 2)
    : m == 'identify' ? (isObject(args[0]) ? 1 : 2)
    : -1;
  if (at < 0) return args;
  const own = isObject(args[at]) ? args[at] : {};
  const context = isObject(own.context) ? own.context : {};
  args = args.slice();
  args[at] = Object.assign({}, own, {
    timestamp: own.timestamp != null ? own.timestamp : time,
    context: Object.assign({}, context, { page: Object.assign({}, page, context.page) }),
  });
  return args;
}
