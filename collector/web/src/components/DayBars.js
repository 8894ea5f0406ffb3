// A period's bars, one per day, drawn as SVG: the day's service time in proportional segments (up,
// counted down, planned, unmonitored; lib/daybar.js), the hours and outages on hover (title), and the
// maintenance windows of the period marked under the days they touch. Without the report's per-day
// figures: the service's confirmed status through each local day, from its history (StatusDays.js).
import { html } from '../html.js';
import { dayTitle, daySegments, outagesOfDay, windowMarks } from '../lib/daybar.js';
import { StatusDays } from './StatusDays.js';

const W = 300, H = 14, ROW = 20, LABEL = 86;

export function DayBars({ report, windows, timezone }) {
  const days = report.days ?? [];
  if (!days.length) return html`<${StatusDays} report=${report} windows=${windows} timezone=${timezone} />`;
  return html`<svg class="daybars" viewBox=${`0 0 ${LABEL + W + 4} ${days.length * ROW + 4}`} role="img"
      aria-label=${`Per day of ${report.period.label}: up, counted down, planned and unmonitored time`}>
    ${days.map((d, i) => {
      const segs = daySegments(d, W, 1);
      const start = d.start ?? `${d.date}T00:00:00Z`, end = d.end ?? new Date(Date.parse(start) + 86400000).toISOString();
      const title = dayTitle(d, segs, outagesOfDay(report.outages, start, end));
      const y = i * ROW + 2;
      return html`<g key=${d.date} class="day" data-date=${d.date} tabindex="0">
        <title>${title}</title>
        <text x="0" y=${y + H - 2} class="daylabel">${d.date}</text>
        <rect x=${LABEL} y=${y} width=${W} height=${H} class="seg off" />
        ${segs.map((s) => html`<rect x=${LABEL + s.x} y=${y} width=${s.w} height=${H} class=${`seg ${s.cls}`} />`)}
        ${windowMarks(windows, start, end, W).map((m) => html`<rect x=${LABEL + m.x} y=${y + H + 1} width=${Math.max(1, m.w)} height="3" class="mw"><title>maintenance ${m.id}</title></rect>`)}
      </g>`;
    })}
  </svg>
  <p class="legend"><span class="seg up"></span>up <span class="seg down"></span>counted down <span class="seg planned"></span>planned
    <span class="seg unmon"></span>unmonitored <span class="seg off"></span>no service time <span class="mw"></span>maintenance window</p>`;
}
