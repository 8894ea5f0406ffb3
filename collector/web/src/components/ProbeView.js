// One probe: what it checks, from which agent, how often, and its thresholds.
import { html } from '../html.js';
import { byId, CiLink } from './links.js';

export function ProbeView({ catalogue, id }) {
  const p = byId(catalogue.probes).get(id);
  if (!p) return html`<p>No probe '${id}' in the catalogue. <a href="#/services">Back to the services</a>.</p>`;
  const limits = (t) => Object.entries(t).map(([k, v]) => `${k} ≥ ${v}`).join(', ') || '—';
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href="#/services">Services</a> › <${CiLink} id=${p.ci} /> › ${p.id}</nav>
    <h1>${p.id}</h1>
    <dl>
      <dt>Type</dt><dd>${p.type}</dd>
      <dt>Target</dt><dd>${p.target}</dd>
      <dt>CI</dt><dd><${CiLink} id=${p.ci} /></dd>
      <dt>Agent</dt><dd><a href="#/agents">${p.agent}</a></dd>
      <dt>Interval</dt><dd>${p.interval_ms / 1000} s (timeout ${p.timeout_ms / 1000} s, stale after ${p.stale_after_ms / 1000} s)</dd>
      <dt>Confirm</dt><dd>${p.confirm}</dd>
      <dt>Degraded if</dt><dd>${limits(p.degraded_if)}</dd>
      <dt>Down if</dt><dd>${limits(p.down_if)}</dd>
    </dl>`;
}
