/** The hourly recording tier joined to the 5-minute one: whole hours from the first, the edges from the second. */
import { HOURLY_INTERVAL_SECONDS } from './recording';

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
  const offset = (seconds: number) => (seconds >= 0.001 ? ` offset ${ms(seconds)}` : '');
  const parts = [
    `sum_over_time(${hourly}[${ms(t.lastHour - t.firstHour + HOURLY_INTERVAL_SECONDS / 2)}]${offset(t.to - t.lastHour)})`,
  ];
  const leftEnd = t.firstHour - HOURLY_INTERVAL_SECONDS;
  if (leftEnd - t.from >= 0.001) {
    parts.push(
      `label_replace(sum_over_time(${fiveMinute}[${ms(leftEnd - t.from)}]${offset(t.to - leftEnd)}), "tier", "left", "", "")`
    );
  }
  if (t.to - t.lastHour >= 0.001) {
    parts.push(`label_replace(sum_over_time(${fiveMinute}[${ms(t.to - t.lastHour)}]), "tier", "right", "", "")`);
  }
  return parts.join(' or ');
}
