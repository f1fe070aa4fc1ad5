/** Compact counts for axis totals: 950, 1.2k, 3.4M. */
export function compact(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) {
    return `${(n / 1e9).toFixed(1)}G`;
  }
  if (abs >= 1e6) {
    return `${(n / 1e6).toFixed(1)}M`;
  }
  if (abs >= 1e4) {
    return `${Math.round(n / 1e3)}k`;
  }
  if (abs >= 1e3) {
    return `${(n / 1e3).toFixed(1)}k`;
  }
  return String(Math.round(n));
}

export function integer(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
