/**
 * The recording tiers: whether the 5-minute tier covers a range (`recordingCovers`), where the hourly tier's
 * samples fall in it (`tiersFor`), the step from which a range reads the hourly tier, and the two joined:
 * whole hours from the hourly tier, the edges from the 5-minute one (`tieredSum`).
 */
import { METRIC } from './labels';
import type { PrometheusApi } from './prometheusApi';
import { HOURLY_INTERVAL_SECONDS, RECORDED_HOURLY_METRIC, RECORDED_METRIC } from './recording';
import { type EgressScope, scopeOnlySelector } from './selectors';

/** Steps from which first seen reads the hourly tier (a week at about 300 steps): half an hour and more. */
export const HOURLY_STEP_MIN_SECONDS = HOURLY_INTERVAL_SECONDS / 2;

/**
 * Where the hourly tier's samples fall in a window [from, to] (unix seconds, to the millisecond): the first
 * and last hourly sample whose hour lies wholly inside it. Each hourly sample at `h` sums the 5-minute
 * samples in (h - 1h, h].
 */
export interface HourlyTiers {
  from: number;
  to: number;
  firstHour: number;
  lastHour: number;
}

/** A PromQL duration in milliseconds: the tiers meet at recorded sample times, which have milliseconds. */
export function ms(seconds: number): string {
  return `${Math.round(seconds * 1000)}ms`;
}

/**
 * The sum of a pair's 5-minute samples in (from, to] from both tiers: the hourly samples firstHour..lastHour
 * (the 5-minute samples in (firstHour - 1h, lastHour]), plus the 5-minute samples in (from, firstHour - 1h]
 * and (lastHour, to]. Each part keeps its series' labels; the edges are tagged so `or` keeps all three
 * parts of a pair, and the caller's `sum by` adds them. Window lengths sit between sample times (half an
 * hour of slack on the hourly one), so a left-closed range (Prometheus 2) and a left-open one (3) read
 * the same samples.
 */
export function tieredSum(fiveMinute: string, hourly: string, t: HourlyTiers): string {
  return tieredParts(fiveMinute, hourly, t)
    .map(({ expr, tier }) => (tier ? `label_replace(${expr}, "tier", "${tier}", "", "")` : expr))
    .join(' or ');
}

/**
 * `tieredSum`'s parts, each its own expression: the whole hours, and the edges (`tier`) where the range
 * has minutes outside them. Asked apart (`SplitQuery`), each reads only the blocks its own range spans.
 */
export function tieredParts(
  fiveMinute: string,
  hourly: string,
  t: HourlyTiers
): Array<{ expr: string; tier?: 'left' | 'right' }> {
  const offset = (seconds: number) => (seconds >= 0.001 ? ` offset ${ms(seconds)}` : '');
  const parts: Array<{ expr: string; tier?: 'left' | 'right' }> = [
    {
      expr: `sum_over_time(${hourly}[${ms(t.lastHour - t.firstHour + HOURLY_INTERVAL_SECONDS / 2)}]${offset(t.to - t.lastHour)})`,
    },
  ];
  const leftEnd = t.firstHour - HOURLY_INTERVAL_SECONDS;
  if (leftEnd - t.from >= 0.001) {
    parts.push({
      expr: `sum_over_time(${fiveMinute}[${ms(leftEnd - t.from)}]${offset(t.to - leftEnd)})`,
      tier: 'left',
    });
  }
  if (t.to - t.lastHour >= 0.001) {
    parts.push({ expr: `sum_over_time(${fiveMinute}[${ms(t.to - t.lastHour)}])`, tier: 'right' });
  }
  return parts;
}

/**
 * Whether the recording rules' series exist at the range's start (their last 10 minutes there: two
 * recordings), in the scope's own labels. One instant query over the index's recent samples: cheap.
 */
export async function recordingCovers(api: PrometheusApi, scope: EgressScope, from: number, signal?: AbortSignal) {
  const exprs = [METRIC.requests, METRIC.tcpClosed].map(
    (m) => `count(last_over_time(${scopeOnlySelector(RECORDED_METRIC[m], scope)}[10m]))`
  );
  const a = await api.instant(exprs.join(' or '), from + 600, signal);
  return a.data.some((s) => Number(s.value[1]) > 0);
}

/**
 * Where the hourly tier's samples fall in [from, to], or undefined when it does not cover the range's whole
 * hours (no hourly rules installed, or younger than the range): then the 5-minute tier alone. Two cheap
 * requests at once: the last hourly sample's time (a range query over the last hour of an instant selector:
 * one sample per series and step), and whether the tier has a sample in [from + 1h, from + 2h), where the
 * range's first whole hour ends.
 */
export async function tiersFor(
  api: PrometheusApi,
  scope: EgressScope,
  from: number,
  to: number,
  signal?: AbortSignal
): Promise<HourlyTiers | undefined> {
  const hour = HOURLY_INTERVAL_SECONDS;
  if (to - from < 2 * hour) {
    return undefined;
  }
  const sel = scopeOnlySelector('', scope, [{ label: '__name__', op: '=~', value: HOURLY_NAMES }]);
  // timestamp() drops the metric name, and a TCP pair's hourly series differ by name alone: one metric at a
  // time, then `or`. Every hourly rule is in one group, so they share their times.
  const stampsOf = [METRIC.requests, METRIC.tcpClosed].map(
    (m) => `timestamp(${scopeOnlySelector(RECORDED_HOURLY_METRIC[m], scope)})`
  );
  // The group's samples are an hour apart at one phase, so the one in [from + 1h, from + 2h) is the first
  // whole hour's (firstHour below): asked at the same time as the last one, in a window closed at its start
  // (a millisecond before from + 2h; Prometheus' windows are open at the start).
  const [stamps, covered] = await Promise.all([
    // timestamp() gives each sample's own time whichever step finds it, and a sample stays found for the
    // 5 minutes of Prometheus' default lookback: 4-minute steps find every one, at a quarter of the
    // series-steps of 1-minute ones (29k hourly series: 511 ms at 1-minute steps under load, bench
    // dashboard). 16 steps end at `to` and, with the lookback, span 69 minutes: an hourly sample or more.
    api.range(`max(${stampsOf.join(' or ')})`, to - 16 * PROBE_STEP_SECONDS, to, PROBE_STEP_SECONDS, signal),
    api.instant(`count(last_over_time(${sel}[${hour}s]))`, from + 2 * hour - 0.001, signal),
  ]);
  const lastHour = Math.max(
    ...stamps.data.flatMap((s) => s.values.map(([, v]) => Number(v))).filter((t) => Number.isFinite(t) && t <= to)
  );
  if (!Number.isFinite(lastHour)) {
    return undefined;
  }
  const hours = Math.floor((lastHour - hour - from) / hour);
  if (hours < 0) {
    return undefined;
  }
  const firstHour = lastHour - hours * hour;
  return covered.data.some((s) => Number(s.value[1]) > 0) ? { from, to, firstHour, lastHour } : undefined;
}

/** The hourly-sample probe's step: under Prometheus' default 5-minute lookback, so no sample is skipped. */
const PROBE_STEP_SECONDS = 240;

/** Every hourly tier series name (recording.ts RECORDED_HOURLY_METRIC). */
const HOURLY_NAMES = 'istio_egress:[a-z_]+:increase1h';
