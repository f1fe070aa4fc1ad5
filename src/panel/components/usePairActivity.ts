import { useEffect, useState } from 'react';
import type { DataQueryRequest, TimeRange } from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import type { EgressCell, PairActivity, PairScope } from '../../query';
import type { Point } from './gridPoint';

/** A data source that can tell when a pair was active (this plugin's; datasource.ts pairActivity). */
interface ActivitySource {
  pairActivity(sources: EgressCell[], scope: PairScope, from: number, to: number): Promise<PairActivity>;
}

export type ActivityState = { loading: true } | { activity: PairActivity } | { error: string };

/**
 * When the pinned pair was active: asked of the data source that answered the panel's query. The answer is
 * tied to the pinned point it answers, so a new pin never shows the last pin's answer.
 */
export function usePairActivity(
  pinned: Point | undefined,
  scope: PairScope | undefined,
  request: DataQueryRequest | undefined,
  timeRange: TimeRange
): ActivityState | undefined {
  const [activity, setActivity] = useState<{ of: Point; state: ActivityState }>();
  useEffect(() => {
    const of = pinned;
    const sources = of?.cell?.sources;
    const ref = request?.targets?.[0]?.datasource;
    if (!of || !sources || !scope || !ref) {
      return;
    }
    let live = true;
    (async () => {
      const ds = (await getDataSourceSrv().get(ref)) as unknown as Partial<ActivitySource>;
      if (typeof ds.pairActivity !== 'function') {
        return;
      }
      setActivity({ of, state: { loading: true } });
      const from = timeRange.from.valueOf() / 1000;
      const to = timeRange.to.valueOf() / 1000;
      const a = await ds.pairActivity(sources, scope, from, to);
      if (live) {
        setActivity({ of, state: { activity: a } });
      }
    })().catch((err: unknown) => {
      if (live) {
        setActivity({ of, state: { error: err instanceof Error ? err.message : String(err) } });
      }
    });
    return () => {
      live = false;
    };
  }, [pinned, scope, request, timeRange]);
  return pinned && activity?.of === pinned ? activity.state : undefined;
}
