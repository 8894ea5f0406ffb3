// The top bar: the product name and the two first pages.
import { html } from '../html.js';

export function Header({ page }) {
  const current = (p) => (p ? 'page' : undefined);
  return html`<header>
    <strong>slamon</strong>
    <nav aria-label="Pages">
      <a href="#/" aria-current=${current(page !== 'agents')}>Services</a>
      <a href="#/agents" aria-current=${current(page === 'agents')}>Agents</a>
    </nav>
  </header>`;
}
