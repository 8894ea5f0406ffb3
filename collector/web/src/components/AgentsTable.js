// The agents: connected or not, last seen, clock offset, backlog and whether each runs its current
// assignment, as the collector's link last recorded them.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';

export function AgentsTable() {
  const [agents, setAgents] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { api.agents().then(setAgents, setError); }, []);
  if (error) return html`<p class="error" role="alert">The collector's API answered: ${error.message}</p>`;
  if (!agents) return html`<p class="muted">Loading…</p>`;
  return html`<h1>Agents</h1>
    <table aria-label="Agents"><thead><tr>
      <th scope="col">Agent</th><th scope="col">Connected</th><th scope="col">Peer</th><th scope="col">Last seen</th>
      <th scope="col">Clock offset</th><th scope="col">Backlog</th><th scope="col">Probes</th><th scope="col">Assignment</th>
    </tr></thead><tbody>${agents.map((a) => html`<tr key=${a.name} data-agent=${a.name}>
      <td>${a.name}${a.in_catalogue ? '' : html` <span class="muted">(not in the catalogue)</span>`}</td>
      <td class=${a.connected ? 'yes' : 'no'}>${a.connected ? 'yes' : 'no'}</td>
      <td>${a.peer ?? '—'}</td>
      <td>${a.last_seen ?? 'never'}</td>
      <td>${a.clock_offset_ms == null ? '—' : `${a.clock_offset_ms} ms`}</td>
      <td>${a.backlog}</td>
      <td>${a.probes}</td>
      <td>${a.assignment_version == null ? 'none yet' : a.assignment_current ? 'current' : 'older'}</td>
    </tr>`)}</tbody></table>`;
}
