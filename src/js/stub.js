// The stub that the snippet (snippet.js) and the loader (loader.js) install
// as `window.footfall` when footfall is not there yet, and that the ES
// module entry's `load` returns until footfall is ready. It records each call
// with the page it was made on and when; the loader replays the calls in
// order once footfall has loaded. ES5 and no dependencies: the snippet is
// pasted inline in any page, and must stay under 1 KB minified (the build
// checks it).

/**
 * The methods the stub records (the loader and the entry forward the same
 * ones once footfall is up): the client's (getters answer once loaded),
 * and Segment's `ready`, `alias` and `group` so that code written for
 * Segment's snippet never calls a missing function (`ready` callbacks run
 * once footfall is up).
 */
export var METHODS = 'trackEvent track page identify reset setConsent getConsent flush shutdown stats anonymousId sessionId onExitIntent ready alias group';

/**
 * Most calls kept while the loader is on its way (or blocked): the default
 * `maxQueueEvents`, so the stub keeps what footfall itself would hold. Beyond
 * it the oldest event call (`trackEvent`, `track`, `page`: the only methods
 * starting with t or p) goes first, so that consent, identity and `ready`
 * callbacks given early survive a burst; only when none is left is the
 * oldest call dropped. Dropped calls are counted in `d`, which the loader
 * reports.
 */
var MAX_CALLS = 1000;

export function installStub(w, d, name) {
  var f = (w[name] = w[name] || {});
  if (f.trackEvent) return; // loaded already, or installed twice
  recordInto(f, w, d);
}

/**
 * Makes `f` a stub: each method records its call, with the page of window
 * `w` (document `d`) and the time, in `f.q`. The ES module entry's `load`
 * uses it for the calls made before footfall is ready.
 */
export function recordInto(f, w, d) {
  var q = (f.q = []);
  var methods = METHODS.split(' ');
  for (var i = 0; i < methods.length; i++) {
    (function (m) {
      f[m] = function () {
        var l = w.location;
        if (q.push([m, [].slice.call(arguments), { url: l.href, path: l.pathname, search: l.search, title: d.title, referrer: d.referrer }, +new Date()]) > MAX_CALLS) {
          for (var j = 0; j < MAX_CALLS && !/^[tp]/.test(q[j][0]); j++);
          q.splice(j < MAX_CALLS ? j : 0, 1);
          f.d = (f.d || 0) + 1;
        }
      };
    })(methods[i]);
  }
  // `variant(key)` answers once footfall is up; nothing to record before.
  f.variant = function () {};
}
