// The app's client with an experiment (wasm copied by hand, named with wasmUrl).
import { load } from 'footfall-analytics';

export const ff = load({
  endpoint: '/collect',
  writeKey: 'WK',
  wasmUrl: '/static/footfall/',
  experiments: { hero_copy: { variants: ['control', 'urgent'], name: 'Hero copy' } },
});
