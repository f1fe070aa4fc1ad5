import { SKIP, verdictAt } from './cellTable';
import { type Axes, type Cells, DestinationCursor, type Pairs, rowFlags, rowVolume } from './fold';

/** Above this many rows × columns the index is a Map (sparse) instead of a dense Int32Array. */
const DENSE_LIMIT = 16_000_000;

/**
 * The cells placed on the sorted, filtered axes: lookup by (row, column), the count and the largest
 * volume of the visible cells, and each cell's sums and rows. A cell is a number whose meaning is the
 * index's own (a cell slot, or a pair's first row).
 */
export interface CellIndex {
  /** The cell at (row, column), or -1. */
  indexOf(row: number, col: number): number;
  /**
   * Row `row`'s cells from column col0 on, as many as `out.cell` holds: each cell (or -1), and the volume
   * and flags of each found one. What drawing reads for every visible cell: taken from where the cells are
   * found, not from another walk over their rows, and a row at a time rather than a call per cell.
   */
  readRow(row: number, col0: number, out: RowSums): void;
  count: number;
  maxVolume: number;
  volume(m: number): number;
  /** SEEN_* flags. */
  flags(m: number): number;
  workload(m: number): number;
  destination(m: number): number;
  /** The input rows folded into cell m. */
  rows(m: number): number[];
}

/** One grid row's cells and their sums (CellIndex.readRow). */
export interface RowSums {
  cell: Int32Array;
  volume: Float64Array;
  flags: Uint8Array;
}

/** Ranks of the axes' items: position on the sorted axis, or -1 when filtered out. */
export interface Ranks {
  workloadRank: Int32Array;
  destinationRank: Int32Array;
  /** Rows are destinations and columns workloads. */
  transpose: boolean;
  nrows: number;
  ncols: number;
}

/** The run holding cell m (binary search; runs are few when the frame is grouped by source). */
function runOf(c: Cells, m: number): number {
  let lo = 0;
  let hi = c.runCell.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (c.runCell[mid] <= m) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

const runEnd = (c: Cells, k: number) => (k + 1 < c.runCell.length ? c.runCell[k + 1] : c.count);

/** What an index over folded cells answers alike, whichever way it places them. */
function cellsAccess(axes: Axes, c: Cells): Omit<CellIndex, 'indexOf' | 'readRow' | 'count' | 'maxVolume'> {
  const workload = (m: number) => c.runW[runOf(c, m)];
  return {
    volume: (m) => c.volume[m],
    flags: (m) => c.flags[m],
    workload,
    destination: (m) => c.cellD[m],
    // The cell's rows lie within its workload's span: a few rows when the input is sorted by source.
    // Matching by label text, not by cell, also finds the rows of a pair's merged second cell.
    rows: (m) => {
      const w = workload(m);
      const out: number[] = [];
      for (let r = axes.wFirst[w]; r <= axes.wLast[w]; r++) {
        if (verdictAt(axes.t, r) !== SKIP && axes.holds(r, w, c.cellD[m])) {
          out.push(r);
        }
      }
      return out;
    },
  };
}

/**
 * The grid for an input that returned to a workload, or too large for a dense index: places every cell
 * up front at its sorted row and column, merging a pair's second cell into its first.
 */
function placeCells(axes: Axes, c: Cells, k: Ranks): CellIndex {
  const { workloadRank, destinationRank, transpose, nrows, ncols } = k;
  const dense = nrows * ncols <= DENSE_LIMIT ? new Int32Array(nrows * ncols) : undefined;
  const sparse = dense ? undefined : new Map<number, number>();
  const { volume, flags, cellD, runW } = c;
  // (row, column) is (workload, destination), or the other way round when transposed.
  const wStride = transpose ? 1 : ncols;
  const dStride = transpose ? ncols : 1;
  let count = 0;
  let maxVolume = 0;
  for (let run = 0; run < runW.length; run++) {
    const wAt = workloadRank[runW[run]];
    if (wAt < 0) {
      continue;
    }
    const base = wAt * wStride;
    for (let m = c.runCell[run], end = runEnd(c, run); m < end; m++) {
      const dAt = destinationRank[cellD[m]];
      if (dAt < 0) {
        continue;
      }
      const at = base + dAt * dStride;
      const held = (dense ? dense[at] : (sparse!.get(at) ?? 0)) - 1;
      if (held < 0) {
        if (dense) {
          dense[at] = m + 1;
        } else {
          sparse!.set(at, m + 1);
        }
        count++;
        maxVolume = volume[m] > maxVolume ? volume[m] : maxVolume;
        continue;
      }
      volume[held] += volume[m];
      flags[held] |= flags[m];
      maxVolume = Math.max(maxVolume, volume[held]);
    }
  }
  const indexOf = dense
    ? (row: number, col: number) =>
        row < 0 || col < 0 || row >= nrows || col >= ncols ? -1 : dense[row * ncols + col] - 1
    : (row: number, col: number) => (sparse!.get(row * ncols + col) ?? 0) - 1;
  return { ...cellsAccess(axes, c), ...sumsByCell(c, indexOf), indexOf, count, maxVolume };
}

/** Sums read where the folded cells hold them. */
function sumsByCell(c: Cells, indexOf: CellIndex['indexOf']): Pick<CellIndex, 'readRow'> {
  return {
    readRow: (row, col0, out) => {
      for (let j = 0; j < out.cell.length; j++) {
        const m = indexOf(row, col0 + j);
        out.cell[j] = m;
        if (m >= 0) {
          out.volume[j] = c.volume[m];
          out.flags[j] = c.flags[m];
        }
      }
    },
  };
}

/** Read-only pass over the cells of visible workloads and destinations: how many, and the largest volume. */
function scanCells(
  c: Cells,
  workloadRank: Int32Array,
  destinationRank: Int32Array
): { count: number; maxVolume: number } {
  const { volume, cellD, runW } = c;
  let count = 0;
  let maxVolume = 0;
  for (let run = 0; run < runW.length; run++) {
    if (workloadRank[runW[run]] < 0) {
      continue;
    }
    for (let m = c.runCell[run], end = runEnd(c, run); m < end; m++) {
      if (destinationRank[cellD[m]] >= 0) {
        count++;
        maxVolume = volume[m] > maxVolume ? volume[m] : maxVolume;
      }
    }
  }
  return { count, maxVolume };
}

/**
 * Lines of the grid built on first use: the line of workload w holds, at a destination's position, what
 * `make` put there (the cell, and what else drawing reads). Drawing looks into the visible page's lines,
 * hovering into one; a million cells then cost no grid memory before the first paint (4 MB of fresh,
 * faulting pages otherwise). `lineAt` is the line of the workload at (row, column), or undefined outside
 * the grid; `posAt` the position in it.
 */
function lazyLines<L>(
  k: Ranks,
  make: (w: number, length: number) => L
): { lineAt(row: number, col: number): L | undefined; posAt(row: number, col: number): number } {
  const { workloadRank, transpose, nrows, ncols } = k;
  const wAt = new Int32Array(transpose ? ncols : nrows);
  workloadRank.forEach((at, w) => {
    if (at >= 0) {
      wAt[at] = w;
    }
  });
  const lines: Array<L | undefined> = [];
  const line = (w: number): L => (lines[w] ??= make(w, transpose ? nrows : ncols));
  return {
    lineAt: (row, col) =>
      row < 0 || col < 0 || row >= nrows || col >= ncols ? undefined : line(wAt[transpose ? col : row]),
    posAt: (row, col) => (transpose ? row : col),
  };
}

/** The grid over folded cells when no workload came back: each pair owns one cell, each workload one run. */
function lazyIndex(axes: Axes, c: Cells, k: Ranks): CellIndex {
  const { count, maxVolume } = /*#__NOINLINE__*/ scanCells(c, k.workloadRank, k.destinationRank);
  const runOfW: number[] = [];
  c.runW.forEach((w, run) => (runOfW[w] = run));
  const lines = lazyLines(k, (w, length) => {
    const line = new Int32Array(length);
    const run = runOfW[w];
    for (let m = c.runCell[run], end = runEnd(c, run); m < end; m++) {
      const at = k.destinationRank[c.cellD[m]];
      if (at >= 0) {
        line[at] = m + 1;
      }
    }
    return line;
  });
  const indexOf = (row: number, col: number) => (lines.lineAt(row, col)?.[lines.posAt(row, col)] ?? 0) - 1;
  return { ...cellsAccess(axes, c), ...sumsByCell(c, indexOf), indexOf, count, maxVolume };
}

/** The grid over folded cells: lazy when it can be, placed up front when it must merge. */
export function cellIndex(axes: Axes, c: Cells, k: Ranks): CellIndex {
  return !c.revisited && k.nrows * k.ncols <= DENSE_LIMIT ? lazyIndex(axes, c, k) : placeCells(axes, c, k);
}

/**
 * The grid over pairs (foldPairs): cell m is the pair whose first row is m. Its rows are m and the
 * following ones with the same raw labels (skipped rows aside); its sums are a walk over them.
 */
export function pairIndex(axes: Axes, p: Pairs, k: Ranks): CellIndex {
  const t = axes.t;
  const { ns, wl, dest } = t;
  const same = (a: number, b: number) => dest[a] === dest[b] && wl[a] === wl[b] && ns?.[a] === ns?.[b];
  // Pair m's rows: m (never a skipped row) and the following rows with the same labels, skipped rows
  // aside. next(m, r) is the row after r, or -1 past the last; drawing sums a visible page of pairs this
  // way with nothing allocated.
  const next = (m: number, r: number) => {
    for (r++; r < t.length; r++) {
      if (verdictAt(t, r) !== SKIP) {
        return same(m, r) ? r : -1;
      }
    }
    return -1;
  };
  const volume = (m: number) => {
    let sum = 0;
    for (let r = m; r >= 0; r = next(m, r)) {
      sum += rowVolume(t, r);
    }
    return sum;
  };
  const flags = (m: number) => {
    let f = 0;
    for (let r = m; r >= 0; r = next(m, r)) {
      f |= rowFlags(t, r, verdictAt(t, r));
    }
    return f;
  };
  const rows = (m: number) => {
    const out: number[] = [];
    for (let r = m; r >= 0; r = next(m, r)) {
      out.push(r);
    }
    return out;
  };
  // Each pair in workload w's rows: its first row, destination, volume and flags, summed in the one walk
  // that finds it. Destinations through a cursor, as the fold found them: a workload's block usually lists
  // the previous block's destinations in the same order, so a lookup by text is rare.
  const dests = new DestinationCursor(axes);
  const eachPair = (w: number, visit: (m: number, d: number, volume: number, flags: number) => void) => {
    let m = -1;
    let v = 0;
    let f = 0;
    dests.restart();
    for (let r = axes.wFirst[w]; r <= axes.wLast[w]; r++) {
      const code = verdictAt(t, r);
      if (code === SKIP) {
        continue;
      }
      if (m >= 0 && same(m, r)) {
        v += rowVolume(t, r);
        f |= rowFlags(t, r, code);
        continue;
      }
      if (m >= 0) {
        visit(m, dests.next(m, dest[m]), v, f);
      }
      m = r;
      v = rowVolume(t, r);
      f = rowFlags(t, r, code);
    }
    if (m >= 0) {
      visit(m, dests.next(m, dest[m]), v, f);
    }
  };

  let { count, maxVolume } = p;
  const filtered = k.workloadRank.some((at) => at < 0) || k.destinationRank.some((at) => at < 0);
  if (filtered) {
    count = 0;
    maxVolume = 0;
    k.workloadRank.forEach((at, w) => {
      if (at >= 0) {
        eachPair(w, (m, d, v) => {
          if (k.destinationRank[d] >= 0) {
            count++;
            maxVolume = Math.max(maxVolume, v);
          }
        });
      }
    });
  }
  // A line keeps each pair's sums beside it: drawing reads them for every visible cell. Float64, as the
  // largest volume was summed: in Float32 the largest pair could round below it, a level too faint.
  const lines = lazyLines(k, (w, length) => {
    const line = { cell: new Int32Array(length), volume: new Float64Array(length), flags: new Uint8Array(length) };
    eachPair(w, (m, d, v, f) => {
      const at = k.destinationRank[d];
      if (at >= 0) {
        line.cell[at] = m + 1;
        line.volume[at] = v;
        line.flags[at] = f;
      }
    });
    return line;
  });
  const indexOf = (row: number, col: number) => (lines.lineAt(row, col)?.cell[lines.posAt(row, col)] ?? 0) - 1;
  const readRow = (r: number, col0: number, out: RowSums) => {
    const n = out.cell.length;
    if (!k.transpose) {
      // A grid row is one workload's line.
      const line = lines.lineAt(r, col0);
      for (let j = 0, pos = col0; j < n; j++, pos++) {
        const m = line && pos < k.ncols ? line.cell[pos] - 1 : -1;
        out.cell[j] = m;
        if (m >= 0) {
          out.volume[j] = line!.volume[pos];
          out.flags[j] = line!.flags[pos];
        }
      }
      return;
    }
    // Transposed, each column is another workload's line, at position r.
    for (let j = 0; j < n; j++) {
      const line = lines.lineAt(r, col0 + j);
      const m = line ? line.cell[r] - 1 : -1;
      out.cell[j] = m;
      if (m >= 0) {
        out.volume[j] = line!.volume[r];
        out.flags[j] = line!.flags[r];
      }
    }
  };
  return {
    indexOf,
    readRow,
    count,
    maxVolume,
    volume,
    flags,
    workload: (m) => axes.workloadOf(m),
    destination: (m) => axes.destination(m),
    rows,
  };
}
