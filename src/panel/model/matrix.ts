import type { EgressCell } from '../../query';
import { cellVolume } from '../../query/cells';
import { type CellTable, categoryAt, type SourceCell, tableFromCells } from './cellTable';
import {
  type AxisItem,
  Axes,
  type Cells,
  foldPairs,
  foldRows,
  invalidRows,
  SEEN_ALLOWED,
  SEEN_BLOCKED,
  SEEN_BYTES,
  SEEN_EXTERNAL,
  SEEN_NOT_EXTERNAL,
} from './fold';
import { CLASS_INDEX, paletteIndex } from './colors';
import { cellIndex, pairIndex, type Ranks, type RowSums } from './grid';
import type { MatrixOptions, SortBy } from '../../shared/panelOptions';

export type { AxisItem } from './fold';

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
  /** The table rows the sources were read from, in the same order (readFrame.ts `origin` finds their frame). */
  rows: number[];
}

/**
 * The matrix: axes, and cells as numbers (`indexOf`) whose sums are read without building objects
 * (`paletteOf`); a cell becomes an object only on demand (`cell(i)`), so a million pairs cost no objects.
 */
export interface MatrixModel {
  rows: AxisItem[];
  cols: AxisItem[];
  cellCount: number;
  /** Input rows whose verdict is neither cluster: counted here, never drawn. */
  skipped: number;
  /** Input rows with a number that is no count (NaN, ±Infinity, negative): drawn as 0, said in the panel. */
  invalid: number;
  maxVolume: number;
  /** O(1): the cell at (row, col), or -1 for an empty one. */
  indexOf(row: number, col: number): number;
  cell(i: number): MatrixCell;
  /** Palette index of cell i without building it: class × (levels + 1) + level. */
  paletteOf(i: number, levels: number): number;
  /**
   * Palette indices of row `row`'s cells from column col0 on, as many as `out` holds, -1 for empty ones:
   * what drawing reads, a grid row at a time.
   */
  paletteRow(row: number, col0: number, levels: number, out: Int32Array): void;
  seenAllowed(i: number): boolean;
  /** Some input row is in-mesh, registered or ambient: the legend names those colors. */
  hasNotExternal: boolean;
}

function share(blocked: number, total: number): number {
  return total ? blocked / total : 0;
}

/**
 * Natural order, as people read names: runs of digits compare as numbers (api-2 before api-10), the rest
 * by code unit as before, so `S3 (…)` still sorts before `api…` and equal text stays stable.
 */
export function naturalCompare(a: string, b: string): number {
  return compareChunks(a, b, naturalChunks(a), naturalChunks(b));
}

/** A name's runs of digits and of other characters, which naturalCompare compares. */
const naturalChunks = (s: string): string[] => s.match(/\d+|\D+/g) ?? [];

function compareChunks(a: string, b: string, ca: readonly string[], cb: readonly string[]): number {
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i];
    const y = cb[i];
    if (x === y) {
      continue;
    }
    const dx = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const dy = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    if (dx && dy) {
      const n = Number(x) - Number(y);
      return n !== 0 ? n : x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return ca.length - cb.length || (a < b ? -1 : a > b ? 1 : 0);
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
  // Natural order, as people read names: api-2 before api-10. Each name split once, not per comparison.
  const chunks = new Map<string, string[]>();
  const chunksOf = (s: string) => {
    let c = chunks.get(s);
    if (!c) {
      c = naturalChunks(s);
      chunks.set(s, c);
    }
    return c;
  };
  const byName = (a: string, b: string) => compareChunks(a, b, chunksOf(a), chunksOf(b));
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

/** Each item's position in `sorted`, or -1. Plain loops: this runs once per frame, in cold code. */
function rank(items: AxisItem[], sorted: AxisItem[]): Int32Array {
  const at = new Map<AxisItem, number>();
  for (let k = 0; k < sorted.length; k++) {
    at.set(sorted[k], k);
  }
  const out = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    out[i] = at.get(items[i]) ?? -1;
  }
  return out;
}

function matcher(filter: string) {
  const f = filter.trim().toLowerCase();
  return (i: AxisItem) => !f || i.label.toLowerCase().includes(f) || i.group.toLowerCase().includes(f);
}

/**
 * Groups cells into the workload × destination matrix: sorted, filtered and (optionally) transposed.
 * Pure and DOM-free, so layout, sorting and hit-testing are unit-tested without a canvas. One pass over
 * the input rows (reading the frame's columns in place); for an input grouped like the data source's,
 * nothing per cell until a cell is drawn or hovered.
 */
export function buildMatrix(input: CellTable | readonly SourceCell[], opts: BuildOptions): MatrixModel {
  const t: CellTable = Array.isArray(input) ? tableFromCells(input as SourceCell[]) : (input as CellTable);
  const collapsed = opts.collapsedGroups ?? new Set<string>();
  // NOINLINE: terser would fold these single-use passes back into this function, which V8 then
  // deoptimizes at each loop it has no feedback for yet.
  let axes = new Axes(t, collapsed);
  const pairs = /*#__NOINLINE__*/ foldPairs(axes);
  let cells: Cells | undefined;
  if (!pairs) {
    axes = new Axes(t, collapsed);
    cells = /*#__NOINLINE__*/ foldRows(axes);
  }
  axes.finish();
  const { workloads, destinations } = axes;
  const rowItems = opts.transpose ? destinations : workloads;
  const colItems = opts.transpose ? workloads : destinations;
  const rows = sortItems(rowItems.filter(matcher(opts.rowFilter)), opts.sortRows, !opts.transpose);
  const cols = sortItems(colItems.filter(matcher(opts.columnFilter)), opts.sortColumns, opts.transpose);
  const rowRank = rank(rowItems, rows);
  const colRank = rank(colItems, cols);
  const transpose = !!opts.transpose;
  const ranks: Ranks = {
    workloadRank: transpose ? colRank : rowRank,
    destinationRank: transpose ? rowRank : colRank,
    transpose,
    nrows: rows.length,
    ncols: cols.length,
  };
  const index = cells ? cellIndex(axes, cells, ranks) : pairIndex(axes, pairs!, ranks);
  const { maxVolume } = index;
  const logMax = Math.log1p(maxVolume);
  // paletteRow's buffers, kept between rows.
  let sums: RowSums | undefined;
  return {
    rows,
    cols,
    cellCount: index.count,
    skipped: (pairs ?? cells)!.skipped,
    invalid: factsOf(t).invalid,
    maxVolume,
    indexOf: index.indexOf,
    seenAllowed: (m) => (index.flags(m) & SEEN_ALLOWED) !== 0,
    hasNotExternal: factsOf(t).notExternal,
    paletteOf: (m, levels) => paletteFor(index.volume(m), index.flags(m), maxVolume, levels),
    paletteRow: (row, col0, levels, out) => {
      if (sums?.cell.length !== out.length) {
        sums = {
          cell: new Int32Array(out.length),
          volume: new Float64Array(out.length),
          flags: new Uint8Array(out.length),
        };
      }
      index.readRow(row, col0, sums);
      for (let j = 0; j < out.length; j++) {
        out[j] = sums.cell[j] < 0 ? -1 : paletteFor(sums.volume[j], sums.flags[j], maxVolume, levels, logMax);
      }
    },
    cell: (m) => {
      const w = index.workload(m);
      const d = index.destination(m);
      const rows = index.rows(m);
      const sources = rows.map((r) => t.cell(r));
      const sum = (pick: (s: SourceCell) => number) => sources.reduce((acc, s) => acc + pick(s), 0);
      const flags = index.flags(m);
      return {
        row: transpose ? rowRank[d] : rowRank[w],
        col: transpose ? colRank[w] : colRank[d],
        blocked: sum((s) => (s.verdict === 'blackhole' ? cellVolume(s) : 0)),
        allowed: sum((s) => (s.verdict === 'blackhole' ? 0 : cellVolume(s))),
        seenBlocked: (flags & SEEN_BLOCKED) !== 0,
        seenAllowed: (flags & SEEN_ALLOWED) !== 0,
        bytes: sum((s) => s.bytesSent + s.bytesReceived),
        sources,
        rows: Array.from(rows),
      };
    },
  };
}

/**
 * What the legend says of the input as a whole: rows with numbers that are no counts, and whether any row
 * is not external. They depend on the table alone, so options, folding and filtering (each a new
 * buildMatrix on the same table) reuse them instead of passing over every row again.
 */
const tableFacts = new WeakMap<CellTable, { invalid: number; notExternal: boolean }>();

function factsOf(t: CellTable): { invalid: number; notExternal: boolean } {
  let facts = tableFacts.get(t);
  if (!facts) {
    let notExternal = false;
    // The category column only where the frame has one (this data source's frames do).
    for (let r = 0; t.category && !notExternal && r < t.length; r++) {
      notExternal = categoryAt(t, r) !== 'external';
    }
    facts = { invalid: invalidRows(t), notExternal };
    tableFacts.set(t, facts);
  }
  return facts;
}

/**
 * Volume → intensity level on a log scale: 0 for a pair seen with no traffic in the range (drawn as an
 * outline), 1..levels otherwise. Palette index = class × (levels + 1) + level, so drawing batches by it.
 */
export function intensityLevel(
  volume: number,
  maxVolume: number,
  levels: number,
  logMax = Math.log1p(maxVolume)
): number {
  if (volume <= 0 || maxVolume <= 0) {
    return 0;
  }
  return Math.min(levels, 1 + Math.floor(((levels - 1) * Math.log1p(volume)) / logMax + 1e-9));
}

/** A cell's class from its SEEN_* flags. */
function classOf(flags: number): number {
  const seen = flags & (SEEN_BLOCKED | SEEN_ALLOWED);
  // Categories share a cell only when the data does; external traffic then decides its class.
  return (flags & (SEEN_EXTERNAL | SEEN_NOT_EXTERNAL)) === SEEN_NOT_EXTERNAL
    ? seen & SEEN_BLOCKED
      ? CLASS_INDEX.blockedInMesh
      : CLASS_INDEX.notExternal
    : seen === (SEEN_BLOCKED | SEEN_ALLOWED)
      ? CLASS_INDEX.both
      : seen === SEEN_BLOCKED
        ? CLASS_INDEX.blackhole
        : CLASS_INDEX.passthrough;
}

/** classOf for every combination of the five SEEN_* flags: drawing looks a class up per visible cell. */
const CLASS_OF = Uint8Array.from({ length: 32 }, (_, flags) => classOf(flags));

/** `logMax`: Math.log1p(maxVolume), computed once by a caller that colors many cells. */
function paletteFor(volume: number, flags: number, maxVolume: number, levels: number, logMax?: number): number {
  // Bytes alone (a long-lived connection) is traffic: the faintest fill, never the "no traffic" outline.
  const level = volume === 0 && flags & SEEN_BYTES ? 1 : intensityLevel(volume, maxVolume, levels, logMax);
  return paletteIndex(CLASS_OF[flags & 31], level, levels);
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
