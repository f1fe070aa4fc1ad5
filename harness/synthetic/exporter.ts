import { formatLabels, liveValue } from './series';
import { demoSeries, DEMO_INTERVAL } from './mesh';

/**
 * The demo mesh as a live Prometheus text exposition: every demo series counts up from when the exporter
 * started, at its per-scrape rate. Series that only live part of the backfilled window (stopped,
 * born late) are live here too: the dashboard shows every case at once.
 */
export function renderDemoMetrics(startedAt: number, now: number): string {
  const elapsedSteps = Math.max(0, (now - startedAt) / DEMO_INTERVAL);
  const byName = new Map<string, string[]>();
  for (const spec of demoSeries(undefined, { fixtures: false })) {
    const lines = byName.get(spec.name) ?? [];
    lines.push(`${spec.name}${formatLabels(spec.labels)} ${liveValue(spec, elapsedSteps)}`);
    byName.set(spec.name, lines);
  }
  let out = '';
  for (const [name, lines] of byName) {
    const type = name.endsWith('_total') ? 'counter' : 'gauge';
    out += `# HELP ${name} Synthetic metric (demo mesh).\n# TYPE ${name} ${type}\n${lines.join('\n')}\n`;
  }
  return out;
}
