// The option names footfall reads (src/api.rs), so that the entry and the
// loader can say, with `debug`, which of a page's options are ignored (a
// misspelt `flushAT` does nothing). tests/e2e/options.test.mjs holds this
// table to the TypeScript declarations in src/api.rs.

/** Each option; for an object option, its members separated by spaces. */
export const OPTIONS = {
  endpoint: '',
  writeKey: '',
  flushAt: '',
  flushIntervalMs: '',
  maxBatchBytes: '',
  maxQueueEvents: '',
  sessionTimeoutMin: '',
  attribution: 'internalDomains',
  consent: 'mode categories respectGpc respectDnt policyVersion',
  privacy: 'maxStringLength stripQueryParams cookieless anonymizeIp redactEmails',
  dataLayer: 'name consentMode forward mirror',
  compression: '',
  debug: '',
  autocapture: 'pageViews history scrollDepth rageClick exitIntent pageLeave clicks',
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

/** With `debug`, says which options are ignored. */
export function warnUnknownOptions(options) {
  try {
    if (!options || options.debug !== true) return;
    const unknown = unknownOptions(options);
    if (unknown.length) console.warn('footfall: unknown options ignored: ' + unknown.join(', '));
  } catch (_) {}
}
