// esbuild without wasmUrl and without the wasm copied: init and
// load().ready() must reject with footfall's hint, and nothing else happens.
import { init, load } from 'footfall-analytics';

(async () => {
  const results = {};
  const settle = (promise) => promise.then(() => 'resolved', (e) => e.message);
  results.init = await settle(init({ endpoint: '/collect' }));
  results.ready = await settle(load({ endpoint: '/collect' }).ready());
  window.footfallResults = results;
})();
