// A Vite app using footfall from npm, as the README shows (the endpoint
// points at the test collector). tests/e2e/package.test.mjs builds it in
// production mode, with no plugin and no configuration, and loads it.
import { init } from 'footfall-analytics';

const ff = await init({ endpoint: '/collect', writeKey: 'WK' });
ff.trackEvent('quote_requested', { service: 'iphone_screen', price: 129 });

await ff.flush();
document.title = 'flushed';
