// One OLA or UC (#/agreements/ID): what it is (provider, node, hours, target, restore_within), its
// report for the current period (cut at the engine's snapshot) and the one before it, side by side
// (GET /api/v1/agreements/{id}/report), the current period's outages, and links to the print view of
// each (the HTML report page the API gives for agreements too).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { periodLabels } from '../lib/period.js';
import { duration, instant, percent, verdict } from '../lib/format.js';
import { CiLink, ServiceLink } from './links.js';
import { ApiErrorText } from './ApiErrorText.js';

export const agreementPrintHref = (id, label) => `#/print-agreement/${encodeURIComponent(id)}/${encodeURIComponent(label)}`;

const FIGURES = [
  ['Availability', (r) => percent(r.availability)],
  ['Target', (r) => `${r.target} %`],
  ['Error budget', (r) => duration(r.error_budget_s)],
  ['Error budget remaining', (r) => duration(r.error_budget_remaining_s)],
  ['Outages', (r) => String(r.outage_count)],
  ['Longest outage', (r) => duration(r.longest_outage_s)],
  ['Restore within', (r) => (r.restore_within_s == null ? '—' : duration(r.restore_within_s))],
  ['Planned', (r) => duration(r.planned_s)],
  ['Unmonitored', (r) => duration(r.unmonitored_s)],
];

export function AgreementView({ catalogue, id }) {
  const a = catalogue.agreements.find((x) => x.id === id);
  const [reports, setReports] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!a) return;
    api.agreementReport(id).then((current) => {
      const previous = periodLabels(a.period, a.timezone, Date.parse(current.period.start) - 1).current;
      return api.agreementReport(id, previous).catch(() => null).then((prev) => setReports({ current, previous: prev }));
    }).catch(setError);
  }, [id]);
  if (!a) return html`<p>No agreement '${id}' in the catalogue. <a href="#/agreements">Back to the agreements</a>.</p>`;
  const isCi = catalogue.cis.some((c) => c.id === a.covers);
  const head = html`<nav class="crumbs" aria-label="Breadcrumb"><a href="#/agreements">Agreements</a> › ${a.id}</nav>
    <h1>${a.kind === 'uc' ? 'UC' : 'OLA'} ${a.id}</h1>
    <dl>
      <dt>Provider</dt><dd>${a.provider}</dd>
      <dt>Covers</dt><dd>${isCi ? html`<${CiLink} id=${a.covers} />` : html`<${ServiceLink} id=${a.covers} />`}</dd>
      <dt>Period</dt><dd>${a.period} (${a.timezone})</dd>
      <dt>Underpins</dt><dd>${a.underpins?.length ? a.underpins.join(', ') : '—'}</dd>
    </dl>`;
  if (error) return html`${head}<${ApiErrorText} error=${error} />`;
  if (!reports) return html`${head}<p class="muted">Loading…</p>`;
  const { current, previous } = reports;
  const cols = [current, previous].filter(Boolean);
  return html`${head}
    <section class="agreement-report" data-agreement=${id}>
    <p>Print view: ${cols.map((r, i) => html`${i ? ' · ' : ''}<a href=${agreementPrintHref(id, r.period.label)}>${r.period.label}</a>`)}</p>
    <div class="scroll"><table class="figures" aria-label=${`Figures of ${id}`}><thead><tr><th scope="col">Figure</th>
      ${cols.map((r) => html`<th scope="col" data-period=${r.period.label} data-as-of=${r.as_of}>${r.period.label}${r.complete ? '' : html` <span class="muted">(so far, to ${instant(r.as_of)})</span>`}</th>`)}</tr></thead>
      <tbody>${FIGURES.map(([label, f]) => html`<tr><th scope="row">${label}</th>${cols.map((r) => html`<td data-figure=${label}>${f(r)}</td>`)}</tr>`)}
        <tr><th scope="row">Verdict</th>${cols.map((r) => { const v = verdict(r.met); return html`<td data-figure="Verdict"><span class=${`verdict ${v.cls}`}>${v.text}</span>${r.missed_by?.length ? ` (${r.missed_by.join(', ')})` : ''}</td>`; })}</tr>
      </tbody></table></div>
    <h2>Outages, ${current.period.label}</h2>
    ${current.outages.length === 0 ? html`<p>None.</p>` : html`<div class="scroll"><table class="outages"><thead><tr>
      <th scope="col">Start</th><th scope="col">End</th><th scope="col">Counted down</th><th scope="col">Causes</th></tr></thead>
      <tbody>${current.outages.map((o) => html`<tr><td>${instant(o.start)}${o.continues_before ? ' (before the period)' : ''}</td>
        <td>${instant(o.end)}${o.continues_after ? (current.complete ? ' (after the period)' : ' (still lasting)') : ''}</td>
        <td class=${current.restore_within_s != null && o.down_s > current.restore_within_s ? 'no' : ''}>${duration(o.down_s)}</td>
        <td>${o.causes.length ? o.causes.map((c, i) => html`${i ? ', ' : ''}<${CiLink} id=${c} />`) : html`<span class="muted">unattributed</span>`}</td></tr>`)}</tbody></table></div>`}
    </section>
    <p><a href="#/agreements">All agreements</a></p>`;
}
