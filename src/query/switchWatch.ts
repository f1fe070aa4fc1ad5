import { cellDestination, destinationKey } from './cells';
import { activityStep } from './explore';
import { type Listener, verdictOfCluster } from './labels';
import type { PrometheusApi } from './prometheusApi';
import { destinationLabel, type EgressScope } from './selectors';
import type { EgressQuery } from './measures';
import { seriesQueries } from './templates';
import { DEFAULT_SCRAPE_SECONDS } from './time';

/**
 * Watching a namespace's switch to REGISTRY_ONLY: when it switched, read from its traffic (its first
 * BlackHoleCluster call after the last call through PassthroughCluster), and what has been blocked since,
 * each destination with its first and last blocked time. Range queries of `changes` (a counter moved in a
 * step) and `present` (a counter's series appeared, with its first event), to the step's resolution.
 */

export interface BlockedSince {
  listener: Listener;
  destination: string;
  /** First and last step a call to it was blocked, at or after the switch (unix seconds). */
  first: number;
  last: number;
}

export interface SwitchWatch {
  /**
   * `in-range`: passthrough stopped and blocked calls followed, at `switchedAt`. `before-range`: no
   * passthrough in the range, and blocked calls. `not-switched`: passthrough continues to the end, or
   * nothing was blocked after it stopped.
   */
  state: 'in-range' | 'before-range' | 'not-switched';
  switchedAt?: number;
  /** The last step with a call through PassthroughCluster. */
  lastPassthrough?: number;
  /**
   * Calls still went through PassthroughCluster in the range's last step: whatever was blocked beside them
   * (a workload's own REGISTRY_ONLY Sidecar, a Sidecar's egress hosts) is no switch of the namespace.
   */
  passthroughToTheEnd?: boolean;
  blocked: BlockedSince[];
  stepSeconds: number;
}

export interface SwitchWatchQueries {
  changes: EgressQuery[];
  present: EgressQuery[];
  stepSeconds: number;
}

/** The queries for one namespace's external catch-all traffic by verdict and destination over [from, to]. */
export function switchWatchQueries(
  namespace: string,
  scope: Pick<EgressScope, 'extraMatchers' | 'ipLabel' | 'mesh'>,
  from: number,
  to: number,
  scrapeSeconds?: number
): SwitchWatchQueries {
  const scrape = scrapeSeconds ?? DEFAULT_SCRAPE_SECONDS;
  const stepSeconds = activityStep(from, to, scrape);
  const ns: EgressScope = { ...scope, sourceNamespace: { kind: 'values', values: [namespace] } };
  const opts = { groupBy: ['verdict', 'destination'] as const };
  return {
    // A step and a scrape: consecutive windows overlap by one sample, so every move of a counter is in one,
    // and a step with a move is at most a scrape late (twice the step, as a pair's activity reads, would
    // blur where passthrough ended and blocking began by a whole step).
    changes: seriesQueries(ns, { ...opts, rateIntervalSeconds: stepSeconds + scrape, form: 'changes' }),
    present: seriesQueries(ns, { ...opts, rateIntervalSeconds: stepSeconds, form: 'present' }),
    stepSeconds,
  };
}

type RangeSeries = { metric: Record<string, string>; values: ReadonlyArray<readonly [number, string]> };

/** What the answers (one range result per query, in the queries' order) say of the switch. */
export function readSwitchWatch(
  q: SwitchWatchQueries,
  answers: { changes: readonly RangeSeries[][]; present: readonly RangeSeries[][] },
  scope: Pick<EgressScope, 'ipLabel'>,
  from: number,
  /** The range's last step (unix seconds); without it, passthrough is not known to reach the end. */
  lastStep?: number
): SwitchWatch {
  let lastPassthrough: number | undefined;
  const blocked = new Map<string, { listener: Listener; destination: string; times: number[] }>();
  const read = (queries: EgressQuery[], results: readonly RangeSeries[][], firstOnly: boolean) =>
    results.forEach((series, i) => {
      const listener = queries[i].listener;
      const label = destinationLabel(listener, scope);
      for (const s of series) {
        const verdict = verdictOfCluster(s.metric.destination_service_name);
        const active = s.values.filter(([, v]) => Number(v) > 0).map(([t]) => t);
        // Present from the range's first step, the series was born before it: its presence is no event.
        const times = !firstOnly ? active : active.length > 0 && active[0] > from ? active.slice(0, 1) : [];
        if (times.length === 0 || !verdict) {
          continue;
        }
        if (verdict === 'passthrough') {
          lastPassthrough = Math.max(lastPassthrough ?? -Infinity, ...times);
          continue;
        }
        const destination = cellDestination(s.metric[label]).host;
        const key = destinationKey(listener, destination);
        const b = blocked.get(key) ?? { listener, destination, times: [] };
        b.times.push(...times);
        blocked.set(key, b);
      }
    });
  read(q.changes, answers.changes, false);
  read(q.present, answers.present, true);
  if (lastPassthrough !== undefined && lastStep !== undefined && lastPassthrough >= lastStep) {
    // Passthrough to the last step: not switched, even where calls were blocked in the same steps (a
    // REGISTRY_ONLY workload beside ALLOW_ANY ones). A switch in the very last step cannot be told from
    // that yet; the next step will.
    return {
      state: 'not-switched',
      lastPassthrough,
      passthroughToTheEnd: true,
      blocked: [],
      stepSeconds: q.stepSeconds,
    };
  }
  // Blocked calls from the step of the last passthrough one on: the switch came between them (both can
  // fall in one step).
  const after = (t: number) => lastPassthrough === undefined || t >= lastPassthrough;
  const since = [...blocked.values()]
    .map((b) => ({ ...b, times: b.times.filter(after) }))
    .filter((b) => b.times.length > 0)
    .map((b) => ({
      listener: b.listener,
      destination: b.destination,
      first: Math.min(...b.times),
      last: Math.max(...b.times),
    }))
    .sort((a, b) => a.first - b.first || (a.destination < b.destination ? -1 : 1));
  const switchedAt = since.length > 0 ? since[0].first : undefined;
  const state = switchedAt === undefined ? 'not-switched' : lastPassthrough === undefined ? 'before-range' : 'in-range';
  return {
    state,
    ...(switchedAt !== undefined ? { switchedAt } : {}),
    ...(lastPassthrough !== undefined ? { lastPassthrough } : {}),
    blocked: since,
    stepSeconds: q.stepSeconds,
  };
}

/** Asks and reads the switch of one namespace over [from, to]. */
export async function fetchSwitchWatch(
  api: PrometheusApi,
  req: { namespace: string; scope: EgressScope; from: number; to: number; scrapeSeconds?: number }
): Promise<SwitchWatch> {
  const q = switchWatchQueries(req.namespace, req.scope, req.from, req.to, req.scrapeSeconds);
  const start = Math.floor(req.from / q.stepSeconds) * q.stepSeconds;
  const run = (qs: EgressQuery[]) =>
    Promise.all(qs.map((query) => api.range(query.expr, start, req.to, q.stepSeconds).then((r) => r.data)));
  const [changes, present] = await Promise.all([run(q.changes), run(q.present)]);
  const lastStep = start + Math.floor((req.to - start) / q.stepSeconds) * q.stepSeconds;
  return readSwitchWatch(q, { changes, present }, req.scope, start, lastStep);
}
