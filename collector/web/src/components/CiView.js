// One CI: its fields and live status, the services it supports, its probes with their latest result,
// a latency chart of their recent results (uPlot, loaded when the page opens), and its state history
// over the last 24 hours.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { instant } from '../lib/format.js';
import { historySpans, probeKey } from '../lib/shapes.js';
import { byId, ProbeLink, ServiceLink } from './links.js';
import { StatusDot } from './StatusDot.js';
import { LatencyChart } from './LatencyChart.js';

const itemsOf = (b) => (Array.isArray(b) ? b : b?.items ?? []);

export function CiView({ catalogue, id, status }) {
  const ci = byId(catalogue.cis).get(id);
  const [results, setResults] = useState(null);
  const [history, setHistory] = useState(null);
  useEffect(() => {
    if (!ci) return;
    setResults(null);
    Promise.all(ci.probes.map((p) => api.results(p, 500).then(itemsOf, () => [])))
      .then((lists) => setResults(new Map(ci.probes.map((p, i) => [p, lists[i]]))));
    const to = new Date(), from = new Date(to.getTime() - 86400000);
    api.history('cis', id, from.toISOString(), to.toISOString()).then((b) => setHistory(historySpans(b)), (e) => setHistory(e));
  }, [id]);
  if (!ci) return html`<p>No CI '${id}' in the catalogue. <a href="#/services">Back to the services</a>.</p>`;
  const probes = byId(catalogue.probes);
  const latest = (pid) => {
    const rs = results?.get(pid) ?? [];
    return rs.reduce((a, r) => (!a || r.ts > a.ts ? r : a), null);
  };
  return html`<nav class="crumbs" aria-label="Breadcrumb"><a href="#/services">Services</a> › ${ci.id}</nav>
    <h1>${ci.name || ci.id} <${StatusDot} status=${status?.get(ci.id)} /></h1>
    <dl>
      <dt>Id</dt><dd>${ci.id}</dd>
      <dt>Type</dt><dd>${ci.type || '—'}</dd>
      <dt>Owner</dt><dd>${ci.owner || '—'}</dd>
      <dt>Supports</dt><dd>${ci.parents.length ? ci.parents.map((p) => html`<${ServiceLink} id=${p} /> `) : '—'}</dd>
    </dl>
    <h2>Probes</h2>
    <div class="scroll"><table class="probes"><thead><tr><th scope="col">Probe</th><th scope="col">Type</th><th scope="col">Target</th>
      <th scope="col">Status</th><th scope="col">Latest result</th><th scope="col">Latency</th><th scope="col">Agent</th><th scope="col">Interval</th></tr></thead>
      <tbody>${ci.probes.map((pid) => {
        const p = probes.get(pid) ?? { id: pid };
        const r = latest(pid);
        return html`<tr key=${pid} data-probe=${pid}><td><${ProbeLink} id=${pid} /></td><td>${p.type}</td><td>${p.target}</td>
          <td><${StatusDot} status=${status?.get(probeKey(pid))} /></td>
          <td data-col="latest">${results == null ? '…' : r ? html`<span class=${`st-${r.status}`}>${r.status}</span> ${instant(r.ts)}${r.detail ? html` <span class="muted">${r.detail}</span>` : ''}` : 'none'}</td>
          <td class="num">${r?.latency_ms != null ? `${r.latency_ms} ms` : '—'}</td>
          <td>${p.agent ?? ""}</td><td>${p.interval_ms == null ? "—" : `${p.interval_ms / 1000} s`}</td></tr>`;
      })}</tbody></table></div>
    <h2>Latency</h2>
    ${results == null ? html`<p class="muted">Loading…</p>` : html`<${LatencyChart} series=${[...results.entries()]} />`}
    <h2>History, last 24 hours</h2>
    ${history == null ? html`<p class="muted">Loading…</p>` : history instanceof Error ? html`<p class="muted">No history: ${history.message}</p>`
      : html`<ol class="history" reversed>${history.map((h) => html`<li><${StatusDot} status=${{ status: h.status, since: null }} /> from ${instant(h.from)} to ${instant(h.to)}</li>`)}</ol>`}`;
}
