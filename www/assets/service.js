// A service page (/services/<slug>): details, prices by model, "Check price".
import { SERVICES, serviceBySlug, euros } from '/assets/services.js';
import { ICONS } from '/assets/store.js';

const slug = location.pathname.split('/').pop();
const service = serviceBySlug(slug) ?? SERVICES[0];
document.title = `${service.name} — Fixwell`;

const slot = (name) => document.querySelector(`[data-slot="${name}"]`);
const escape = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

slot('short').textContent = service.name;
slot('name').textContent = service.name;
slot('blurb').textContent = service.blurb;
slot('icon').innerHTML = ICONS[service.icon];
slot('includes').innerHTML = service.includes.map((i) => `<li>${escape(i)}</li>`).join('');
slot('prices').innerHTML = service.models.map(([m, p]) => `<tr><td>${escape(m)}</td><td>${euros(p)}</td></tr>`).join('');
slot('models').innerHTML = service.models.map(([m], i) => `<option value="${i}">${escape(m)}</option>`).join('');
slot('related').innerHTML = SERVICES.filter((s) => s !== service)
  .map(
    (s) => `<article class="card service-card">
      <span class="icon">${ICONS[s.icon]}</span>
      <h3><a href="/services/${s.slug}">${s.name}</a></h3>
      <div class="price-row"><span class="price">${s.from ? '<small>from</small>' : ''}${euros(s.price)}</span><span class="duration">${s.duration}</span></div>
    </article>`,
  )
  .join('');

document.getElementById('quote-this').href = `/quote?service=${service.slug}`;

// The declarative event: footfall reads these attributes at click time, so
// they follow the selected model.
const button = document.getElementById('check-price');
const select = document.getElementById('model');
const describe = () => {
  const [model, price] = service.models[Number(select.value)] ?? service.models[0];
  button.setAttribute('data-ff-prop-service', service.key);
  button.setAttribute('data-ff-prop-model', model);
  button.setAttribute('data-ff-prop-price', String(price));
  document.getElementById('book-this').href = `/book?service=${service.slug}&model=${Number(select.value) || 0}`;
  return { model, price };
};
describe();
select.addEventListener('change', () => {
  describe();
  document.getElementById('price-result').textContent = '';
});
button.addEventListener('click', () => {
  const { model, price } = describe();
  document.getElementById('price-result').innerHTML = `<strong>${euros(price)}</strong>${escape(service.name)}, ${escape(model)}. Parts, labour and warranty included.`;
});

// Broken on purpose: the chat widget's script never loaded, so the button
// throws (an uncaught TypeError: footfall's `error` event, its count in
// page_leave) and does nothing (three fast clicks: a `rage_click`).
document.getElementById('chat').addEventListener('click', () => {
  window.FixwellChat.open({ topic: service.key });
});
