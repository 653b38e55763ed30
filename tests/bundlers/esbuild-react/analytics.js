// The README's React recipe with its esbuild line (wasm copied by hand, named with wasmUrl).
import { load } from 'footfall-analytics';

export const ff = load({ endpoint: '/collect', writeKey: 'WK', wasmUrl: '/static/footfall/' });
