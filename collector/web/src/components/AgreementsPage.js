// Every OLA and UC (#/agreements): provider, the node it covers, its own current period's availability,
// target, longest outage against its restore_within, and verdict so far, as GET /api/v1/overview's
// `agreements` gives them; filter by text (agreement, provider, node) and verdict, sort by any column.
// Rows are focusable: Enter opens the agreement's report page.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { AGREEMENT_COLUMNS, filterRows, sortRows } from '../lib/table.js';
import { agreementRowsOf } from '../lib/shapes.js';
import { duration, instant, percent, verdict } from '../lib/format.js';
import { CiLink, href, ServiceLink } from './links.js';
import { ApiErrorText } from './ApiErrorText.js';

const FIELDS = ['agreement', 'provider', 'covers'];

// "1h 5m of 4h" with the class bad when the longest outage passed restore_within.
export function restoreCell(r) {
  if (r.restore_within_s == null) return html`${duration(r.longest_outage_s)} <span class="muted">(no limit)</span>`;
  const over = r.longest_outage_s > r.restore_within_s;
  return html`<span class=${over ? 'no' : ''}>${duration(r.longest_outage_s)}</span> of ${duration(r.restore_within_s)}`;
}

export function AgreementsPage({ catalogue }) {
  const [rows, setRows] = useState(null);
  const [error, setError] = useState(null);
  const [text, setText] = useState('');
  const [only, setOnly] = useState('all');
  const [sort, setSort] = useState({ key: 'agreement', asc: true });
  useEffect(() => { api.overview().then((b) => setRows({ list: agreementRowsOf(b), asOf: b.as_of, left: b.agreements_left_out ?? [] }), setError); }, []);
  const shown = useMemo(() => (rows ? sortRows(filterRows(rows.list, text, only, FIELDS), sort.key, sort.asc, AGREEMENT_COLUMNS) : []), [rows, text, only, sort]);
  if (error) return html`<${ApiErrorText} error=${error} />`;
  if (!rows) return html`<p class="muted">Loading…</p>`;
  const isCi = new Set(catalogue.cis.map((c) => c.id));
  const sortBy = (key) => setSort({ key, asc: sort.key === key ? !sort.asc : true });
  const open = (r) => { location.hash = href('agreements', r.agreement); };
  return html`<h1>Agreements</h1>
    <p class="muted">Each OLA's and UC's own current period, as of ${instant(rows.asOf)}; ${rows.list.length} agreements.</p>
    <div class="filters" role="search">
      <label>Filter <input type="search" value=${text} placeholder="agreement, provider or node" onInput=${(e) => setText(e.target.value)} /></label>
      <label>Verdict <select value=${only} onChange=${(e) => setOnly(e.target.value)}>
        <option value="all">all</option><option value="met">met</option>
        <option value="not-met">not met</option><option value="not-judged">not judged</option></select></label>
      <span class="muted" aria-live="polite">${shown.length} shown</span>
    </div>
    ${rows.list.length === 0 ? html`<p>The catalogue has no OLA or UC.</p>` : html`<div class="scroll"><table class="agreements-all" aria-label="Agreements"><thead><tr>
      ${AGREEMENT_COLUMNS.map((c) => html`<th scope="col" aria-sort=${sort.key === c.key ? (sort.asc ? 'ascending' : 'descending') : 'none'}>
        <button class="sort" onClick=${() => sortBy(c.key)}>${c.label}${sort.key === c.key ? (sort.asc ? ' ▲' : ' ▼') : ''}</button></th>`)}
    </tr></thead><tbody>${shown.map((r) => {
      const v = verdict(r.met);
      return html`<tr key=${r.agreement} data-agreement=${r.agreement} tabindex="0" class="row-link"
          onClick=${() => open(r)} onKeyDown=${(e) => { if (e.key === 'Enter') open(r); }}>
        <td><a href=${href('agreements', r.agreement)} tabindex="-1">${r.agreement}</a></td>
        <td>${r.kind}</td><td>${r.provider}</td>
        <td>${isCi.has(r.covers) ? html`<${CiLink} id=${r.covers} />` : html`<${ServiceLink} id=${r.covers} />`}</td>
        <td class="num" data-col="availability">${percent(r.availability)}</td>
        <td class="num" data-col="target">${r.target} %</td>
        <td data-col="outage">${restoreCell(r)}</td>
        <td data-col="verdict"><span class=${`verdict ${v.cls}`}>${v.text}</span>${r.complete === false ? html` <span class="muted">so far</span>` : ''}${r.missed_by?.length ? ` (${r.missed_by.join(', ')})` : ''}</td>
      </tr>`;
    })}</tbody></table></div>`}
    ${rows.left.length ? html`<p class="muted">Not reported: ${rows.left.join('; ')}</p>` : null}`;
}
