// A node's live status: a coloured mark with the status word and since when (GET /api/v1/status).
import { html } from '../html.js';
import { since, statusClass } from '../lib/format.js';

export function StatusDot({ status }) {
  if (!status) return null;
  return html`<span class=${`status ${statusClass(status.status)}`} data-status=${status.status}
    title=${status.since ? `${status.status} since ${status.since}` : status.status}>${status.status}${status.since ? html` <span class="muted">${since(status.since)}</span>` : ''}</span>`;
}
