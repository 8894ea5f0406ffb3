// The print view of an SLA's or an agreement's report for a period: the collector's HTML report page
// (GET /api/v1/slas/{id}/report?period=&format=html, or /api/v1/agreements/{id}/report: the page
// `slamon report --format html|pdf` makes) in a frame (fetched with the tab's token, shown through
// srcdoc), with a button that prints it; the UI's own header and toolbar are left out of print.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { href } from './links.js';
import { ApiErrorText } from './ApiErrorText.js';

export function PrintView({ catalogue, sla, period, agreement = false }) {
  const frame = useRef(null);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setPage(null);
    setError(null);
    (agreement ? api.agreementReportHtml(sla, period) : api.reportHtml(sla, period)).then(setPage, setError);
  }, [sla, period, agreement]);
  const s = (agreement ? catalogue.agreements : catalogue.slas).find((x) => x.id === sla);
  if (!s) return html`<p>No ${agreement ? 'agreement' : 'SLA'} '${sla}' in the catalogue. <a href="#/">Back to the overview</a>.</p>`;
  const url = agreement ? api.agreementReportHtmlUrl(sla, period) : api.reportHtmlUrl(sla, period);
  const what = agreement ? 'agreement' : 'SLA';
  return html`<div class="toolbar no-print">
      ${agreement ? html`<a href=${href('agreements', sla)}>${sla}</a>` : html`<a href=${href('services', s.service)}>${s.service}</a> › SLA ${sla}`}, ${period}
      <button onClick=${() => frame.current?.contentWindow?.print()}>Print</button>
      <a href=${url} target="_blank" rel="noopener">Open the page alone</a>
      <span class="muted">(a PDF: <code>slamon report --${agreement ? 'agreement' : 'sla'} ${sla} --period ${period} --format pdf --output FILE</code>)</span>
    </div>
    ${error ? html`<${ApiErrorText} error=${error} />` : page == null ? html`<p class="muted">Loading…</p>`
      : html`<iframe ref=${frame} class="report-frame" title=${`Report of ${what} ${sla} for ${period}`} srcdoc=${page}
          onLoad=${(e) => { const d = e.target.contentDocument; if (d?.body) e.target.style.height = `${d.documentElement.scrollHeight + 20}px`; }}></iframe>`}`;
}
