// An SLA's feasibility (GET /api/v1/slas/{id}/feasibility, docs/feasibility.md): the availability
// ceiling the agreements underneath can guarantee against the target, the verdict, the agreements
// flagged (hours or period not covering the SLA's, restore_within over its max_outage) and the
// children without an agreement with the target each would need.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { href } from './links.js';
import { ApiErrorText } from './ApiErrorText.js';

const VERDICT = { feasible: ['feasible', 'ok'], not_feasible: ['not feasible', 'bad'], unbacked_parts: ['unbacked parts', 'na'] };

export function FeasibilityView({ sla }) {
  const [body, setBody] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { api.feasibility(sla).then(setBody, setError); }, [sla]);
  if (error) return html`<${ApiErrorText} error=${error} />`;
  if (!body) return html`<p class="muted">Loading…</p>`;
  const f = body.feasibility?.[0];
  if (!f) return html`<p class="muted">No feasibility for this SLA.</p>`;
  const [text, cls] = VERDICT[f.verdict] ?? [f.verdict, 'na'];
  const flagged = (f.agreements ?? []).filter((a) => a.flags?.length);
  const unbacked = (f.dependencies ?? []).filter((d) => d.agreement == null);
  return html`<div class="feasibility" data-verdict=${f.verdict}>
    <p>Ceiling <strong data-ceiling>${f.ceiling} %</strong> against the target <span data-target>${f.target} %</span>${` (${f.period}): `}<span class=${`verdict ${cls}`}>${text}</span>${f.exact === false ? html` <span class="muted">(bounded, not exact)</span>` : ''}</p>
    ${flagged.length ? html`<h4>Flagged agreements</h4><ul class="flagged">${flagged.map((a) => html`<li data-agreement=${a.id}>
      <a href=${href('agreements', a.id)}>${a.id}</a> (${a.kind}, ${a.provider}): ${a.flags.map((x) => x.message).join('; ')}</li>`)}</ul>` : null}
    ${unbacked.length ? html`<h4>Without an agreement</h4><ul class="unbacked">${unbacked.map((d) => html`<li data-node=${d.node}>
      ${d.node} (${d.kind})${d.required != null ? `: needs ${d.required} %` : ''}</li>`)}</ul>` : html`<p class="muted">Every dependency is backed by an agreement.</p>`}
  </div>`;
}
