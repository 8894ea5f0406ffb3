// One SLA of a service: its figures for the current and the previous period
// (GET /api/v1/slas/{id}/report), a bar per day of the current period with the maintenance windows on
// it, the outage list with causes, who cost the budget (by cause CI, agreement and provider), the
// agreements under it with their verdicts, its feasibility and its burn-rate alerts with the forecast.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { periodLabels } from '../lib/period.js';
import { duration, instant, percent, verdict } from '../lib/format.js';
import { CiLink, printHref, ServiceLink } from './links.js';
import { DayBars } from './DayBars.js';
import { ApiErrorText } from './ApiErrorText.js';
import { BudgetCost } from './BudgetCost.js';
import { FeasibilityView } from './FeasibilityView.js';
import { SlaAlerts } from './SlaAlerts.js';

const FIGURES = [
  ['Availability', (r) => percent(r.availability)],
  ['Target', (r) => `${r.target} %`],
  ['Coverage', (r) => percent(r.coverage)],
  ['Error budget', (r) => duration(r.error_budget_s)],
  ['Error budget remaining', (r) => duration(r.error_budget_remaining_s)],
  ['Outages', (r) => String(r.outage_count)],
  ['Longest outage', (r) => duration(r.longest_outage_s)],
  ['Planned', (r) => duration(r.planned_s)],
  ['Unmonitored', (r) => duration(r.unmonitored_s)],
];

export function SlaSection({ catalogue, sla, windows }) {
  const [reports, setReports] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    // The current period as the API cuts it (at the engine's latest snapshot), then the one before it.
    api.report(sla.id).then((current) => {
      const previous = periodLabels(sla.period, sla.timezone, Date.parse(current.period.start) - 1).current;
      return api.report(sla.id, previous).catch(() => null).then((prev) => setReports({ current, previous: prev }));
    }).catch(setError);
  }, [sla.id]);
  if (error) return html`<section><h2>SLA ${sla.id}</h2><${ApiErrorText} error=${error} /></section>`;
  if (!reports) return html`<section><h2>SLA ${sla.id}</h2><p class="muted">Loading…</p></section>`;
  const { current, previous } = reports;
  const cols = [current, previous].filter(Boolean);
  return html`<section class="sla" data-sla=${sla.id}>
    <h2>SLA ${sla.id}${sla.name ? ` · ${sla.name}` : ''}</h2>
    <p>Print view: ${cols.map((r, i) => html`${i ? ' · ' : ''}<a href=${printHref(sla.id, r.period.label)}>${r.period.label}</a>`)}</p>
    <div class="scroll"><table class="figures" aria-label=${`Figures of ${sla.id}`}><thead><tr><th scope="col">Figure</th>
      ${cols.map((r) => html`<th scope="col" data-period=${r.period.label} data-as-of=${r.as_of}>${r.period.label}${r.complete ? '' : html` <span class="muted">(so far, to ${instant(r.as_of)})</span>`}</th>`)}</tr></thead>
      <tbody>${FIGURES.map(([label, f]) => html`<tr><th scope="row">${label}</th>${cols.map((r) => html`<td data-figure=${label}>${f(r)}</td>`)}</tr>`)}
        <tr><th scope="row">Verdict</th>${cols.map((r) => { const v = verdict(r.met); return html`<td data-figure="Verdict"><span class=${`verdict ${v.cls}`}>${v.text}</span>${r.missed_by?.length ? ` (${r.missed_by.join(', ')})` : ''}</td>`; })}</tr>
      </tbody></table></div>
    <h3>Per day, ${current.period.label}</h3>
    <${DayBars} report=${current} windows=${windows} timezone=${sla.timezone} />
    <h3>Outages, ${current.period.label}</h3>
    ${current.outages.length === 0 ? html`<p>None.</p>` : html`<div class="scroll"><table class="outages"><thead><tr>
      <th scope="col">Start</th><th scope="col">End</th><th scope="col">Counted down</th><th scope="col">Causes</th></tr></thead>
      <tbody>${current.outages.map((o) => html`<tr><td>${instant(o.start)}${o.continues_before ? ' (before the period)' : ''}</td>
        <td>${instant(o.end)}${o.continues_after ? (current.complete ? ' (after the period)' : ' (still lasting)') : ''}</td>
        <td>${duration(o.down_s)}</td>
        <td>${o.causes.length ? o.causes.map((c, i) => html`${i ? ', ' : ''}<${CiLink} id=${c} />`) : html`<span class="muted">unattributed</span>`}</td></tr>`)}</tbody></table></div>`}
    <h3>Who cost the budget, ${current.period.label}</h3>
    <${BudgetCost} report=${current} />
    <h3>Agreements</h3>
    ${!current.agreements?.length ? html`<p class="muted">No OLA or UC under this SLA's service.</p>` : html`<div class="scroll"><table class="agreements"><thead><tr>
      <th scope="col">Agreement</th><th scope="col">Kind</th><th scope="col">Provider</th><th scope="col">Covers</th>
      <th scope="col">Availability</th><th scope="col">Target</th><th scope="col">Verdict</th></tr></thead>
      <tbody>${current.agreements.map((a) => { const v = verdict(a.met); return html`<tr data-agreement=${a.id}><td><a href=${`#/agreements/${encodeURIComponent(a.id)}`}>${a.id}</a></td><td>${a.kind}</td><td>${a.provider}</td>
        <td>${catalogue.cis.some((c) => c.id === a.covers) ? html`<${CiLink} id=${a.covers} />` : html`<${ServiceLink} id=${a.covers} />`}</td>
        <td>${percent(a.availability)}</td><td>${a.target} %</td><td><span class=${`verdict ${v.cls}`}>${v.text}</span></td></tr>`; })}</tbody></table></div>`}
    <h3>Feasibility</h3>
    <${FeasibilityView} sla=${sla.id} />
    <h3>Burn-rate alerts</h3>
    <${SlaAlerts} sla=${sla.id} />
  </section>`;
}

