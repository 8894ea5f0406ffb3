// The service tree: root services, their children (services and CIs), each CI's probes; every node
// can be opened and closed with the keyboard (buttons) and links to its page; each shows its live
// status and since when (GET /api/v1/status, passed in as a map by id).
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { byId, CiLink, ProbeLink, ServiceLink } from './links.js';
import { StatusDot } from './StatusDot.js';
import { probeKey } from '../lib/shapes.js';

function Toggle({ open, onToggle, label }) {
  return html`<button class="toggle" aria-expanded=${open} aria-label=${`${open ? 'Close' : 'Open'} ${label}`}
    onClick=${onToggle}>${open ? '−' : '+'}</button>`;
}

function CiNode({ ci, status }) {
  const [open, setOpen] = useState(false);
  return html`<li data-kind="ci" data-id=${ci.id}>
    ${ci.probes.length > 0 ? html`<${Toggle} open=${open} label=${ci.id} onToggle=${() => setOpen(!open)} />` : null}
    <${CiLink} id=${ci.id} /><span class="kind">CI${ci.type ? ` · ${ci.type}` : ''}</span> <${StatusDot} status=${status?.get(ci.id)} />
    ${ci.name && ci.name !== ci.id ? html` <span class="muted">${ci.name}</span>` : null}
    ${open ? html`<ul>${ci.probes.map((p) => html`<li data-kind="probe" data-id=${p} key=${p}><${ProbeLink} id=${p} /><span class="kind">probe</span> <${StatusDot} status=${status?.get(probeKey(p))} /></li>`)}</ul>` : null}
  </li>`;
}

function ServiceNode({ service, index, depth, status }) {
  const [open, setOpen] = useState(depth === 0);
  return html`<li data-kind="service" data-id=${service.id}>
    <${Toggle} open=${open} label=${service.id} onToggle=${() => setOpen(!open)} />
    <${ServiceLink} id=${service.id} /><span class="kind">${service.kind} service</span> <${StatusDot} status=${status?.get(service.id)} />
    ${service.name && service.name !== service.id ? html` <span class="muted">${service.name}</span>` : null}
    ${open ? html`<ul>${service.children.map((c) => {
      if (c.kind === 'service' && index.services.has(c.id) && depth < 32)
        return html`<${ServiceNode} key=${c.id} service=${index.services.get(c.id)} index=${index} depth=${depth + 1} status=${status} />`;
      if (index.cis.has(c.id)) return html`<${CiNode} key=${c.id} ci=${index.cis.get(c.id)} status=${status} />`;
      return html`<li key=${c.id}>${c.id}</li>`;
    })}</ul>` : null}
  </li>`;
}

export function ServiceTree({ catalogue, status }) {
  const index = { services: byId(catalogue.services), cis: byId(catalogue.cis) };
  const inTree = new Set();
  for (const s of catalogue.services) for (const c of s.children) inTree.add(c.id);
  const loose = catalogue.cis.filter((ci) => !inTree.has(ci.id));
  const c = catalogue.counts;
  const n = (count, one, many) => `${count} ${count === 1 ? one : many}`;
  return html`<h1>Services</h1>
    <p class="muted">${n(c.services, 'service', 'services')}, ${n(c.cis, 'CI', 'CIs')}, ${n(c.probes, 'probe', 'probes')}, ${n(c.slas, 'SLA', 'SLAs')}, ${n(c.agents, 'agent', 'agents')}; catalogue loaded ${catalogue.loaded_at}</p>
    <ul class="tree" aria-label="Service tree">
      ${catalogue.roots.map((id) => html`<${ServiceNode} key=${id} service=${index.services.get(id)} index=${index} depth=${0} status=${status} />`)}
    </ul>
    ${loose.length > 0 ? html`<h2>CIs in no service</h2><ul class="tree">${loose.map((ci) => html`<${CiNode} key=${ci.id} ci=${ci} status=${status} />`)}</ul>` : null}`;
}
