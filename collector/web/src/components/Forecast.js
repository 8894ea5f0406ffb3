// An SLA's forecast of its period's end at the current burn rate (the `forecast` of GET /api/v1/alerts
// and /api/v1/slas/{id}/alerts, docs/alerts.md).
import { html } from '../html.js';
import { percent } from '../lib/format.js';
import { rate } from './RulesTable.js';

export function Forecast({ forecast: f }) {
  if (!f) return html`<p class="muted">No forecast (no SLA version in effect).</p>`;
  const v = f.will_meet === true ? ['will be met', 'ok'] : f.will_meet === false ? ['will not be met', 'bad'] : ['cannot be told', 'na'];
  return html`<p class="forecast" data-will-meet=${String(f.will_meet)}>Forecast for ${f.period} (target ${f.target} %): ${percent(f.projected_availability)} projected at burn rate ${rate(f.burn_rate)}${f.basis ? ` (${f.basis})` : ''}: <span class=${`verdict ${v[1]}`}>${v[0]}</span></p>`;
}
