// The SLA attainment KPI as the SLM process reviews it (#/kpi): SLAs met / SLAs committed over a span
// of dates (default: the current year), where every SLA period inside the span counts; by SLA,
// service, owner and provider, and every missed period with its reasons and the agreements underneath
// missed too. GET /api/v1/kpi?from=&to=, shown as the API gives it.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { percent } from '../lib/format.js';
import { currentYear } from '../lib/period.js';
import { href } from './links.js';
import { ApiErrorText } from './ApiErrorText.js';

const GROUPS = [['by_sla', 'SLA'], ['by_service', 'Service'], ['by_owner', 'Owner'], ['by_provider', 'Provider']];

function Group({ rows, label, name }) {
  if (!rows?.length) return null;
  return html`<h2>By ${label === 'SLA' ? label : label.toLowerCase()}</h2>
    <div class="scroll"><table class="kpi-group" data-group=${name} aria-label=${`KPI by ${label.toLowerCase()}`}><thead><tr>
      <th scope="col">${label}</th><th scope="col" class="num">Attainment</th><th scope="col" class="num">Met</th><th scope="col" class="num">Committed</th><th scope="col" class="num">Periods</th></tr></thead>
      <tbody>${rows.map((g) => html`<tr data-key=${g.key}><td>${g.key || html`<span class="muted">(none)</span>`}</td>
        <td class="num" data-col="attainment">${percent(g.attainment, 2)}</td><td class="num">${g.met}</td>
        <td class="num">${g.committed}</td><td class="num">${g.periods}</td></tr>`)}</tbody></table></div>`;
}

export function KpiPage({ catalogue }) {
  const [span, setSpan] = useState(currentYear());
  const [draft, setDraft] = useState(span);
  const [kpi, setKpi] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { setKpi(null); setError(null); api.kpi(span.from, span.to).then(setKpi, setError); }, [span.from, span.to]);
  const serviceOf = new Map(catalogue.slas.map((s) => [s.id, s.service]));
  const apply = (e) => { e.preventDefault(); setSpan({ ...draft }); };
  return html`<h1>SLA attainment KPI</h1>
    <form class="filters" onSubmit=${apply} aria-label="Span">
      <label>From <input type="date" name="from" value=${draft.from} required onInput=${(e) => setDraft({ ...draft, from: e.target.value })} /></label>
      <label>To (exclusive) <input type="date" name="to" value=${draft.to} required onInput=${(e) => setDraft({ ...draft, to: e.target.value })} /></label>
      <button type="submit">Show</button>
    </form>
    ${error ? html`<${ApiErrorText} error=${error} />` : !kpi ? html`<p class="muted">Loading…</p>` : html`
      <p class="kpi">From ${kpi.from} to ${kpi.to}: <strong data-kpi-total>${percent(kpi.attainment, 2)}</strong>${' '}<span class="muted" data-kpi-counts>(${kpi.met} of ${kpi.committed} committed periods met, ${kpi.periods} periods)</span></p>
      ${GROUPS.map(([k, label]) => html`<${Group} rows=${kpi[k]} label=${label} name=${k} />`)}
      <h2>Missed periods</h2>
      ${!kpi.missed?.length ? html`<p>None.</p>` : html`<div class="scroll"><table class="missed" aria-label="Missed periods"><thead><tr>
        <th scope="col">SLA</th><th scope="col">Period</th><th scope="col">Availability</th><th scope="col">Target</th>
        <th scope="col">Reasons</th><th scope="col">Agreements also missed</th></tr></thead>
        <tbody>${kpi.missed.map((m) => html`<tr data-sla=${m.sla} data-period=${m.period}>
          <td><a href=${href('services', serviceOf.get(m.sla) ?? m.service)}>${m.sla}</a></td><td>${m.period}</td>
          <td class="num">${percent(m.availability)}</td><td class="num">${m.target} %</td>
          <td data-col="reasons">${m.reasons.join(', ')}</td>
          <td data-col="agreements">${m.agreements_missed.length ? m.agreements_missed.map((a, i) => html`${i ? ', ' : ''}<a href=${href('agreements', a)}>${a}</a>`) : '—'}</td></tr>`)}</tbody></table></div>`}
      ${kpi.left_out?.length ? html`<h2>Not counted</h2><p class="muted">Periods still running at ${kpi.as_of ?? 'the cut'} are judged when they end.</p>
        <ul data-kpi-left-out>${kpi.left_out.map((l) => html`<li>${l}</li>`)}</ul>` : ''}`}`;
}
