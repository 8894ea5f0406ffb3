// One CI: its fields, the services it supports, its probes.
import { html } from '../html.js';
import { byId, ProbeLink, ServiceLink } from './links.js';

export function CiView({ catalogue, id }) {
  const ci = byId(catalogue.cis).get(id);
  if (!ci) return html`<p>No CI '${id}' in the catalogue. <a href="#/">Back to the services</a>.</p>`;
  const probes = byId(catalogue.probes);
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href="#/">Services</a> › ${ci.id}</nav>
    <h1>${ci.name || ci.id}</h1>
    <dl>
      <dt>Id</dt><dd>${ci.id}</dd>
      <dt>Type</dt><dd>${ci.type || '—'}</dd>
      <dt>Owner</dt><dd>${ci.owner || '—'}</dd>
      <dt>Supports</dt><dd>${ci.parents.length ? ci.parents.map((p) => html`<${ServiceLink} id=${p} /> `) : '—'}</dd>
    </dl>
    <h2>Probes</h2>
    <table><thead><tr><th scope="col">Probe</th><th scope="col">Type</th><th scope="col">Target</th><th scope="col">Agent</th><th scope="col">Interval</th></tr></thead>
      <tbody>${ci.probes.map((pid) => {
        const p = probes.get(pid) ?? { id: pid };
        return html`<tr key=${pid}><td><${ProbeLink} id=${pid} /></td><td>${p.type}</td><td>${p.target}</td>
          <td>${p.agent}</td><td>${p.interval_ms / 1000} s</td></tr>`;
      })}</tbody></table>`;
}
