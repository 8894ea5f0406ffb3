// One service: its fields, children, parents, SLAs and agreements.
import { html } from '../html.js';
import { byId, CiLink, ServiceLink } from './links.js';

export function ServiceView({ catalogue, id }) {
  const s = byId(catalogue.services).get(id);
  if (!s) return html`<p>No service '${id}' in the catalogue. <a href="#/">Back to the services</a>.</p>`;
  const ruleText = typeof s.rule === 'string' ? s.rule : JSON.stringify(s.rule);
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href="#/">Services</a> › ${s.id}</nav>
    <h1>${s.name || s.id}</h1>
    <dl>
      <dt>Id</dt><dd>${s.id}</dd>
      <dt>Kind</dt><dd>${s.kind}</dd>
      <dt>Owner</dt><dd>${s.owner || '—'}</dd>
      <dt>Rule</dt><dd>${ruleText}</dd>
      <dt>Part of</dt><dd>${s.parents.length ? s.parents.map((p) => html`<${ServiceLink} id=${p} /> `) : '—'}</dd>
      <dt>SLAs</dt><dd>${s.slas.length ? s.slas.join(', ') : '—'}</dd>
      <dt>Agreements</dt><dd>${s.agreements.length ? s.agreements.join(', ') : '—'}</dd>
    </dl>
    <h2>Children</h2>
    <table><thead><tr><th scope="col">Child</th><th scope="col">Kind</th><th scope="col">Weight</th></tr></thead>
      <tbody>${s.children.map((c) => html`<tr key=${c.id}>
        <td>${c.kind === 'service' ? html`<${ServiceLink} id=${c.id} />` : html`<${CiLink} id=${c.id} />`}</td>
        <td>${c.kind}</td><td>${c.weight}</td></tr>`)}</tbody></table>`;
}
