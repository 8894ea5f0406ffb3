// Each local day of a report's period drawn from the service's history (GET
// /api/v1/services/{id}/history): the status in time, the hours of each status and the day's outages
// on hover, the maintenance windows under it. Used while the report has no per-day figures.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { localDays, outagesOfDay, statusStrip, windowMarks } from '../lib/daybar.js';
import { historySpans } from '../lib/shapes.js';
import { hours } from '../lib/format.js';

const W = 300, H = 14, ROW = 20, LABEL = 86;

// Each local day of the report's period up to its cut: the service's status in time (up, degraded,
// down, unknown), the hours of each and the outages on hover, the maintenance windows under it.
export function StatusDays({ report, windows, timezone }) {
  const [spans, setSpans] = useState(null);
  const cut = Math.min(Date.parse(report.as_of), Date.parse(report.period.end));
  useEffect(() => {
    setSpans(null);
    api.history('services', report.service, report.period.start, new Date(cut).toISOString()).then((b) => setSpans(historySpans(b)), () => setSpans([]));
  }, [report.service, report.period.start, cut]);
  if (spans == null) return html`<p class="muted">Loading…</p>`;
  const days = localDays(report.period.start, report.period.end, timezone).filter((d) => d.start < cut);
  return html`<svg class="daybars" viewBox=${`0 0 ${LABEL + W + 4} ${days.length * ROW + 4}`} role="img"
      aria-label=${`The status of ${report.service} through each day of ${report.period.label}`}>
    ${days.map((d, i) => {
      const strip = statusStrip(spans, d, cut, W);
      const total = {};
      for (const s of strip) total[s.status] = (total[s.status] ?? 0) + s.seconds;
      const outs = outagesOfDay(report.outages, new Date(d.start).toISOString(), new Date(d.end).toISOString());
      const title = [d.date, ...Object.entries(total).map(([k, v]) => `${k}: ${hours(v)}`),
        ...outs.map((o) => `outage ${o.start.slice(11, 16)}–${o.end.slice(11, 16)} UTC (${o.causes.join(', ') || 'unattributed'})`)].join('\n');
      const y = i * ROW + 2;
      return html`<g key=${d.date} class="day" data-date=${d.date} tabindex="0">
        <title>${title}</title>
        <text x="0" y=${y + H - 2} class="daylabel">${d.date}</text>
        <rect x=${LABEL} y=${y} width=${W} height=${H} class="seg off" />
        ${strip.map((s) => html`<rect x=${LABEL + s.x} y=${y} width=${Math.max(0.5, s.w)} height=${H} class=${`seg st-${s.status}`} />`)}
        ${windowMarks(windows, new Date(d.start).toISOString(), new Date(d.end).toISOString(), W).map((m) => html`<rect x=${LABEL + m.x} y=${y + H + 1} width=${Math.max(1, m.w)} height="3" class="mw"><title>maintenance ${m.id}</title></rect>`)}
      </g>`;
    })}
  </svg>
  <p class="legend">The service's confirmed status through each day (its history; the counted figures are in the table and the print view):
    <span class="seg st-up"></span>up <span class="seg st-degraded"></span>degraded <span class="seg st-down"></span>down
    <span class="seg st-unknown"></span>unknown <span class="seg off"></span>after the cut <span class="mw"></span>maintenance window</p>`;
}

