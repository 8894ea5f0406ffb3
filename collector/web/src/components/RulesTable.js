// An SLA's burn-rate rules as a table (firing, since when, burn rates), from GET /api/v1/alerts or
// /api/v1/slas/{id}/alerts (docs/alerts.md); shared by the alerts page and the service page.
import { html } from '../html.js';
import { instant } from '../lib/format.js';

export const rate = (v) => (v == null ? 'n/a' : `${Number(v).toFixed(2)}x`);

// Rules of GET /api/v1/alerts ({firing, since}) or of /api/v1/slas/{id}/alerts ({firing_at_to, events}).
export function RulesTable({ rules, sla }) {
  return html`<div class="scroll"><table class="rules" aria-label=${`Burn-rate rules of ${sla}`}><thead><tr>
    <th scope="col">Rule</th><th scope="col">Severity</th><th scope="col">Now</th><th scope="col">Burn rate long</th><th scope="col">Burn rate short</th></tr></thead>
    <tbody>${rules.map((r) => {
      const firing = r.firing ?? r.firing_at_to;
      const since = r.since ?? (firing ? [...(r.events ?? [])].reverse().find((e) => e.event === 'firing')?.at : null);
      return html`<tr data-rule=${`${r.long}/${r.short}`}><td>${r.long}/${r.short} at ${r.factor}x</td><td>${r.severity}</td>
        <td data-col="firing">${firing ? html`<span class="badge bad">firing</span>${since ? ` since ${instant(since)}` : ''}` : html`<span class="badge ok">not firing</span>`}</td>
        <td class="num" data-col="long">${rate(r.burn_rate_long)}</td><td class="num" data-col="short">${rate(r.burn_rate_short)}</td></tr>`;
    })}</tbody></table></div>`;
}
