import type { EgressCell } from '../../query';
import {
  BLACKHOLE,
  type CellTable,
  SKIP,
  type SourceCell,
  tableFromCells,
  text,
  verdictAt,
  verdictCode,
} from './cellTable';
import type { MatrixOptions, SortBy } from '../types';

/** One row or column: a source workload (grouped by namespace) or a destination. */
export interface AxisItem {
  key: string;
  label: string;
  /** Namespace for workloads; empty for destinations. */
  group: string;
  total: number;
  blocked: number;
}

/** A matrix cell: everything one (workload, destination) pair did, across listeners and ports. */
export interface MatrixCell {
  row: number;
  col: number;
  blocked: number;
  allowed: number;
  /** Pairs seen with each verdict, even at zero volume: "both" is about verdicts, not counts. */
  seenBlocked: boolean;
  seenAllowed: boolean;
  /** TCP bytes: a long-lived connection moves bytes without opening or closing any in the range. */
  bytes: number;
  sources: EgressCell[];
}

/**
 * The matrix, columnar: per-cell sums in typed arrays, cells as objects only on demand (`cell(i)`),
 * so a million pairs cost a few arrays.
 */
export interface MatrixModel {
  rows: AxisItem[];
  cols: AxisItem[];
  cellCount: number;
  /** Input rows whose verdict is neither cluster: counted here, never drawn. */
  skipped: number;
  maxVolume: number;
  /** O(1): the cell at (row, col), or -1 for an empty one. */
  indexOf(row: number, col: number): number;
  cell(i: number): MatrixCell;
  /** Palette index of cell i without building it: class × (levels + 1) + level. */
  paletteOf(i: number, levels: number): number;
  seenAllowed(i: number): boolean;
}

const SEEN_BLOCKED = 1;
const SEEN_ALLOWED = 2;
/** TCP bytes moved: traffic even when no connection opened or closed in the range. */
const SEEN_BYTES = 4;

function share(blocked: number, total: number): number {
  return total ? blocked / total : 0;
}

/** Sort order of axis items; grouped items keep their group together, groups ordered by the same key. */
function sortItems(items: AxisItem[], by: SortBy, grouped: boolean): AxisItem[] {
  const groups = new Map<string, { total: number; blocked: number }>();
  for (const i of items) {
    const g = groups.get(i.group) ?? { total: 0, blocked: 0 };
    g.total += i.total;
    g.blocked += i.blocked;
    groups.set(i.group, g);
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const byKey = (a: { total: number; blocked: number }, b: { total: number; blocked: number }) =>
    by === 'volume'
      ? b.total - a.total
      : by === 'blockedShare'
        ? share(b.blocked, b.total) - share(a.blocked, a.total) || b.total - a.total
        : 0;
  return items.sort((a, b) => {
    if (grouped && a.group !== b.group) {
      return byKey(groups.get(a.group)!, groups.get(b.group)!) || byName(a.group, b.group);
    }
    return byKey(a, b) || byName(a.label, b.label);
  });
}

export interface BuildOptions extends Pick<
  MatrixOptions,
  'transpose' | 'sortRows' | 'sortColumns' | 'rowFilter' | 'columnFilter'
> {
  /** Namespaces folded into one row (group bands the user collapsed). */
  collapsedGroups?: ReadonlySet<string>;
}

/** Above this many rows × columns the index is a Map (sparse) instead of a dense Int32Array. */
const DENSE_LIMIT = 16_000_000;

/**
 * What one pass over the input rows yields: the axes with their totals, the cells in input order
 * (destination, volume, verdicts seen; the workload by runs) and each workload's row span.
 *
 * Fresh memory page-faults at a few ms per MB on our machines, and a read before the first write faults
 * twice (the zero page, then a copy), so a cell costs 9 bytes, written before it is read, and a row none.
 */
interface Folded {
  workloads: AxisItem[];
  destinations: AxisItem[];
  count: number;
  skipped: number;
  cellD: Int32Array;
  /** Requests + connections. Float32: it only picks a color; tooltips sum their rows in Float64. */
  volume: Float32Array;
  flags: Uint8Array;
  /**
   * Cells are made in runs of one workload (the frame comes grouped by source): run k starts at cell
   * runCell[k] and belongs to workload runW[k]. An input that interleaves workloads makes more runs.
   */
  runCell: number[];
  runW: number[];
  /** Some workload came back after another: a pair may then own two cells, which placeCells merges. */
  revisited: boolean;
  /** Per workload: first and last input row, where a tooltip looks for a cell's rows. */
  wFirst: number[];
  wLast: number[];
}

/**
 * The one pass over the input rows: interns workloads and destinations, sums the axis totals and folds
 * rows into (workload, destination) cells. Frames come sorted by source, so the previous row's workload
 * is usually this row's: compare the values before touching a Map. Within a workload's block the
 * destinations usually come in the order of the previous block: compare with the one at the same
 * position before hashing. A destination remembers the last workload that used it and that cell, so a
 * row finds its cell without a lookup; an input that comes back to an earlier workload can make a second
 * cell for a pair, which placeCells merges.
 *
 * Each hot loop is its own small function: V8 optimizes it with complete type feedback instead of
 * deoptimizing one large function at every loop it had not reached yet.
 */
function foldRows(t: CellTable, collapsed: ReadonlySet<string>): Folded {
  const n = t.length;
  const { verdict, ns: nsCol, wl: wlCol, dest: destCol, requests, connections, bytesSent, bytesReceived } = t;
  // An enum verdict column is decided once per dictionary entry, not once per row.
  const verdictDict = t.dict.verdict?.map(verdictCode);
  // Cells never outnumber rows; untouched pages of these cost nothing.
  const cellD = new Int32Array(n);
  const volume = new Float32Array(n);
  const flags = new Uint8Array(n);
  const runCell: number[] = [];
  const runW: number[] = [];
  let revisited = false;
  const workloads: AxisItem[] = [];
  const destinations: AxisItem[] = [];
  const wTotal: number[] = [];
  const wBlocked: number[] = [];
  const wFirst: number[] = [];
  const wLast: number[] = [];
  const dTotal: number[] = [];
  const dBlocked: number[] = [];
  const dOwner: number[] = [];
  const dCell: number[] = [];
  const wByKey = new Map<string, number>();
  const dByKey = new Map<string, number>();
  const members = new Map<string, Set<string>>();
  let lastNs: unknown;
  let lastWl: unknown;
  let w = -1;
  const seenAt: unknown[] = [];
  const seenIdx: number[] = [];
  let pos = 0;
  let count = 0;
  let skipped = 0;
  for (let r = 0; r < n; r++) {
    const raw = verdict[r];
    const code = verdictDict && typeof raw === 'number' ? (verdictDict[raw] ?? SKIP) : verdictCode(raw);
    if (code === SKIP) {
      skipped++;
      continue;
    }
    const nsRaw = nsCol?.[r];
    const wlRaw = wlCol[r];
    if (nsRaw !== lastNs || wlRaw !== lastWl || w < 0) {
      const ns = text(nsCol, r, 'unknown', t.dict.ns);
      const wl = text(wlCol, r, 'unknown', t.dict.wl);
      const folded = collapsed.has(ns);
      const key = folded ? `${ns}/*` : `${ns}/${wl}`;
      const found = wByKey.get(key);
      if (found === undefined) {
        w = workloads.length;
        wByKey.set(key, w);
        workloads.push({ key, label: wl, group: ns, total: 0, blocked: 0 });
        wTotal.push(0);
        wBlocked.push(0);
        wFirst.push(r);
        wLast.push(r);
      } else {
        revisited ||= found !== w;
        w = found;
      }
      if (folded) {
        const set = members.get(ns) ?? new Set<string>();
        set.add(wl);
        members.set(ns, set);
      }
      lastNs = nsRaw;
      lastWl = wlRaw;
      pos = 0;
    }
    const destRaw = destCol[r];
    let d: number;
    if (pos < seenAt.length && seenAt[pos] === destRaw) {
      d = seenIdx[pos];
    } else {
      const dest = text(destCol, r, 'unknown', t.dict.dest);
      let found = dByKey.get(dest);
      if (found === undefined) {
        found = destinations.length;
        dByKey.set(dest, found);
        const name = text(t.destName, r, '');
        destinations.push({ key: dest, label: name ? `${name} (${dest})` : dest, group: '', total: 0, blocked: 0 });
        dTotal.push(0);
        dBlocked.push(0);
        dOwner.push(-1);
        dCell.push(0);
      }
      d = found;
      seenAt[pos] = destRaw;
      seenIdx[pos] = d;
    }
    pos++;
    const v = (Number(requests[r]) || 0) + (Number(connections[r]) || 0);
    let f = code === BLACKHOLE ? SEEN_BLOCKED : SEEN_ALLOWED;
    if ((bytesSent && Number(bytesSent[r]) > 0) || (bytesReceived && Number(bytesReceived[r]) > 0)) {
      f |= SEEN_BYTES;
    }
    if (dOwner[d] === w) {
      const m = dCell[d];
      volume[m] += v;
      flags[m] |= f;
    } else {
      const m = count++;
      if (runW.length === 0 || runW[runW.length - 1] !== w) {
        runCell.push(m);
        runW.push(w);
      }
      cellD[m] = d;
      volume[m] = v;
      flags[m] = f;
      dOwner[d] = w;
      dCell[d] = m;
    }
    wLast[w] = r;
    wTotal[w] += v;
    dTotal[d] += v;
    if (code === BLACKHOLE) {
      wBlocked[w] += v;
      dBlocked[d] += v;
    }
  }
  workloads.forEach((item, k) => {
    item.total = wTotal[k];
    item.blocked = wBlocked[k];
  });
  destinations.forEach((item, k) => {
    item.total = dTotal[k];
    item.blocked = dBlocked[k];
  });
  for (const [ns, set] of members) {
    workloads[wByKey.get(`${ns}/*`)!].label = `▸ ${set.size} workload${set.size === 1 ? '' : 's'}`;
  }
  return { workloads, destinations, count, skipped, cellD, volume, flags, runCell, runW, revisited, wFirst, wLast };
}

/** Cell lookup by sorted (row, column), with the count and the largest volume of the visible cells. */
interface CellIndex {
  /** The cell at (row, column), or -1. */
  indexOf(row: number, col: number): number;
  count: number;
  maxVolume: number;
}

/**
 * The grid for an input that returned to a workload, or too large for a dense index: places every cell
 * up front at its sorted row and column (rank -1: filtered out), merging a pair's second cell into its
 * first.
 */
function placeCells(
  f: Folded,
  wRank: Int32Array,
  dRank: Int32Array,
  transpose: boolean,
  nrows: number,
  ncols: number
): CellIndex {
  const dense = nrows * ncols <= DENSE_LIMIT ? new Int32Array(nrows * ncols) : undefined;
  const sparse = dense ? undefined : new Map<number, number>();
  const { volume, flags, cellD, runCell, runW } = f;
  // (row, column) is (workload, destination), or the other way round when transposed.
  const wStride = transpose ? 1 : ncols;
  const dStride = transpose ? ncols : 1;
  let count = 0;
  let maxVolume = 0;
  for (let k = 0; k < runW.length; k++) {
    const wAt = wRank[runW[k]];
    if (wAt < 0) {
      continue;
    }
    const base = wAt * wStride;
    const end = k + 1 < runCell.length ? runCell[k + 1] : f.count;
    for (let m = runCell[k]; m < end; m++) {
      const dAt = dRank[cellD[m]];
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
  return { indexOf, count, maxVolume };
}

/** Read-only pass over the cells of visible workloads and destinations: how many, and the largest volume. */
function scanCells(f: Folded, wRank: Int32Array, dRank: Int32Array): { count: number; maxVolume: number } {
  const { volume, cellD, runCell, runW } = f;
  let count = 0;
  let maxVolume = 0;
  for (let k = 0; k < runW.length; k++) {
    if (wRank[runW[k]] < 0) {
      continue;
    }
    const end = k + 1 < runCell.length ? runCell[k + 1] : f.count;
    for (let m = runCell[k]; m < end; m++) {
      if (dRank[cellD[m]] >= 0) {
        count++;
        maxVolume = volume[m] > maxVolume ? volume[m] : maxVolume;
      }
    }
  }
  return { count, maxVolume };
}

/**
 * The grid when no workload came back: then each pair owns one cell and each workload's cells are one
 * run, so nothing needs placing up front. A read-only pass finds the count and the largest volume, and a
 * workload's line of the grid (destination position → cell) is built the first time something looks
 * into it: the visible page when drawing, one line when hovering. A million cells then cost no grid
 * memory before the first paint (4 MB of fresh pages, and their faults, otherwise).
 */
function lazyIndex(
  f: Folded,
  wRank: Int32Array,
  dRank: Int32Array,
  transpose: boolean,
  nrows: number,
  ncols: number
): CellIndex {
  const { count, maxVolume } = /*#__NOINLINE__*/ scanCells(f, wRank, dRank);
  const { cellD, runCell, runW } = f;
  const nd = transpose ? nrows : ncols;
  const wAt = new Int32Array(transpose ? ncols : nrows);
  wRank.forEach((at, w) => {
    if (at >= 0) {
      wAt[at] = w;
    }
  });
  const runOf: number[] = [];
  runW.forEach((w, k) => (runOf[w] = k));
  const lines: Array<Int32Array | undefined> = [];
  const line = (w: number): Int32Array => {
    let a = lines[w];
    if (!a) {
      a = lines[w] = new Int32Array(nd);
      const k = runOf[w];
      const end = k + 1 < runCell.length ? runCell[k + 1] : f.count;
      for (let m = runCell[k]; m < end; m++) {
        const d = dRank[cellD[m]];
        if (d >= 0) {
          a[d] = m + 1;
        }
      }
    }
    return a;
  };
  return {
    count,
    maxVolume,
    indexOf: (row, col) =>
      row < 0 || col < 0 || row >= nrows || col >= ncols
        ? -1
        : transpose
          ? line(wAt[col])[row] - 1
          : line(wAt[row])[col] - 1,
  };
}

/** The workload of cell m: the run holding it (binary search; runs are few when the frame is grouped). */
function workloadOf(f: Folded, m: number): number {
  let lo = 0;
  let hi = f.runCell.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (f.runCell[mid] <= m) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return f.runW[lo];
}

function rank(items: AxisItem[], sorted: AxisItem[]): Int32Array {
  const at = new Map(sorted.map((item, k) => [item, k]));
  return Int32Array.from(items, (item) => at.get(item) ?? -1);
}

function matcher(filter: string) {
  const f = filter.trim().toLowerCase();
  return (i: AxisItem) => !f || i.label.toLowerCase().includes(f) || i.group.toLowerCase().includes(f);
}

/**
 * Groups cells into the workload × destination matrix: sorted, filtered and (optionally) transposed.
 * Pure and DOM-free, so layout, sorting and hit-testing are unit-tested without a canvas. One pass over
 * the input rows (reading the frame's columns in place), one over the cells.
 */
export function buildMatrix(input: CellTable | readonly SourceCell[], opts: BuildOptions): MatrixModel {
  const t: CellTable = Array.isArray(input) ? tableFromCells(input as SourceCell[]) : (input as CellTable);
  // NOINLINE: terser would fold these single-use passes back into this function, which V8 then
  // deoptimizes at each loop it has no feedback for yet.
  const collapsed = opts.collapsedGroups ?? new Set<string>();
  const f = /*#__NOINLINE__*/ foldRows(t, collapsed);
  const { workloads, destinations, cellD, flags } = f;
  const rowItems = opts.transpose ? destinations : workloads;
  const colItems = opts.transpose ? workloads : destinations;
  const rows = sortItems(rowItems.filter(matcher(opts.rowFilter)), opts.sortRows, !opts.transpose);
  const cols = sortItems(colItems.filter(matcher(opts.columnFilter)), opts.sortColumns, opts.transpose);
  const rowRank = rank(rowItems, rows);
  const colRank = rank(colItems, cols);
  const lazy = !f.revisited && rows.length * cols.length <= DENSE_LIMIT;
  const p = (lazy ? lazyIndex : placeCells)(
    f,
    opts.transpose ? colRank : rowRank,
    opts.transpose ? rowRank : colRank,
    !!opts.transpose,
    rows.length,
    cols.length
  );
  const { maxVolume } = p;
  return {
    rows,
    cols,
    cellCount: p.count,
    skipped: f.skipped,
    maxVolume,
    indexOf: p.indexOf,
    seenAllowed: (m) => (flags[m] & SEEN_ALLOWED) !== 0,
    paletteOf: (m, levels) => paletteFor(f.volume[m], flags[m], maxVolume, levels),
    cell: (m) => {
      // The cell's rows lie within its workload's span: a few rows when the input is sorted by source.
      // Matching by label text, not by cell index, also finds the rows of a pair's merged second cell.
      const w = workloadOf(f, m);
      const wItem = workloads[w];
      const folded = collapsed.has(wItem.group);
      const dest = destinations[cellD[m]].key;
      const sources: SourceCell[] = [];
      for (let r = f.wFirst[w]; r <= f.wLast[w]; r++) {
        if (
          verdictAt(t, r) !== SKIP &&
          text(t.dest, r, 'unknown', t.dict.dest) === dest &&
          text(t.ns, r, 'unknown', t.dict.ns) === wItem.group &&
          (folded || text(t.wl, r, 'unknown', t.dict.wl) === wItem.label)
        ) {
          sources.push(t.cell(r));
        }
      }
      const sum = (pick: (s: SourceCell) => number) => sources.reduce((acc, s) => acc + pick(s), 0);
      const volumeOf = (s: SourceCell) => s.requests + s.connections;
      return {
        row: rowRank[opts.transpose ? cellD[m] : w],
        col: colRank[opts.transpose ? w : cellD[m]],
        blocked: sum((s) => (s.verdict === 'blackhole' ? volumeOf(s) : 0)),
        allowed: sum((s) => (s.verdict === 'blackhole' ? 0 : volumeOf(s))),
        seenBlocked: (flags[m] & SEEN_BLOCKED) !== 0,
        seenAllowed: (flags[m] & SEEN_ALLOWED) !== 0,
        bytes: sum((s) => s.bytesSent + s.bytesReceived),
        sources,
      };
    },
  };
}

export type VerdictClass = 0 | 1 | 2;
export const VERDICT_CLASS = { blackhole: 0, passthrough: 1, both: 2 } as const;

export function verdictClass(m: Pick<MatrixCell, 'seenBlocked' | 'seenAllowed'>): VerdictClass {
  return m.seenBlocked && m.seenAllowed ? 2 : m.seenBlocked ? 0 : 1;
}

/**
 * Volume → intensity level on a log scale: 0 for a pair seen with no traffic in the range (drawn as an
 * outline), 1..levels otherwise. Palette index = class × (levels + 1) + level, so drawing batches by it.
 */
export function intensityLevel(volume: number, maxVolume: number, levels: number): number {
  if (volume <= 0 || maxVolume <= 0) {
    return 0;
  }
  return Math.min(levels, 1 + Math.floor(((levels - 1) * Math.log1p(volume)) / Math.log1p(maxVolume) + 1e-9));
}

function paletteFor(volume: number, flags: number, maxVolume: number, levels: number): number {
  const seen = flags & (SEEN_BLOCKED | SEEN_ALLOWED);
  const cls = seen === (SEEN_BLOCKED | SEEN_ALLOWED) ? 2 : seen === SEEN_BLOCKED ? 0 : 1;
  // Bytes alone (a long-lived connection) is traffic: the faintest fill, never the "no traffic" outline.
  const level = volume === 0 && flags & SEEN_BYTES ? 1 : intensityLevel(volume, maxVolume, levels);
  return cls * (levels + 1) + level;
}

export function paletteIndex(m: MatrixCell, maxVolume: number, levels: number): number {
  return paletteFor(
    m.blocked + m.allowed,
    (m.seenBlocked ? SEEN_BLOCKED : 0) | (m.seenAllowed ? SEEN_ALLOWED : 0) | (m.bytes > 0 ? SEEN_BYTES : 0),
    maxVolume,
    levels
  );
}

/** Where the grid sits in the canvas, in CSS pixels. */
export interface GridGeometry {
  x0: number;
  y0: number;
  cellW: number;
  cellH: number;
  /** First visible row/column (paging when the matrix does not fit). */
  rowOffset: number;
  colOffset: number;
  visibleRows: number;
  visibleCols: number;
}

/** O(1): the cell under a point, from arithmetic alone (no DOM, no search). */
export function hitTest(
  model: MatrixModel,
  g: GridGeometry,
  x: number,
  y: number
): { row: number; col: number; cell?: MatrixCell } | undefined {
  const c = Math.floor((x - g.x0) / g.cellW);
  const r = Math.floor((y - g.y0) / g.cellH);
  if (x < g.x0 || y < g.y0 || c >= g.visibleCols || r >= g.visibleRows) {
    return undefined;
  }
  const row = r + g.rowOffset;
  const col = c + g.colOffset;
  if (row >= model.rows.length || col >= model.cols.length) {
    return undefined;
  }
  const i = model.indexOf(row, col);
  return { row, col, cell: i >= 0 ? model.cell(i) : undefined };
}

export const MIN_CELL = 4;

/**
 * Fits the matrix into the plot area. When there are more rows or columns than fit at MIN_CELL pixels,
 * only a page is shown and `truncated` says so (never a freeze on a million cells).
 */
export function fitGrid(
  model: MatrixModel,
  plot: { x0: number; y0: number; width: number; height: number },
  offsets = { row: 0, col: 0 }
) {
  const maxCols = Math.max(1, Math.floor(plot.width / MIN_CELL));
  const maxRows = Math.max(1, Math.floor(plot.height / MIN_CELL));
  const rowOffset = Math.max(0, Math.min(offsets.row, Math.max(0, model.rows.length - maxRows)));
  const colOffset = Math.max(0, Math.min(offsets.col, Math.max(0, model.cols.length - maxCols)));
  const visibleRows = Math.max(0, Math.min(maxRows, model.rows.length - rowOffset));
  const visibleCols = Math.max(0, Math.min(maxCols, model.cols.length - colOffset));
  const cellW = visibleCols ? Math.min(48, plot.width / visibleCols) : 0;
  const cellH = visibleRows ? Math.min(32, plot.height / visibleRows) : 0;
  const geometry: GridGeometry = {
    x0: plot.x0,
    y0: plot.y0,
    cellW,
    cellH,
    rowOffset,
    colOffset,
    visibleRows,
    visibleCols,
  };
  return { geometry, truncated: visibleRows < model.rows.length || visibleCols < model.cols.length };
}
