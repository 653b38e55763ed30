// The home page: service cards from the catalogue, and the demo guide.
import { SERVICES, euros } from '/assets/services.js';
import { ICONS, toast } from '/assets/store.js';

document.getElementById('service-list').innerHTML = SERVICES.map(
  (s) => `<article class="card service-card">
    <span class="icon">${ICONS[s.icon]}</span>
    <h3><a href="/services/${s.slug}">${s.name}</a></h3>
    <p>${s.blurb}</p>
    <div class="price-row"><span class="price">${s.from ? '<small>from</small>' : ''}${euros(s.price)}</span><span class="duration">${s.duration}</span></div>
  </article>`,
).join('');

for (const li of document.querySelectorAll('.trust [data-icon]')) li.insertAdjacentHTML('afterbegin', ICONS[li.dataset.icon]);

// Broken on purpose: the status lookup fails and nothing catches its promise
// (an unhandled rejection: footfall's `error` event, kind 'unhandledrejection').
async function repairStatus() {
  await new Promise((resolve) => setTimeout(resolve, 300));
  throw new Error('Repair status unavailable: the workshop system did not answer');
}
document.getElementById('repair-status').addEventListener('click', () => {
  toast('Looking up your repair…');
  repairStatus().then(toast);
});

document.getElementById('clear-events').addEventListener('click', async () => {
  const res = await fetch('/api/clear', { method: 'POST' }).catch(() => null);
  toast(res?.ok ? 'Inspector cleared: the collector forgot what it received (the JSON Lines file keeps it).' : 'Could not reach the demo server.');
});
