// One adapter per SDK: loads the SDK's build (a dynamic import, so the time
// to ready includes fetching, parsing and starting it), starts it pointed at
// this page's collector path `base` with every remote settings or config
// fetch stubbed or disabled, and returns `{ track(i) }`, which records the
// same event for every SDK: ('bench_event', { i, label: 'item ' + i, price: 129.5 }).
// Settings otherwise stay at each SDK's defaults (batching, transport,
// persistence); automatic events are off so that only the burst is measured.
// The adapters are not counted in the bytes loaded: only /dist/ (footfall)
// and /bench/.build/ (the other SDKs' bundles) are.

const props = (i) => ({ i, label: 'item ' + i, price: 129.5 });

export const adapters = {
  footfall: ({ base }) => footfall(base, { autocapture: false }),
  'footfall-core': ({ base }) => footfall(base, { autocapture: false, attribution: false }),
  'footfall-before': ({ base }) => footfall(base, { autocapture: false }, '/bench/.build/footfall-before/footfall.min.mjs'),
  'footfall-default': ({ base }) => footfall(base, {}),
  'footfall-all': ({ base }) => footfall(base, { dataLayer: { forward: true, mirror: true, ecommerce: true }, autocapture: { errors: true, forms: true, webVitals: true, heatmap: true }, experiments: { hero: { variants: ['control', 'urgent'] } } }),

  async segment({ base }) {
    const { AnalyticsBrowser } = await import('/bench/.build/segment/index.js');
    // cdnSettings given inline: no settings fetch from Segment's CDN. Remote
    // metrics (a POST every 30 s to api.segment.io) off. Delivery stays the
    // default "standard" strategy (one request per event).
    const [analytics] = await AnalyticsBrowser.load({
      writeKey: 'WK',
      cdnSettings: {
        integrations: { 'Segment.io': { apiKey: 'WK', apiHost: location.host + base, protocol: 'http' } },
        plan: {},
        metrics: { sampleRate: 0 },
      },
    });
    return { track: (i) => analytics.track('bench_event', props(i)) };
  },

  posthog: ({ base }) => posthog(base, {}),

  // The same with its client-side rate limit out of the way, so that every
  // call does the work of capturing an event (bursts only).
  'posthog-unlimited': ({ base }) => posthog(base, { rate_limiting: { events_per_second: 1e6, events_burst_limit: 1e7 } }),

  async snowplow({ base }) {
    const sp = await import('/bench/.build/snowplow/index.js');
    sp.newTracker('sp', location.origin, { appId: 'bench', postPath: base + '/tp2' });
    const schema = 'iglu:dev.footfall/bench_event/jsonschema/1-0-0';
    return { track: (i) => sp.trackSelfDescribingEvent({ event: { schema, data: props(i) } }) };
  },

  async amplitude({ base }) {
    const amplitude = await import('/bench/.build/amplitude/index.js');
    await amplitude.init('bench-api-key', {
      serverUrl: location.origin + base + '/2/httpapi',
      autocapture: false,
      fetchRemoteConfig: false,
      enableDiagnostics: false,
    }).promise;
    return { track: (i) => amplitude.track('bench_event', props(i)) };
  },

  async rudderstack({ base }) {
    const { RudderAnalytics } = await import('/bench/.build/rudderstack/index.js');
    const ra = new RudderAnalytics();
    await new Promise((ready) => {
      ra.load('WK', location.origin + base, {
        // Source config from a function: no fetch of api.rudderstack.com/sourceConfig.
        getSourceConfig: () => ({
          source: { id: 'bench', name: 'bench', workspaceId: 'bench', enabled: true, config: {}, destinations: [] },
        }),
        polyfillIfRequired: false,
      });
      ra.ready(ready);
    });
    return { track: (i) => ra.track('bench_event', props(i)) };
  },

  // The floor: what any SDK must at least do per event. Queued events leave
  // in one fetch a second after the first, or in one beacon when the page is
  // hidden or left (64 KiB at most: 200 events take about 16 KiB).
  async floor({ base }) {
    const queue = [];
    let timer = 0;
    const body = () => '[' + queue.splice(0).join(',') + ']';
    const send = () => {
      timer = 0;
      if (queue.length) fetch(base + '/floor', { method: 'POST', body: body() });
    };
    const beacon = () => {
      clearTimeout(timer);
      timer = 0;
      if (queue.length) navigator.sendBeacon(base + '/floor', body());
    };
    addEventListener('pagehide', beacon);
    addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && beacon());
    return {
      track(i) {
        queue.push(JSON.stringify({ event: 'bench_event', properties: props(i), timestamp: Date.now() }));
        timer ||= setTimeout(send, 1000);
      },
    };
  },
};

async function posthog(base, extra) {
  const { default: posthog } = await import('/bench/.build/posthog/index.js');
  await new Promise((loaded) =>
    posthog.init('phc_bench', {
      api_host: location.origin + base,
      loaded,
      // No /flags and remote config request, no script loading from PostHog's CDN.
      advanced_disable_flags: true,
      disable_external_dependency_loading: true,
      // Automatic capture off (unrelated work and events).
      autocapture: false,
      capture_pageview: false,
      capture_pageleave: false,
      capture_dead_clicks: false,
      capture_exceptions: false,
      capture_performance: false,
      capture_heatmaps: false,
      rageclick: false,
      disable_session_recording: true,
      disable_surveys: true,
      disable_web_experiments: true,
      disable_product_tours: true,
      disable_conversations: true,
      // Headless Chromium under automation sets navigator.webdriver, which
      // PostHog drops as a bot: its documented switch for tests.
      opt_out_useragent_filter: true,
      // Otherwise defaults, among them rate_limiting: 10 events/s, bursts of
      // 100; beyond that a call is dropped with a console.error.
      ...extra,
    }),
  );
  return { track: (i) => posthog.capture('bench_event', props(i)) };
}

/** footfall with `options`: the entry fetches the build they choose. */
async function footfall(base, options, entry = '/dist/footfall.mjs') {
  const { init } = await import(entry);
  // maxQueueEvents raised (default 1000) so that the 10k burst measures
  // queuing every event rather than dropping the oldest, as bench/footfall.mjs does.
  const ff = await init({ endpoint: base + '/collect', writeKey: 'WK', maxQueueEvents: 10_000, ...options });
  return { track: (i) => ff.trackEvent('bench_event', props(i)) };
}
