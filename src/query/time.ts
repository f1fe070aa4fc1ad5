import { EgressError } from './errors';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Parses `now`, `now-1h` (s, m, h, d, w), unix seconds, or RFC 3339, into unix seconds. */
export function parseTime(text: string, now: number, what: string): number {
  const t = text.trim();
  const rel = /^now(?:([-+])(\d+(?:\.\d+)?)([smhdw]))?$/.exec(t);
  if (rel) {
    const offset = rel[2] ? Number(rel[2]) * UNIT_SECONDS[rel[3]] : 0;
    return rel[1] === '+' ? now + offset : now - offset;
  }
  if (/^\d+(\.\d+)?$/.test(t)) {
    return Number(t);
  }
  const rfc = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-](\d{2}):(\d{2}))$/i.exec(t);
  if (rfc) {
    const [y, mo, d, h, mi, sec = '0'] = rfc.slice(1, 7).map(Number);
    // Date.parse rolls 2026-02-30 over to March 2: check every field is in range for its month.
    const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    const zone = rfc[9] === undefined || (Number(rfc[9]) <= 23 && Number(rfc[10]) <= 59);
    if (mo >= 1 && mo <= 12 && d >= 1 && d <= days && h <= 23 && mi <= 59 && Number(sec) <= 59 && zone) {
      return Date.parse(t) / 1000;
    }
    throw new EgressError(`${what} ${JSON.stringify(text)} is not a valid date and time (a field is out of range).`);
  }
  throw new EgressError(
    `${what} ${JSON.stringify(text)} is not a time: use RFC 3339 (2026-01-01T00:00:00Z), unix seconds, or now-1h (s, m, h, d, w).`
  );
}

/** The longest window or duration taken: ten years, far beyond any retention, well within PromQL's limits. */
export const MAX_SECONDS = 10 * 365 * 86400;

/** Parses a duration like `1h`, `90m`, `7d` into seconds. */
/** Prometheus' default scrape interval, and Grafana's Prometheus data source's default `timeInterval`. */
export const DEFAULT_SCRAPE_SECONDS = 15;

/** Grafana's $__rate_interval: max(step + scrape interval, 4 × scrape interval). */
export function rateInterval(stepSeconds: number, scrapeSeconds = DEFAULT_SCRAPE_SECONDS): number {
  return Math.max(stepSeconds + scrapeSeconds, 4 * scrapeSeconds);
}

export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (/^\d+(?:\.\d+)?$/.test(text.trim())) {
    throw new EgressError(
      `${what} ${JSON.stringify(text)} has no unit: write ${text.trim()}s for seconds (or m, h, d, w).`
    );
  }
  if (!m || Number(m[1]) <= 0) {
    throw new EgressError(`${what} ${JSON.stringify(text)} is not a duration: use e.g. 30m, 1h, 7d.`);
  }
  const seconds = Number(m[1]) * UNIT_SECONDS[m[2]];
  if (seconds > MAX_SECONDS) {
    throw new EgressError(`${what} ${JSON.stringify(text)} is longer than ten years: use a shorter duration.`);
  }
  return seconds;
}

/** Unix seconds as RFC 3339 in UTC, as every message and file names a time. */
export const isoTime = (t: number) => new Date(t * 1000).toISOString();
