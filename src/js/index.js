// footfall's ES module entry: loads the wasm once, then starts a client.
import load, { start } from '../../pkg/footfall.js';

let loading;

/**
 * Starts footfall. Resolves with the client; rejects with a clear message
 * when the options are invalid or the wasm cannot load.
 * @param {import('../../pkg/footfall.js').FootfallOptions} options
 * @returns {Promise<import('../../pkg/footfall.js').Client>}
 */
export async function init(options) {
  loading ||= load();
  await loading;
  // With debug, name the options footfall ignores (a misspelt `flushAT`):
  // a chunk of its own, fetched only then.
  if (options && options.debug === true) await import('./options.js').then((m) => m.warnUnknownOptions(options), () => {});
  return start(options);
}
