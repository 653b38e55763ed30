// Every option and every client method, typed: `tsc --noEmit` checks this
// file against the package's types (tests/e2e/package.test.mjs). Add new
// options and methods here when they land.
import {
  init,
  load,
  type Client,
  type FootfallAutocapture,
  type FootfallCallOptions,
  type FootfallConsentState,
  type FootfallExitIntent,
  type FootfallOptions,
  type FootfallStats,
} from 'footfall-analytics';

const options: FootfallOptions = {
  endpoint: 'https://collect.example.com/v1/batch',
  writeKey: 'WK',
  wasmUrl: '/static/footfall/',
  flushAt: 20,
  flushIntervalMs: 3000,
  maxBatchBytes: 48_000,
  maxQueueEvents: 1000,
  sessionTimeoutMin: 30,
  attribution: { internalDomains: ['pay.example.com'] },
  consent: {
    mode: 'opt-in',
    categories: { analytics: false, marketing: false, personalization: false },
    respectGpc: 'all',
    respectDnt: true,
    policyVersion: '2026-11',
  },
  privacy: { maxStringLength: 1024, cookieless: false, anonymizeIp: true, redactEmails: true, stripQueryParams: ['token'] },
  dataLayer: {
    name: 'dataLayer',
    consentMode: true,
    forward: { allow: ['purchase', 'checkout_*'], deny: ['debug_*'] },
    mirror: true,
  },
  compression: 'gzip',
  debug: false,
};

export async function everything(): Promise<number> {
  const autocapture: FootfallAutocapture = { scrollDepth: { milestones: [50, 100] }, exitIntent: { minDwellMs: 5000 } };
  const ff: Client = await init(options);
  await init({ endpoint: '/collect', autocapture });
  let dwell = 0;
  ff.onExitIntent((detail: FootfallExitIntent) => {
    dwell = detail.dwellMs + detail.maxScrollPercent;
  });
  await init({ endpoint: '/collect', dataLayer: true });
  await init({ endpoint: '/collect', dataLayer: { forward: false } });

  const at: FootfallCallOptions = {
    timestamp: new Date(),
    context: { page: { url: 'https://shop.example/', path: '/', search: '', title: 'Shop', referrer: '' } },
  };
  ff.trackEvent('quote_requested', { service: 'iphone_screen', price: 129 });
  ff.trackEvent('bare');
  ff.trackEvent('with_options', {}, at);
  ff.track('price_checked', { service: 'battery' }, { timestamp: 1_795_348_800_000, integrations: { All: true } });
  ff.page();
  ff.page('Pricing');
  ff.page('Pricing', { plan: 'pro' }, { timestamp: '2026-11-22T12:00:00.000Z' });
  ff.page({ plan: 'pro' });
  ff.page({ plan: 'pro' }, at);
  ff.page('Docs', 'Getting started', { section: 2 }, at);
  ff.identify('user-42', { plan: 'pro' });
  ff.identify('user-42', { plan: 'pro' }, at);
  ff.identify({ plan: 'team' });
  ff.group('acme', { seats: 40 }, at);
  ff.alias('user-42-crm');
  ff.alias('user-42-crm', 'anon-1', at);
  ff.alias('user-42-crm', at);
  ff.setConsent({ analytics: true, marketing: false });
  const consent: FootfallConsentState = ff.getConsent();
  ff.reset();
  await ff.flush();
  const stats: FootfallStats = ff.stats();
  const id: string = ff.anonymousId() + ff.sessionId();
  const early: Client = load({ endpoint: '/collect' });
  early.trackEvent('before_ready');
  await early.ready();
  await early.ready(() => {});
  // Script-tag pages: the global and the loader's settings are typed too.
  window.footfallSettings = { endpoint: '/collect', flushAt: 5 };
  window.footfall.trackEvent('from_the_global', { n: 1 });
  window.footfall.ready((client) => client.page('Ready'));
  ff.shutdown();
  return dwell + stats.queued + stats.sent + stats.dropped + stats.retried + stats.invalid + stats.truncated + id.length + Number(consent.decided);
}
