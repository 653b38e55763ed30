// What each build's Client gets in JavaScript, applied to the glue by
// scripts/build.mjs.
//
// The tracking methods' common case: `trackEvent(name,
// properties)` with a string name and an object (or no properties) is
// stringified here and handed to the wasm as two strings and the time.
// Inspecting the arguments from Rust takes several calls back into
// JavaScript: about a quarter of a call's cost. Anything else takes the
// general path, which checks, counts and reports.
//
// `free()` (wasm-bindgen's, and `[Symbol.dispose]`) stops the client like
// `shutdown()` instead of freeing its memory under the page's feet: a call
// after it would otherwise throw "null pointer passed to rust". The memory
// goes when the client is garbage-collected.
const J = JSON;
const stringify = J.stringify;

/** Gives the wasm-bindgen `Client` class its fast `trackEvent` and `track`, a harmless `free()`, and `variant` in every build. */
export function adaptClient(Client) {
  const proto = Client.prototype;
  proto.free = function free() {
    this.shutdown();
  };
  if (typeof Symbol == 'function' && Symbol.dispose) proto[Symbol.dispose] = proto.free;
  // A build without experiments: every key is unknown (no wasm export for it).
  if (!proto.variant) proto.variant = () => '';
  const general = proto.trackEvent;
  proto.trackEvent = proto.track = function trackEvent(name, properties, options) {
    if (typeof name == 'string' && options === undefined) {
      if (properties === undefined || properties === null) return this.trackJson(name, undefined, Date.now());
      if (typeof properties == 'object') {
        let json;
        try {
          json = stringify.call(J, properties);
        } catch (e) {
          // a cycle, a BigInt, a throwing getter: the general path counts it
        }
        if (typeof json == 'string') return this.trackJson(name, json, Date.now());
      }
    }
    return general.call(this, name, properties, options);
  };
}
