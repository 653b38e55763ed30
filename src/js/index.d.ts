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
 * API throws.
 */
export function init(options: FootfallOptions): Promise<Client>;
