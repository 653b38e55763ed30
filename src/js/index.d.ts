// Types of the ES module entry (src/js/index.js), copied to dist/footfall.d.ts
// beside dist/footfall.api.d.ts. Everything but `init` is generated from the
// Rust side (wasm-bindgen's .d.ts and the
// `typescript_custom_section` in src/api.rs); list new public types here.
import type { Client, FootfallOptions } from './footfall.api.js';

export type {
  Client,
  FootfallAttributionOptions,
  FootfallAutocapture,
  FootfallCallOptions,
  FootfallConsentCategories,
  FootfallConsentOptions,
  FootfallConsentState,
  FootfallDataLayerOptions,
  FootfallExitIntent,
  FootfallExperiment,
  FootfallOptions,
  FootfallPage,
  FootfallPrivacyOptions,
  FootfallProperties,
  FootfallSignalReach,
  FootfallStats,
} from './footfall.api.js';

/**
 * Starts footfall. Resolves with the client; rejects with a clear message
 * when the options are invalid or the wasm cannot load. Nothing else in the
 * API throws. The same endpoint gives the same client as `load`.
 */
export function init(options: FootfallOptions): Promise<Client>;

/**
 * Starts footfall and returns its client at once: calls made before it is
 * ready are kept and replayed in order, each with the page and time it was
 * made on; `await client.ready()` waits for it. A second `load` or `init`
 * with the same endpoint returns the same client. Outside a browser, a
 * client whose calls do nothing.
 */
export function load(options: FootfallOptions): Client;

declare global {
  interface Window {
    /**
     * footfall on a page with the script tag: the snippet's stub until the
     * loader has run (it records every call; `flush`, `stats`, `anonymousId`
     * and `getConsent` answer `undefined` until then), then the client.
     */
    footfall: Client;
    /** Options the script-tag loader reads first (its `data-*` attributes win). */
    footfallSettings?: FootfallOptions;
  }
}
