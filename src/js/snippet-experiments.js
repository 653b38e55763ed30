// footfall's experiments snippet: paste it inline in the <head> of pages
// with `data-ff-experiment` elements, before the footfall snippet. It keeps
// the variant elements hidden (only them, never the page) until footfall
// shows the assigned one, shows a returning visitor's kept variant at once,
// and after `footfallSettings.experimentTimeoutMs` (1500 ms) without
// footfall shows each experiment's first variant. Built to
// dist/footfall.experiments.min.js.
import { holdVariants } from './experiments.js';

var w = window;
holdVariants(w, document, (w.footfallSettings || {}).experimentTimeoutMs, true);
