// An SLA's burn-rate rules now (firing or not, since when, burn rates) and the forecast of its period's
// end, on the service page (GET /api/v1/slas/{id}/alerts: the last day up to the engine's snapshot).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { ApiErrorText } from './ApiErrorText.js';
import { Forecast } from './Forecast.js';
import { RulesTable } from './RulesTable.js';

export function SlaAlerts({ sla }) {
  const [body, setBody] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { api.slaAlerts(sla).then(setBody, setError); }, [sla]);
  if (error) return html`<${ApiErrorText} error=${error} />`;
  if (!body) return html`<p class="muted">Loading…</p>`;
  const s = body.slas?.[0];
  if (!s || s.error) return html`<p class="muted">${s?.error ?? 'No alerts.'}</p>`;
  return html`<div class="sla-alerts" data-to=${body.to}><${RulesTable} rules=${s.rules} sla=${sla} /><${Forecast} forecast=${s.forecast} /></div>`;
}
