// analytics.js: one client for the whole app
import { load } from 'footfall-analytics';

export const ff = load({ endpoint: '/collect', writeKey: 'WK' });

// For the test: in the prerender, the client footfall gives on a server.
if (typeof window == 'undefined') ff.ready().catch((e) => console.log(`prerender: ${e.message}`));
