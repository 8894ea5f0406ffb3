// The SLA overview (the first page): every SLA's current-period figures from one request
// (GET /api/v1/overview) and the attainment KPI; filter by text and verdict, sort by any column, 100
// rows a page so that 1,000 SLAs stay quick. Rows are focusable: Enter opens the SLA's service. The
// burn-rate rules firing per SLA (GET /api/v1/alerts) fill the Alerts column once they arrive.
// Performance marks: "overview-data" when the answer arrived, "overview-rendered" once the table is
// in the document, "overview-painted" at the next frame (bench/web_overview_bench.mjs measures them).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { COLUMNS, filterRows, pageOf, sortRows, withAlerts } from '../lib/table.js';
import { alertsBySla, overviewOf, kpiPercent } from '../lib/shapes.js';
import { duration, percent, verdict } from '../lib/format.js';
import { href } from './links.js';
import { ApiErrorText } from './ApiErrorText.js';

const PAGE = 100;

export function Overview() {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [text, setText] = useState('');
  const [only, setOnly] = useState('all');
  const [sort, setSort] = useState({ key: 'sla', asc: true });
  const [page, setPage] = useState(0);
  const [alerts, setAlerts] = useState(null);
  useEffect(() => {
    api.overview().then((b) => { performance.mark('overview-data'); setData(overviewOf(b)); }, setError);
    api.alerts().then((b) => setAlerts({ bySla: alertsBySla(b), firing: b.firing ?? 0 }), (e) => setAlerts({ error: e }));
  }, []);
  const rows = useMemo(() => (data ? withAlerts(data.rows, alerts?.bySla) : []), [data, alerts]);
  const shown = useMemo(() => sortRows(filterRows(rows, text, only), sort.key, sort.asc), [rows, text, only, sort]);
  const view = pageOf(shown, page, PAGE);
  useEffect(() => {
    if (!data) return;
    performance.mark('overview-rendered');
    requestAnimationFrame(() => { performance.mark('overview-painted'); document.body.dataset.overview = 'rendered'; });
  }, [data]);
  if (error) return html`<${ApiErrorText} error=${error} />`;
  if (!data) return html`<p class="muted">Loading…</p>`;
  const kpi = kpiPercent(data.kpi);
  const sortBy = (key) => { setSort({ key, asc: sort.key === key ? !sort.asc : true }); setPage(0); };
  const open = (r) => { location.hash = href('services', r.service); };
  return html`<h1>Service levels</h1>
    <p class="kpi">SLA attainment: <strong data-kpi>${kpi == null ? 'n/a' : percent(kpi, 2)}</strong>
      ${data.kpi?.met != null ? html` <span class="muted">(${data.kpi.met} of ${data.kpi.committed ?? data.kpi.periods} met)</span>` : null}
      <span class="muted"> · ${data.rows.length} SLAs</span>
      <span> · burn-rate alerts: ${alerts == null ? html`<span class="muted">…</span>` : alerts.error ? html`<span class="muted">${alerts.error.message}</span>`
        : html`<a href="#/alerts" class=${`badge ${alerts.firing ? 'bad' : 'ok'}`} data-alerts-firing=${alerts.firing}>${alerts.firing} firing</a>`}</span></p>
    <div class="filters" role="search">
      <label>Filter <input type="search" value=${text} placeholder="SLA or service"
        onInput=${(e) => { setText(e.target.value); setPage(0); }} /></label>
      <label>Verdict <select value=${only} onChange=${(e) => { setOnly(e.target.value); setPage(0); }}>
        <option value="all">all</option><option value="met">met</option>
        <option value="not-met">not met</option><option value="not-judged">not judged</option></select></label>
      <span class="muted" aria-live="polite">${shown.length} shown</span>
    </div>
    <div class="scroll"><table class="overview" aria-label="SLAs"><thead><tr>
      ${COLUMNS.map((c) => html`<th scope="col" class=${`col-${c.key}`} aria-sort=${sort.key === c.key ? (sort.asc ? 'ascending' : 'descending') : 'none'}>
        <button class="sort" onClick=${() => sortBy(c.key)}>${c.label}${sort.key === c.key ? (sort.asc ? ' ▲' : ' ▼') : ''}</button></th>`)}
    </tr></thead><tbody>${view.rows.map((r) => {
      const v = verdict(r.met);
      return html`<tr key=${r.sla} data-sla=${r.sla} tabindex="0" class="row-link"
          onClick=${() => open(r)} onKeyDown=${(e) => { if (e.key === 'Enter') open(r); }}>
        <td><a href=${href('services', r.service)} tabindex="-1">${r.sla}</a></td>
        <td>${r.service}</td>
        <td class="num" data-col="availability">${percent(r.availability)}</td>
        <td class="num" data-col="target">${r.target} %</td>
        <td class=${`num ${r.error_budget_remaining_s < 0 ? 'no' : ''}`} data-col="budget">${duration(r.error_budget_remaining_s)}</td>
        <td><span class=${`verdict ${v.cls}`}>${v.text}</span>${r.complete === false ? html` <span class="muted">so far</span>` : ''}</td>
        <td class="num col-alerts" data-col="alerts">${r.alerts_firing == null ? '—' : r.alerts_firing ? html`<span class="badge bad">${r.alerts_firing} firing</span>` : '0'}</td>
      </tr>`;
    })}</tbody></table></div>
    ${view.pages > 1 ? html`<nav class="pager" aria-label="Pages of SLAs">
      <button disabled=${view.page === 0} onClick=${() => setPage(view.page - 1)}>Previous</button>
      <span>page ${view.page + 1} of ${view.pages}</span>
      <button disabled=${view.page + 1 >= view.pages} onClick=${() => setPage(view.page + 1)}>Next</button></nav>` : null}`;
}
