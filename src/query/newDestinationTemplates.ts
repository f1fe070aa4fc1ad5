import { HOURLY_INTERVAL_SECONDS, RAW_BRIDGE_SECONDS, RECORDING_INTERVAL_SECONDS } from './recording';
import { destinationLabel, duration, type EgressScope, verdictsOf } from './selectors';
import {
  dynamicDnsSelector,
  type EgressQuery,
  eventMeasures,
  externalSelectorFor,
  externalSeries,
  PEER,
  sourceAndDestination,
} from './measures';
import { HOURLY_STEP_MIN_SECONDS, type HourlyTiers, ms, tieredSum } from './tiers';

/**
 * How long before the range a destination must be unseen to be new, unless a query, the settings file or
 * the alert says otherwise: a week, long enough for weekly jobs to be seen.
 */
export const DEFAULT_LOOKBACK = '7d';
export const DEFAULT_LOOKBACK_SECONDS = 7 * 86400;

export interface NewDestinationOptions {
  /** The window the destinations must be seen in (the dashboard range). */
  windowSeconds: number;
  /** How far before the window a destination must not have been seen. */
  lookbackSeconds: number;
  /**
   * Read the recording rules' series for the window and the look-back, and raw series for the last hour
   * before the window only (the recording's delay), as the new-destination alert does.
   */
  recorded?: boolean;
  /** With `recorded`: the look-back from the hourly tier (fetchCells.ts `tiersFor` says it covers it). */
  hourlyLookback?: boolean;
  /** With `recorded`: the window's whole hours from the hourly tier, as the matrix reads them. */
  tiers?: HourlyTiers;
}

/**
 * Instant queries for destinations with traffic in the window and no series at all in the look-back
 * before it: `unless on (destination)` drops every pair whose destination was seen by anyone, so a host
 * is new to the mesh, not merely to one workload. One query per listener, for pasting into Prometheus;
 * the data source asks the look-back alone (`lookbackQueries`) and takes the window from the matrix.
 */
export function newDestinationQueries(scope: EgressScope, opts: NewDestinationOptions): EgressQuery[] {
  const seen = new Map(lookbackQueries(scope, opts).map((q) => [q.listener, q.expr]));
  return eventMeasures(scope).map(({ listener, measure }) => {
    const sel = externalSeries(listener, measure, scope, opts.recorded);
    const dest = destinationLabel(listener, scope);
    const by = [...sourceAndDestination(listener, scope), ...PEER];
    const hourly = externalSeries(listener, measure, scope, 'hourly');
    const inWindow = opts.recorded
      ? opts.tiers
        ? tieredSum(sel, hourly, opts.tiers)
        : `sum_over_time(${sel}[${duration(opts.windowSeconds)}])`
      : `increase(${sel}[${duration(opts.windowSeconds)}])`;
    return {
      id: `${listener}.new`,
      listener,
      measure,
      expr: `(sum by (${by.join(', ')}) (${inWindow}) > 0) unless on (${dest}) (${seen.get(listener)})`,
      shape: 'catchAll' as const,
      destinationLabel: dest,
      ...(opts.recorded ? { recorded: true } : {}),
    };
  });
}

/**
 * Per listener, the destinations seen in the look-back before the window (`count by (destination)`, one
 * sample each): what makes a destination of the window not new. Recorded, the look-back reads the hourly
 * tier where it covers it (it asks only whether a destination was seen: a sample per hour answers that) and
 * the finer series for the last hour before the window, which the hourly tier may not have recorded yet.
 * HTTP also reads Istio 1.31's dynamic-DNS series (raw: there are no recorded ones), which the matrix
 * counts as external traffic too.
 */
export function lookbackQueries(
  scope: EgressScope,
  opts: Pick<NewDestinationOptions, 'windowSeconds' | 'lookbackSeconds' | 'recorded' | 'hourlyLookback'>
): EgressQuery[] {
  const offset = ` offset ${duration(opts.windowSeconds)}`;
  return eventMeasures(scope).map(({ listener, measure }) => {
    const dest = destinationLabel(listener, scope);
    const seen = (s: string, seconds: number) =>
      `count by (${dest}) (count_over_time(${s}[${duration(seconds)}]${offset}))`;
    const sel = externalSeries(listener, measure, scope, opts.recorded);
    const parts = !opts.recorded
      ? [seen(sel, opts.lookbackSeconds)]
      : opts.hourlyLookback
        ? [
            seen(externalSeries(listener, measure, scope, 'hourly'), opts.lookbackSeconds),
            seen(sel, RAW_BRIDGE_SECONDS),
          ]
        : // The 5-minute tier for the look-back, and raw series for the hour the recording may not have
          // caught up with (rules evaluated now).
          [seen(sel, opts.lookbackSeconds), seen(externalSelectorFor(listener, measure, scope), RAW_BRIDGE_SECONDS)];
    if (listener === 'http' && verdictsOf(scope).includes('passthrough')) {
      parts.push(seen(dynamicDnsSelector(scope), opts.lookbackSeconds));
    }
    return {
      id: `${listener}.seen`,
      listener,
      measure,
      expr: parts.join(' or '),
      // Each part reads its own stretch: the hour before the window alone need not open the look-back's blocks.
      ...(parts.length > 1 ? { split: { parts, join: 'sum' as const } } : {}),
      shape: 'catchAll' as const,
      destinationLabel: dest,
      ...(opts.recorded ? { recorded: true } : {}),
    };
  });
}

/** Whether first seen reads the hourly tier (at hour steps): recorded, tiered, steps of half an hour and more. */
function firstSeenReadsHourly(opts: { stepSeconds: number; recorded?: boolean; tiers?: HourlyTiers }): boolean {
  return opts.recorded === true && opts.tiers !== undefined && opts.stepSeconds >= HOURLY_STEP_MIN_SECONDS;
}

/**
 * When each destination was first seen inside the window (to the subquery step): the time of "first seen"
 * annotations for new destinations. With `tiers` and a step of half an hour or more (a range of about a
 * week), the window's whole hours read the hourly tier at one-hour steps (a twelfth of the samples; first
 * seen to the hour) and the minutes after its last sample the 5-minute tier.
 */
export function firstSeenQueries(
  scope: EgressScope,
  opts: { windowSeconds: number; stepSeconds: number; recorded?: boolean; tiers?: HourlyTiers }
): EgressQuery[] {
  const hourlySteps = firstSeenReadsHourly(opts);
  return eventMeasures(scope).map(({ listener, measure }) => {
    const dest = destinationLabel(listener, scope);
    const sel = externalSeries(listener, measure, scope, opts.recorded);
    // `timestamp()` of a function's result is the step's time: the first step whose window holds a sample,
    // so first seen to the step. `timestamp(selector)` gives the sample's own time, but Prometheus 2.42
    // takes 20× as long over a week of steps (10 s against 0.5 s on 10k series, bench dashboard). Counted
    // by destination inside the subquery: a destination has a sample in a step's window when any of its pairs
    // has, so its first step is the least of its pairs' and the steps carry a series per destination, not
    // per pair (100k series over a week at hour steps: 1.3 s against 2.3 s alone).
    const firstStep = (s: string, range: string, step: string) =>
      `min_over_time(timestamp(count by (${dest}) (last_over_time(${s}[${step}])))[${range}:${step}])`;
    const t = opts.tiers;
    const minBy = (e: string) => `min by (${dest}) (${e})`;
    // The edge is tagged so `or` keeps a pair both parts have, and `min by` takes its earlier time, as the
    // parts asked apart do (a `min` join).
    const tiered =
      hourlySteps && t
        ? [
            firstStep(
              externalSeries(listener, measure, scope, 'hourly'),
              duration(opts.windowSeconds),
              duration(HOURLY_INTERVAL_SECONDS)
            ),
            firstStep(sel, ms(t.to - t.lastHour + RECORDING_INTERVAL_SECONDS), duration(RECORDING_INTERVAL_SECONDS)),
          ]
        : undefined;
    return {
      id: `${listener}.firstSeen`,
      listener,
      measure,
      expr: minBy(
        tiered
          ? `${tiered[0]} or label_replace(${tiered[1]}, "tier", "right", "", "")`
          : firstStep(sel, duration(opts.windowSeconds), duration(opts.stepSeconds))
      ),
      shape: 'catchAll' as const,
      destinationLabel: dest,
      ...(tiered ? { split: { parts: tiered.map(minBy), join: 'min' as const } } : {}),
    };
  });
}

/** Above this many new destinations, first seen reads every series instead of a regex of their names. */
export const FIRST_SEEN_HOST_LIMIT = 50;

/**
 * The first-seen queries for the new destinations `newHosts` of a window (`all`: every destination, when
 * every one is new): those destinations' series only when they are few (new ones usually are), at about
 * 300 steps, no finer than the series read (a scrape, or 5 minutes). Many new hosts would make a regex
 * Prometheus matches at every step: then every series, and at the hourly tier's steps where it covers the
 * window (100k series over a day, every one new: 8.4M samples at 5-minute steps, a twelfth of that
 * hourly), which makes first seen to the hour (`toTheHour`). `hourly`: the plan reads the hourly tier.
 */
export function firstSeenPlan(
  scope: EgressScope,
  newHosts: readonly string[] | 'all',
  opts: { windowSeconds: number; minStepSeconds: number; recorded?: boolean; tiers?: HourlyTiers }
): { queries: EgressQuery[]; toTheHour: boolean; hourly: boolean } {
  if (newHosts.length === 0) {
    return { queries: [], toTheHour: false, hourly: false };
  }
  const few = newHosts !== 'all' && newHosts.length <= FIRST_SEEN_HOST_LIMIT;
  const tiered = opts.recorded === true && opts.tiers !== undefined;
  const windowStep = Math.max(opts.minStepSeconds, Math.ceil(opts.windowSeconds / 300));
  const toTheHour = !few && tiered && windowStep < HOURLY_STEP_MIN_SECONDS;
  const stepSeconds = toTheHour ? HOURLY_INTERVAL_SECONDS : windowStep;
  return {
    queries: firstSeenQueries(
      few ? { ...scope, destination: { kind: 'values', values: newHosts as readonly string[] } } : scope,
      { windowSeconds: opts.windowSeconds, stepSeconds, recorded: opts.recorded, tiers: opts.tiers }
    ),
    toTheHour,
    hourly: firstSeenReadsHourly({ stepSeconds, recorded: opts.recorded, tiers: opts.tiers }),
  };
}
