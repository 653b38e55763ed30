// footfall snippet: paste it inline, before the loader's <script async>.
// It defines `window.footfall` as a stub that records each call with the page
// it was made on and when; the loader (dist/footfall.js) replays them in
// order. Built to dist/footfall.snippet.js and dist/footfall.snippet.min.js.
import { installStub } from './stub.js';

installStub(window, document, 'footfall');
