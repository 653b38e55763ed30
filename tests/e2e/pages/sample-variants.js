// Notes in `window.seen` every experiment variant ever visible, sampled at
// each animation frame (tests of flicker: a wrong or second variant in any
// frame shows up here). Loaded synchronously in the <head>.
window.seen = [];
(function sample() {
  for (const el of document.querySelectorAll('[data-ff-experiment]')) {
    const v = el.getAttribute('data-ff-variant');
    if (el.getClientRects().length && !window.seen.includes(v)) window.seen.push(v);
  }
  requestAnimationFrame(sample);
})();
