/**
 * Counter series on a fixed scrape grid. A series lives from step `start` to `stop` (inclusive), grows
 * by `perStep` each scrape, and may restart from 0 at `resetAt` (a proxy restart).
 */
export interface CounterSpec {
  /** Sample name, e.g. istio_requests_total. */
  name: string;
  labels: Record<string, string>;
  perStep: number;
  start?: number;
  stop?: number;
  resetAt?: number;
  /** Value at `start`: 0 for a series born in the data, more for one that predates it. */
  initial?: number;
}

export interface Grid {
  /** Unix seconds of the last sample. */
  end: number;
  /** Seconds between samples. */
  interval: number;
  steps: number;
}

export function stepTime(grid: Grid, k: number): number {
  return grid.end - (grid.steps - 1 - k) * grid.interval;
}

/** The counter's value at step k, or undefined where the series has no sample. */
export function valueAt(spec: CounterSpec, k: number, grid: Grid): number | undefined {
  const start = spec.start ?? 0;
  const stop = spec.stop ?? grid.steps - 1;
  if (k < start || k > stop) {
    return undefined;
  }
  if (spec.resetAt !== undefined && k >= spec.resetAt) {
    return (k - spec.resetAt) * spec.perStep;
  }
  return (spec.initial ?? 0) + (k - start) * spec.perStep;
}

/**
 * The increase an ideal reader sees between the samples inside [from, to]: positive deltas, and on a
 * drop (a reset) the new value, as Prometheus counts it. Undefined with fewer than two samples, where
 * Prometheus returns no result either.
 */
export function windowIncrease(spec: CounterSpec, grid: Grid, from: number, to: number): number | undefined {
  let prev: number | undefined;
  let total = 0;
  let samples = 0;
  for (let k = 0; k < grid.steps; k++) {
    const t = stepTime(grid, k);
    if (t < from || t > to) {
      continue;
    }
    const v = valueAt(spec, k, grid);
    if (v === undefined) {
      continue;
    }
    samples++;
    if (prev !== undefined) {
      total += v >= prev ? v - prev : v;
    }
    prev = v;
  }
  return samples >= 2 ? total : undefined;
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  return `{${keys.map((k) => `${k}="${escapeLabelValue(labels[k])}"`).join(',')}}`;
}

/**
 * Writes OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: one family per metric name
 * (families must be contiguous), each series' samples in time order, then `# EOF`.
 */
export function writeOpenMetrics(specs: readonly CounterSpec[], grid: Grid, write: (chunk: string) => void): void {
  const families = new Map<string, CounterSpec[]>();
  for (const s of specs) {
    const list = families.get(s.name) ?? [];
    list.push(s);
    families.set(s.name, list);
  }
  for (const [name, list] of families) {
    // OpenMetrics counters end in _total; anything else (kube_service_info) is written as a gauge.
    const counter = name.endsWith('_total');
    const family = name.replace(/_total$/, '');
    write(`# HELP ${family} Synthetic metric.\n# TYPE ${family} ${counter ? 'counter' : 'gauge'}\n`);
    for (const s of list) {
      const labels = formatLabels(s.labels);
      let chunk = '';
      for (let k = 0; k < grid.steps; k++) {
        const v = valueAt(s, k, grid);
        if (v !== undefined) {
          chunk += `${name}${labels} ${v} ${stepTime(grid, k)}\n`;
        }
      }
      write(chunk);
    }
  }
  write('# EOF\n');
}

/** The current value of each series at an arbitrary time, for a live /metrics endpoint. */
export function liveValue(spec: CounterSpec, elapsedSteps: number): number {
  return (spec.initial ?? 0) + Math.floor(elapsedSteps * spec.perStep);
}
