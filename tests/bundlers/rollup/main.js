// Rollup 4 with @rollup/plugin-node-resolve and no other plugin: the README's
// esbuild/Rollup recipe (wasm copied by hand, named with wasmUrl).
import { load } from 'footfall-analytics';

export const ff = load({ endpoint: '/collect', writeKey: 'WK', wasmUrl: '/static/footfall/' });

ff.trackEvent('bundled', { bundler: 'rollup', n: 2 });

// For the test.
window.footfallTest = ff;
