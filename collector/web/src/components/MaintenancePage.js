// Maintenance windows: the list (catalogue windows and those scheduled through the API), a form to
// schedule one (targets, from, to, who, why; POST /api/v1/maintenance, admin token) and "End now" for
// a window under way or to come (POST /api/v1/maintenance/{id}/end, with the form's who and why). The collector refuses a window
// that starts in the past; the form says so first.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { maintenanceBody } from '../lib/maintenance.js';
import { instant } from '../lib/format.js';
import { ApiErrorText } from './ApiErrorText.js';

const localInput = (ms) => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 16);

export function MaintenancePage({ catalogue }) {
  const [windows, setWindows] = useState(null);
  const [error, setError] = useState(null);
  const [generation, setGeneration] = useState(0);
  const now = Date.now();
  const [form, setForm] = useState({ targets: '', from: localInput(now + 5 * 60000), to: localInput(now + 65 * 60000), who: '', why: '' });
  const [problems, setProblems] = useState({});
  const [answer, setAnswer] = useState(null);
  useEffect(() => { api.maintenance().then(setWindows, setError); }, [generation]);
  const field = (name) => ({ value: form[name], onInput: (e) => setForm({ ...form, [name]: e.target.value }), 'aria-invalid': problems[name] ? 'true' : undefined });
  const submit = (e) => {
    e.preventDefault();
    const r = maintenanceBody(form);
    setProblems(r.errors ?? {});
    if (r.errors) return;
    api.scheduleMaintenance(r.body).then(() => { setAnswer({ ok: 'Scheduled.' }); setGeneration(generation + 1); }, (err) => setAnswer({ error: err }));
  };
  // Ending a window says who and why too: the form's fields.
  const end = (id) => {
    const missing = {};
    if (!form.who.trim()) missing.who = 'say who ends the window';
    if (!form.why.trim()) missing.why = 'say why it ends early';
    setProblems(missing);
    if (Object.keys(missing).length) return;
    api.endMaintenance(id, { who: form.who.trim(), why: form.why.trim() })
      .then(() => { setAnswer({ ok: `Window ${id} ended.` }); setGeneration(generation + 1); }, (err) => setAnswer({ error: err }));
  };
  const ids = [...catalogue.services.map((s) => s.id), ...catalogue.cis.map((c) => c.id)];
  return html`<h1>Maintenance windows</h1>
    <form class="maintenance" onSubmit=${submit} aria-label="Schedule a maintenance window">
      <label>Targets (services or CIs) <input name="targets" list="maintenance-targets" ...${field('targets')} placeholder="db-01, web-01" /></label>
      <datalist id="maintenance-targets">${ids.map((i) => html`<option value=${i} />`)}</datalist>
      ${problems.targets ? html`<p class="error">${problems.targets}</p>` : null}
      <label>From <input name="from" type="datetime-local" ...${field('from')} /></label>
      ${problems.from ? html`<p class="error">${problems.from}</p>` : null}
      <label>To <input name="to" type="datetime-local" ...${field('to')} /></label>
      ${problems.to ? html`<p class="error">${problems.to}</p>` : null}
      <label>Who <input name="who" ...${field('who')} autocomplete="name" /></label>
      ${problems.who ? html`<p class="error">${problems.who}</p>` : null}
      <label>Why <input name="why" ...${field('why')} /></label>
      ${problems.why ? html`<p class="error">${problems.why}</p>` : null}
      <button type="submit">Schedule</button>
    </form>
    ${answer?.ok ? html`<p role="status" class="yes">${answer.ok}</p>` : answer?.error ? html`<${ApiErrorText} error=${answer.error} />` : null}
    <h2>Windows</h2>
    ${error ? html`<${ApiErrorText} error=${error} />` : !windows ? html`<p class="muted">Loading…</p>` : html`<div class="scroll"><table class="windows"><thead><tr>
      <th scope="col">Window</th><th scope="col">Targets</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Who, why</th><th scope="col"></th></tr></thead>
      <tbody>${windows.map((w) => html`<tr key=${w.id} data-window=${w.id}><td>${w.id}</td><td>${(w.targets ?? []).join(', ')}</td>
        <td>${w.from ? instant(w.from) : (w.every ?? []).join(', ')}</td><td>${w.to ? instant(w.to) : ''}</td>
        <td>${w.who ? `${w.who}: ${w.why ?? ''}` : w.description ?? ''}</td>
        <td>${w.source === 'api' && (w.state === 'scheduled' || w.state === 'active') ? html`<button onClick=${() => end(w.id)} aria-label=${`End ${w.id} now (who and why from the form)`}>End now</button>` : w.state ?? ''}</td></tr>`)}</tbody></table></div>`}`;
}
