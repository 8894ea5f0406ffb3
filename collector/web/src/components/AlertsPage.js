// Every SLA's burn-rate alerts now (#/alerts): per rule whether it fires and since when, both windows'
// burn rates, and the forecast of the period's end (GET /api/v1/alerts, shown as the API gives it).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { instant } from '../lib/format.js';
import { href } from './links.js';
import { ApiErrorText } from './ApiErrorText.js';
import { Forecast } from './Forecast.js';
import { RulesTable } from './RulesTable.js';

export function AlertsPage({ catalogue }) {
  const [body, setBody] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { api.alerts().then(setBody, setError); }, []);
  if (error) return html`<${ApiErrorText} error=${error} />`;
  if (!body) return html`<p class="muted">Loading…</p>`;
  const serviceOf = new Map(catalogue.slas.map((s) => [s.id, s.service]));
  return html`<h1>Burn-rate alerts</h1>
    <p>As of ${instant(body.as_of)}: <strong data-alerts-firing=${body.firing}>${body.firing} firing</strong></p>
    ${body.slas.map((s) => html`<section class="alerts" data-sla=${s.sla}>
      <h2><a href=${href('services', serviceOf.get(s.sla) ?? s.service)}>SLA ${s.sla}</a></h2>
      ${s.error ? html`<p class="muted">${s.error}</p>` : html`<${RulesTable} rules=${s.rules} sla=${s.sla} /><${Forecast} forecast=${s.forecast} />`}
    </section>`)}`;
}
