// The web UI's entry: a hash router over the pages (#/ the service tree, #/services/ID, #/cis/ID,
// #/probes/ID, #/agents). The catalogue is fetched again on every navigation, so a reloaded
// catalogue (SIGHUP) shows without reloading the page.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { Header } from './components/Header.js';
import { ServiceTree } from './components/ServiceTree.js';
import { ServiceView } from './components/ServiceView.js';
import { CiView } from './components/CiView.js';
import { ProbeView } from './components/ProbeView.js';
import { AgentsTable } from './components/AgentsTable.js';
import { TokenForm } from './components/TokenForm.js';
import './style.css';

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return { page: parts[0] || 'tree', id: parts[1] };
}

function App() {
  const [where, setWhere] = useState(route());
  const [catalogue, setCatalogue] = useState(null);
  const [error, setError] = useState(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const onHash = () => setWhere(route());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    api.catalogue().then((c) => { setCatalogue(c); setError(null); }, setError);
  }, [where, generation]);
  useEffect(() => {
    const title = { tree: 'Services', agents: 'Agents', services: 'Service', cis: 'CI', probes: 'Probe' }[where.page];
    document.title = `slamon: ${title ?? 'not found'}${where.id ? ` ${where.id}` : ''}`;
  }, [where]);

  let body;
  if (error?.status === 401) body = html`<${TokenForm} message=${error.message} onToken=${() => setGeneration(generation + 1)} />`;
  else if (error) body = html`<p class="error" role="alert">The collector's API answered: ${error.message}</p>`;
  else if (!catalogue) body = html`<p class="muted">Loading…</p>`;
  else if (where.page === 'tree') body = html`<${ServiceTree} catalogue=${catalogue} />`;
  else if (where.page === 'services') body = html`<${ServiceView} catalogue=${catalogue} id=${where.id} />`;
  else if (where.page === 'cis') body = html`<${CiView} catalogue=${catalogue} id=${where.id} />`;
  else if (where.page === 'probes') body = html`<${ProbeView} catalogue=${catalogue} id=${where.id} />`;
  else if (where.page === 'agents') body = html`<${AgentsTable} />`;
  else body = html`<p>No such page. <a href="#/">Back to the services</a>.</p>`;
  return html`<${Header} page=${where.page} /><main id="main">${body}</main>`;
}

const root = document.getElementById('app');
root.textContent = '';  // the static "Loading…" of index.html
render(html`<${App} />`, root);
