// The top bar: the product name and the pages.
import { html } from '../html.js';

const PAGES = [
  ['overview', '#/', 'Overview'],
  ['services', '#/services', 'Services'],
  ['agreements', '#/agreements', 'Agreements'],
  ['kpi', '#/kpi', 'KPI'],
  ['alerts', '#/alerts', 'Alerts'],
  ['maintenance', '#/maintenance', 'Maintenance'],
  ['agents', '#/agents', 'Agents'],
];

export function Header({ page }) {
  const section = ['cis', 'probes'].includes(page) ? 'services' : page === 'print' ? 'overview' : page === 'print-agreement' ? 'agreements' : page;
  return html`<header class="no-print">
    <strong>slamon</strong>
    <nav aria-label="Pages">
      ${PAGES.map(([p, to, label]) => html`<a href=${to} aria-current=${section === p ? 'page' : undefined}>${label}</a>`)}
    </nav>
  </header>`;
}
