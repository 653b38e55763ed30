// webpack 5, production, no configuration beyond entry and output: the wasm
// is found through new URL(..., import.meta.url), which webpack emits.
import { load } from 'footfall-analytics';

const ff = load({ endpoint: '/collect', writeKey: 'WK' });
ff.trackEvent('bundled', { bundler: 'webpack', n: 1 });

// For the test.
window.footfallTest = ff;
