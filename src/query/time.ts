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
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) {
      return ms / 1000;
    }
  }
  throw new EgressError(
    `${what} ${JSON.stringify(text)} is not a time: use RFC 3339 (2026-01-01T00:00:00Z), unix seconds, or now-1h (s, m, h, d, w).`
  );
}

/** Parses a duration like `1h`, `90m`, `7d` into seconds. */
export function parseDuration(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) {
    throw new EgressError(`${what} ${JSON.stringify(text)} is not a duration: use e.g. 30m, 1h, 7d.`);
  }
  return Number(m[1]) * UNIT_SECONDS[m[2]];
}
