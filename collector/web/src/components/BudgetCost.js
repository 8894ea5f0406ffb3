// Who cost an SLA's error budget in a period: the counted downtime by cause CI, by agreement and by
// provider ("Example Telecom: 38m of the 43m spent"), from the report's by_cause, by_agreement and
// by_provider (lib/shapes.js budgetSplit; nothing recomputed).
import { html } from '../html.js';
import { budgetSplit } from '../lib/shapes.js';
import { duration } from '../lib/format.js';
import { CiLink, href } from './links.js';

function Part({ title, items, name, link }) {
  return html`<div class="cost" data-by=${name}><h4>${title}</h4>
    ${items.length === 0 ? html`<p class="muted">None.</p>` : html`<ul>${items.map((x) => html`<li data-key=${x.key}>${link ? link(x.key) : x.key}: <span data-s=${x.s}>${duration(x.s)}</span></li>`)}</ul>`}</div>`;
}

export function BudgetCost({ report }) {
  const b = budgetSplit(report);
  const spent = duration(b.spent);
  return html`<div class="budget-cost" data-spent=${b.spent}>
    <p>${spent} of counted downtime spent in ${report.period.label}.${b.byProvider.length
      ? html` <span data-headline>${b.byProvider[0].key}: ${duration(b.byProvider[0].s)} of the ${spent} spent.</span>` : ''}</p>
    <div class="cost-parts">
      <${Part} title="By cause CI" name="cause" items=${b.byCause} link=${(id) => html`<${CiLink} id=${id} />`} />
      ${b.withAgreements ? html`<${Part} title="By agreement" name="agreement" items=${b.byAgreement} link=${(id) => html`<a href=${href('agreements', id)}>${id}</a>`} />
        <${Part} title="By provider" name="provider" items=${b.byProvider} />` : null}
    </div>
    <p class="muted">${b.unattributed ? `Unattributed: ${duration(b.unattributed)}. ` : ''}${b.withAgreements
      ? `Not backed by an agreement: ${duration(b.unbacked)}.` : 'No agreement under this service: no split by agreement or provider.'}</p>
  </div>`;
}
