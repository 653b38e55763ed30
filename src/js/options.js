// The option names footfall reads (src/api.rs), so that the entry and the
// loader can say, with `debug`, which of a page's options are ignored (a
// misspelt `flushAT` does nothing). tests/e2e/options.test.mjs holds this
// table to the TypeScript declarations in src/api.rs.

/** Each option; for an object option, its members separated by spaces. */
export const OPTIONS = {
  endpoint: '',
  writeKey: '',
  wasmUrl: '',
  flushAt: '',
  flushIntervalMs: '',
  maxBatchBytes: '',
  maxQueueEvents: '',
  sessionTimeoutMin: '',
  attribution: 'internalDomains',
  consent: 'mode categories respectGpc respectDnt policyVersion',
  privacy: 'maxStringLength stripQueryParams cookieless anonymizeIp redactEmails',
  dataLayer: 'name consentMode forward mirror ecommerce',
  compression: '',
  debug: '',
  experiments: '',
  experimentTimeoutMs: '',
  autocapture: 'pageViews history scrollDepth rageClick exitIntent pageLeave clicks errors forms webVitals heatmap',
};

/** The most unknown names reported (the page controls how many keys there are). */
const MAX_REPORTED = 20;

/**
 * Names of the options in `options` footfall does not read, as paths
 * (`flushAT`, `privacy.redactEmail`). Never throws: a hostile object (a
 * throwing getter, a Proxy) yields what could be read.
 */
export function unknownOptions(options) {
  const out = [];
  if (options === null || typeof options != 'object') return out;
  try {
    for (const key of Object.keys(options)) {
      if (out.length >= MAX_REPORTED) break;
      if (!Object.prototype.hasOwnProperty.call(OPTIONS, key)) {
        out.push(key);
        continue;
      }
      const value = options[key];
      if (!OPTIONS[key] || value === null || typeof value != 'object') continue;
      const members = OPTIONS[key].split(' ');
      for (const member of Object.keys(value)) if (!members.includes(member) && out.length < MAX_REPORTED) out.push(key + '.' + member);
    }
  } catch (_) {}
  return out;
}

/**
 * The known name nearest to an unknown option's path (`flushAT` ->
 * `flushAt`, `privacy.redactEmail` -> `privacy.redactEmails`): case
 * ignored, at most two letters added, removed or changed; `undefined` when
 * none is that near.
 */
export function nearestOption(path) {
  const dot = path.indexOf('.');
  const [parent, name] = dot < 0 ? ['', path] : [path.slice(0, dot), path.slice(dot + 1)];
  const names = parent ? OPTIONS[parent].split(' ') : Object.keys(OPTIONS);
  let best;
  let bestDistance = 3;
  for (const known of names) {
    const d = distance(name.toLowerCase(), known.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best && (parent ? parent + '.' : '') + best;
}

/** Levenshtein distance of `a` and `b`, or 3 when it is surely more than 2. */
function distance(a, b) {
  if (Math.abs(a.length - b.length) > 2 || a.length > 40) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length];
}

/** With `debug`, says which options are ignored, and the name probably meant. */
export function warnUnknownOptions(options) {
  try {
    if (!options || options.debug !== true) return;
    const unknown = unknownOptions(options).map((path) => {
      const near = nearestOption(path);
      return near ? path + ' (did you mean ' + near + '?)' : path;
    });
    if (unknown.length) console.warn('footfall: unknown options ignored: ' + unknown.join(', '));
  } catch (_) {}
}
