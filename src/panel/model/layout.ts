import type { AxisItem } from './fold';

/**
 * Where the matrix's parts sit in the panel, in CSS pixels, from the panel's size: the label areas grow
 * with the panel within bounds, so a 500 px panel keeps room for cells and a 1600 px one for long names.
 */
export interface MatrixLayout {
  /** Left area: namespace band column, row labels and (optionally) row totals. */
  left: number;
  /** The namespace band column at the far left; 0 when rows are destinations (transposed). */
  nsWidth: number;
  /** Row totals at the right of the row labels; 0 when totals are off. */
  totalsWidth: number;
  /** Top area: namespace header (transposed), column labels, and the column totals line. */
  top: number;
  /** The namespace header line above column labels; 0 when columns are destinations. */
  nsHeight: number;
  /** The totals line right above the grid; 0 when totals are off. */
  totalsHeight: number;
  /** Space kept free right of and below the grid. */
  margin: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));

/** About the width of one character of label text at the largest label font, in px. */
const CHAR_PX = 6.6;

/**
 * The layout for a panel of this size. Label areas fit the longest row and column labels (in characters,
 * as the model has them) within bounds: a quarter to a third of the panel, so cells keep their room.
 */
export function matrixLayout(
  width: number,
  height: number,
  opts: { transpose: boolean; showTotals: boolean; rowChars?: number; colChars?: number }
) {
  const totalsHeight = opts.showTotals ? 14 : 0;
  const totalsWidth = opts.showTotals ? 40 : 0;
  const nsHeight = opts.transpose ? 16 : 0;
  const nsGuess = opts.transpose ? 0 : clamp(width * 0.09, 44, 90);
  const rowNeed = (opts.rowChars ?? 30) * CHAR_PX + nsGuess + totalsWidth + 12;
  const left = clamp(rowNeed, 120, Math.max(120, width * 0.3));
  const colNeed = (opts.colChars ?? 24) * CHAR_PX + 10;
  const layout: MatrixLayout = {
    left,
    nsWidth: opts.transpose ? 0 : clamp(Math.min(nsGuess, left * 0.34), 44, 90),
    totalsWidth,
    top: clamp(colNeed, 56, Math.max(56, height * 0.35)) + nsHeight + totalsHeight,
    nsHeight,
    totalsHeight,
    margin: 8,
  };
  return layout;
}

/** The longest label of an axis in characters (what matrixLayout sizes label areas for). */
export function longestLabel(items: readonly AxisItem[]): number {
  let n = 0;
  for (const i of items) {
    n = Math.max(n, i.label.length);
  }
  return Math.min(n, 80);
}

/** The plot area the grid is fitted into (model/matrix.ts fitGrid). */
export function plotArea(l: MatrixLayout, width: number, height: number) {
  return {
    x0: l.left,
    y0: l.top,
    width: Math.max(10, width - l.left - l.margin),
    height: Math.max(10, height - l.top - l.margin),
  };
}

/** Label font sizes: the panel's small text size at most, never below what stays readable. */
export const MAX_FONT = 12;
export const MIN_FONT = 9;

/** A label's font size for cells of this size; labels below MIN_FONT + 1 px cells go through labelBudget. */
export function labelFont(cell: number): number {
  return Math.max(MIN_FONT, Math.min(MAX_FONT, Math.floor(cell - 1)));
}

/**
 * Which of the visible items get a label. Every one while cells are at least MIN_FONT + 1 px; below that,
 * a budget: labels at least MIN_FONT + 2 px apart, given first to the items users must not miss (blocked
 * traffic, most first), then by volume, then in axis order. Returns visible positions, ascending.
 */
export function labelBudget(items: readonly AxisItem[], offset: number, visible: number, cell: number): number[] {
  const all = Array.from({ length: visible }, (_, k) => k);
  if (cell >= MIN_FONT + 1) {
    return all;
  }
  const spacing = MIN_FONT + 2;
  const order = all.sort((a, b) => {
    const x = items[a + offset];
    const y = items[b + offset];
    return y.blocked - x.blocked || y.total - x.total || a - b;
  });
  // At most one label per spacing-wide bucket (taken[b + 1]: its position, or -1); a neighbour bucket's
  // label is checked by distance.
  const taken = new Int32Array(Math.floor(((visible + 0.5) * cell) / spacing) + 3).fill(-1);
  const near = (n: number, k: number) => taken[n + 1] >= 0 && Math.abs(taken[n + 1] - k) * cell < spacing;
  for (const k of order) {
    const b = Math.floor(((k + 0.5) * cell) / spacing);
    if (taken[b + 1] < 0 && !near(b - 1, k) && !near(b + 1, k)) {
      taken[b + 1] = k;
    }
  }
  return Array.from(taken.filter((k) => k >= 0));
}

/** Runs of consecutive visible items with the same group (namespace bands), as [group, first, last]. */
export function groupRuns(
  items: readonly AxisItem[],
  offset: number,
  visible: number
): Array<[string, number, number]> {
  const runs: Array<[string, number, number]> = [];
  for (let k = 0; k < visible; k++) {
    const g = items[k + offset].group;
    const last = runs[runs.length - 1];
    if (last && last[0] === g) {
      last[2] = k;
    } else {
      runs.push([g, k, k]);
    }
  }
  return runs;
}
