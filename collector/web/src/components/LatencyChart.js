// The latency of a CI's probes over their recent results, one line per probe (uPlot, imported when
// the chart first shows so that the first page stays small).
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { latencySeries } from '../lib/series.js';

export function LatencyChart({ series }) {
  const box = useRef(null);
  const [empty, setEmpty] = useState(false);
  useEffect(() => {
    const data = latencySeries(series);
    if (!data) { setEmpty(true); return undefined; }
    let plot = null, gone = false;
    import('uplot').then(({ default: UPlot }) => {
      if (gone || !box.current) return;
      const width = Math.min(900, box.current.clientWidth || 600);
      plot = new UPlot({
        width, height: 240, scales: { x: { time: true } },
        series: [{}, ...data.names.map((n, i) => ({ label: n, stroke: `hsl(${(i * 137) % 360} 65% 50%)`, width: 1.5, spanGaps: false }))],
        axes: [{}, { label: 'ms' }],
      }, data.columns, box.current);
    });
    return () => { gone = true; plot?.destroy(); };
  }, [series]);
  if (empty) return html`<p class="muted">No result with a latency yet.</p>`;
  return html`<div class="chart" ref=${box} role="img" aria-label="Latency of the CI's probes, in ms"></div>`;
}
