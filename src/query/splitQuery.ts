import type { VectorSample } from './cells';
import type { SplitQuery } from './measures';
import type { PromAnswer, PrometheusApi } from './prometheusApi';

/** The query's answer at `time`: its parts at once and joined when it has them, else `expr` itself. */
export async function instantAnswer(
  api: PrometheusApi,
  query: { expr: string; split?: SplitQuery },
  time: number,
  signal?: AbortSignal
): Promise<PromAnswer<VectorSample[]>> {
  if (!query.split) {
    return api.instant(query.expr, time, signal);
  }
  const answers = await Promise.all(query.split.parts.map((part) => api.instant(part, time, signal)));
  return {
    data: joinSamples(
      answers.map((a) => a.data),
      query.split.join
    ),
    warnings: answers.flatMap((a) => a.warnings),
  };
}

/** One sample per label set: the parts' values added (`sum`) or the least (`min`), in the parts' order. */
export function joinSamples(parts: ReadonlyArray<readonly VectorSample[]>, join: SplitQuery['join']): VectorSample[] {
  const out = new Map<string, { sample: VectorSample; value: number }>();
  for (const samples of parts) {
    for (const s of samples) {
      const key = labelSetKey(s.metric);
      const value = Number(s.value[1]);
      const seen = out.get(key);
      if (!seen) {
        out.set(key, { sample: s, value });
      } else {
        // As PromQL's own: a sum takes a NaN along, a min passes over one.
        seen.value =
          join === 'sum' ? seen.value + value : Number.isNaN(seen.value) || value < seen.value ? value : seen.value;
      }
    }
  }
  return [...out.values()].map(({ sample, value }) => ({
    metric: sample.metric,
    value: [sample.value[0], String(value)],
  }));
}

/**
 * A label set's identity whatever the order of its labels: each name and value length-prefixed, so no value
 * can pass for a separator. Prometheus sends labels sorted by name, which the first pass takes as they come
 * (a sort and a JSON array per sample took 160 ms of a 100k-series week's matrix); others are sorted first.
 */
function labelSetKey(metric: Readonly<Record<string, string>>): string {
  let key = '';
  let previous = '';
  for (const name in metric) {
    if (name < previous) {
      return Object.keys(metric)
        .sort()
        .map((n) => pair(n, metric[n]))
        .join('');
    }
    previous = name;
    key += pair(name, metric[name]);
  }
  return key;
}

const pair = (name: string, value: string) => `${name.length}:${name}${value.length}:${value}`;
