// The quote request form: `quote_requested` with the repair, the device and
// the description (where footfall redacts email addresses), never the email field.
import { SERVICES } from '/assets/services.js';
import { track } from '/assets/store.js';

const form = document.getElementById('quote-form');
const wanted = new URLSearchParams(location.search).get('service');
form.service.innerHTML = SERVICES.map((s) => `<option value="${s.slug}"${s.slug === wanted ? ' selected' : ''}>${s.name}</option>`).join('');

/** Shows or clears a field's error; returns whether the field is valid. */
function check(input, message) {
  const error = document.getElementById(input.id + '-error');
  const ok = input.checkValidity();
  input.setAttribute('aria-invalid', String(!ok));
  error.textContent = ok ? '' : message;
  return ok;
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const device = check(form.device, 'Tell us which device it is.');
  const email = check(form.email, 'An email address is needed to send the quote.');
  if (!device || !email) return (device ? form.email : form.device).focus();
  const service = SERVICES.find((s) => s.slug === form.service.value);
  track('quote_requested', { service: service?.key ?? form.service.value, device: form.device.value, description: form.description.value });
  form.hidden = true;
  const done = document.getElementById('quote-done');
  done.hidden = false;
  done.focus();
});
