/**
 * What a count is, everywhere a number becomes one (shaping Prometheus' samples, the panel's frame reader,
 * its folds and tooltips): a finite number from 0 to 2^53. Beyond that no number is an exact count, and a
 * Float32 sum of a few overflows to Infinity, which made the maximum infinite and every other cell fade.
 */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/**
 * A value as a count, or undefined where it is none: NaN and ±Inf (Prometheus writes them as strings),
 * negative, beyond MAX_COUNT. A missing value (null, '') reads as 0, as `Number()` reads it; undefined
 * reads as none.
 */
export function countOf(v: unknown): number | undefined {
  const n = Number(v);
  return n >= 0 && n <= MAX_COUNT ? n : undefined;
}

/** A value as a count, 0 where it is none: what is drawn and summed. Callers that can, say what was not one. */
export const countOrZero = (v: unknown): number => countOf(v) ?? 0;
