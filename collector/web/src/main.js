// The web UI's entry: a hash router over the pages (#/ the SLA overview, #/services the service tree,
// #/services/ID, #/cis/ID, #/probes/ID, #/print/SLA/PERIOD, #/agreements, #/agreements/ID,
// #/print-agreement/ID/PERIOD, #/kpi, #/alerts, #/maintenance, #/agents). The catalogue
// and the live status are fetched again on every navigation, so a reloaded catalogue (SIGHUP) shows
// without reloading the page.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { Header } from './components/Header.js';
import { Overview } from './components/Overview.js';
import { PrintView } from './components/PrintView.js';
import { MaintenancePage } from './components/MaintenancePage.js';
import { ServiceTree } from './components/ServiceTree.js';
import { ServiceView } from './components/ServiceView.js';
import { CiView } from './components/CiView.js';
import { ProbeView } from './components/ProbeView.js';
import { AgentsTable } from './components/AgentsTable.js';
import { TokenForm } from './components/TokenForm.js';
import { AgreementsPage } from './components/AgreementsPage.js';
import { AgreementView } from './components/AgreementView.js';
import { KpiPage } from './components/KpiPage.js';
import { AlertsPage } from './components/AlertsPage.js';
import { statusMap } from './lib/shapes.js';
import 'uplot/dist/uPlot.min.css';
import './style.css';

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { page: parts[0] || 'overview', id: parts[1], rest: parts.slice(2) };
}

function App() {
  const [where, setWhere] = useState(route());
  const [catalogue, setCatalogue] = useState(null);
  const [error, setError] = useState(null);
  const [generation, setGeneration] = useState(0);
  const [status, setStatus] = useState(null);

  useEffect(() => {
    const onHash = () => setWhere(route());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    api.catalogue().then((c) => { setCatalogue(c); setError(null); }, setError);
    if (['services', 'cis', 'probes'].includes(where.page)) api.status().then((b) => setStatus(statusMap(b)), () => setStatus(null));
  }, [where, generation]);
  useEffect(() => {
    const title = { overview: 'Service levels', agents: 'Agents', services: where.id ? 'Service' : 'Services', cis: 'CI',
      probes: 'Probe', print: 'Report', 'print-agreement': 'Report', maintenance: 'Maintenance',
      agreements: where.id ? 'Agreement' : 'Agreements', kpi: 'KPI', alerts: 'Alerts' }[where.page];
    document.title = `slamon: ${title ?? 'not found'}${where.id ? ` ${where.id}` : ''}`;
  }, [where]);

  let body;
  if (error?.status === 401) body = html`<${TokenForm} message=${error.message} onToken=${() => setGeneration(generation + 1)} />`;
  else if (error) body = html`<p class="error" role="alert">The collector's API answered: ${error.message}</p>`;
  else if (!catalogue) body = html`<p class="muted">Loading…</p>`;
  else if (where.page === 'overview') body = html`<${Overview} />`;
  else if (where.page === 'services' && !where.id) body = html`<${ServiceTree} catalogue=${catalogue} status=${status} />`;
  else if (where.page === 'services') body = html`<${ServiceView} key=${where.id} catalogue=${catalogue} id=${where.id} status=${status} />`;
  else if (where.page === 'cis') body = html`<${CiView} catalogue=${catalogue} id=${where.id} status=${status} />`;
  else if (where.page === 'print') body = html`<${PrintView} catalogue=${catalogue} sla=${where.id} period=${where.rest[0]} />`;
  else if (where.page === 'print-agreement') body = html`<${PrintView} catalogue=${catalogue} sla=${where.id} period=${where.rest[0]} agreement=${true} />`;
  else if (where.page === 'agreements' && !where.id) body = html`<${AgreementsPage} catalogue=${catalogue} />`;
  else if (where.page === 'agreements') body = html`<${AgreementView} key=${where.id} catalogue=${catalogue} id=${where.id} />`;
  else if (where.page === 'kpi') body = html`<${KpiPage} catalogue=${catalogue} />`;
  else if (where.page === 'alerts') body = html`<${AlertsPage} catalogue=${catalogue} />`;
  else if (where.page === 'maintenance') body = html`<${MaintenancePage} catalogue=${catalogue} />`;
  else if (where.page === 'probes') body = html`<${ProbeView} catalogue=${catalogue} id=${where.id} />`;
  else if (where.page === 'agents') body = html`<${AgentsTable} />`;
  else body = html`<p>No such page. <a href="#/">Back to the overview</a>.</p>`;
  return html`<${Header} page=${where.page} /><main id="main">${body}</main>`;
}

const root = document.getElementById('app');
root.textContent = '';  // the static "Loading…" of index.html
render(html`<${App} />`, root);
