import type { DataFrame, DataSourceApi, TimeRange } from '@grafana/data';
import { DEFAULT_LOOKBACK } from '../query/newDestinationTemplates';
import { appQueryRequest, runAppQuery } from './appQuery';
import { useLoaded, type Loaded } from './lockdownData';

/** How far back a destination must be unseen to count as new on the Overview (the dashboards' default). */
export const OVERVIEW_LOOKBACK = DEFAULT_LOOKBACK;

/** Distinct new external destinations per source namespace, from the data source's "New destinations" frame. */
export function newDestinationsByNamespace(frames: readonly DataFrame[]): Map<string, number> {
  const seen = new Map<string, Set<string>>();
  for (const frame of frames) {
    const ns = frame.fields.find((f) => f.name === 'sourceNamespace')?.values;
    const dest = frame.fields.find((f) => f.name === 'destination')?.values;
    if (!ns || !dest) {
      continue;
    }
    ns.forEach((n: string, i: number) => {
      const set = seen.get(n) ?? new Set<string>();
      set.add(String(dest[i]));
      seen.set(n, set);
    });
  }
  return new Map([...seen].map(([n, s]) => [n, s.size]));
}

/**
 * The Overview's new destinations: one "New destinations" query over the page's range, the same query a
 * dashboard panel runs, so the numbers agree with the dashboard's table.
 */
export function useNewDestinations(
  ds: DataSourceApi | undefined,
  range: TimeRange | undefined
): Loaded<Map<string, number>> {
  const key = JSON.stringify([ds?.uid, range?.from.valueOf(), range?.to.valueOf()]);
  return useLoaded(key, async () => {
    if (!ds || !range) {
      throw new Error('No data source or range to read new destinations from.');
    }
    const request = appQueryRequest({
      requestId: 'overview-new-destinations',
      app: 'istio-egress-overview',
      range,
      targets: [{ refId: 'N', queryType: 'newDestinations', lookback: OVERVIEW_LOOKBACK }],
    });
    const res = await runAppQuery(ds, request);
    if (res.errors?.length) {
      throw new Error(res.errors.map((e) => e.message ?? 'query failed').join('; '));
    }
    return newDestinationsByNamespace(res.data);
  });
}
