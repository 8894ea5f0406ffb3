// One service: its fields and live status, each SLA's section (SlaSection.js), its children and the
// CIs that support it, and the maintenance windows on it or below it.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { instant } from '../lib/format.js';
import { byId, CiLink, ServiceLink } from './links.js';
import { SlaSection } from './SlaSection.js';
import { StatusDot } from './StatusDot.js';

// The ids of a service's descendants (services and CIs), bounded in depth.
export function descendants(catalogue, id) {
  const services = byId(catalogue.services);
  const out = new Set();
  const walk = (sid, depth) => {
    const s = services.get(sid);
    if (!s || depth > 32) return;
    for (const c of s.children) if (!out.has(c.id)) { out.add(c.id); if (c.kind === 'service') walk(c.id, depth + 1); }
  };
  walk(id, 0);
  return out;
}

export function ServiceView({ catalogue, id, status }) {
  const [windows, setWindows] = useState([]);
  useEffect(() => { api.maintenance().then(setWindows, () => setWindows(catalogue.maintenance ?? [])); }, [id]);
  const s = byId(catalogue.services).get(id);
  if (!s) return html`<p>No service '${id}' in the catalogue. <a href="#/services">Back to the services</a>.</p>`;
  const ruleText = typeof s.rule === 'string' ? s.rule : JSON.stringify(s.rule);
  const below = descendants(catalogue, id);
  const mine = windows.filter((w) => w.from && w.to && (w.targets ?? []).some((t) => t === id || below.has(t)));
  const slas = catalogue.slas.filter((x) => x.service === id);
  const cis = catalogue.cis.filter((c) => below.has(c.id));
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href="#/services">Services</a> › ${s.id}</nav>
    <h1>${s.name || s.id} <${StatusDot} status=${status?.get(s.id)} /></h1>
    <dl>
      <dt>Id</dt><dd>${s.id}</dd>
      <dt>Kind</dt><dd>${s.kind}</dd>
      <dt>Owner</dt><dd>${s.owner || '—'}</dd>
      <dt>Rule</dt><dd>${ruleText}</dd>
      <dt>Part of</dt><dd>${s.parents.length ? s.parents.map((p) => html`<${ServiceLink} id=${p} /> `) : '—'}</dd>
      <dt>Agreements</dt><dd>${s.agreements.length ? s.agreements.join(', ') : '—'}</dd>
    </dl>
    ${slas.map((sla) => html`<${SlaSection} key=${sla.id} catalogue=${catalogue} sla=${sla} windows=${mine} />`)}
    <h2>Children</h2>
    <table><thead><tr><th scope="col">Child</th><th scope="col">Kind</th><th scope="col">Weight</th><th scope="col">Status</th></tr></thead>
      <tbody>${s.children.map((c) => html`<tr key=${c.id}>
        <td>${c.kind === 'service' ? html`<${ServiceLink} id=${c.id} />` : html`<${CiLink} id=${c.id} />`}</td>
        <td>${c.kind}</td><td>${c.weight}</td><td><${StatusDot} status=${status?.get(c.id)} /></td></tr>`)}</tbody></table>
    <h2>Supporting CIs</h2>
    <ul class="cis">${cis.map((c) => html`<li key=${c.id}><${CiLink} id=${c.id} /> <${StatusDot} status=${status?.get(c.id)} /></li>`)}</ul>
    ${mine.length ? html`<h2>Maintenance windows</h2><ul>${mine.map((w) => html`<li>${w.id}: ${instant(w.from)} to ${instant(w.to)}${w.who ? ` (${w.who}: ${w.why})` : ''}</li>`)}</ul>` : null}`;
}
