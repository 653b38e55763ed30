// A stand-in for Google Tag Manager's gtm.js, as far as the dataLayer goes
// (after google/data-layer-helper): it processes the entries already in the
// array, then replaces `dataLayer.push` with a function that calls the
// previous `push` and processes what was pushed. `window.gtm.processed`
// lists every entry processed, in order; objects get `gtm.uniqueEventId`.
(function () {
  var dl = (window.dataLayer = window.dataLayer || []);
  var gtm = (window.gtm = { processed: [], pushes: 0 });
  function process(entry) {
    if (entry && typeof entry === 'object' && !Array.isArray(entry) && !('length' in entry)) entry['gtm.uniqueEventId'] = gtm.processed.length;
    gtm.processed.push(entry);
  }
  for (var i = 0; i < dl.length; i++) process(dl[i]);
  var previous = dl.push;
  dl.push = function () {
    gtm.pushes++;
    var entries = [].slice.call(arguments, 0);
    var result = previous.apply(dl, entries);
    for (var j = 0; j < entries.length; j++) process(entries[j]);
    return result;
  };
  dl.push({ event: 'gtm.load' });
})();
