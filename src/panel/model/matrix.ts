import type { EgressCell } from '../../query';
import { type CellTable, tableFromCells } from './cellTable';
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
 * Groups cells into the workload × destination matrix: sorted, filtered and (optionally) transposed.
 * Pure and DOM-free, so layout, sorting and hit-testing are unit-tested without a canvas.
 */
export function buildMatrix(input: CellTable | readonly EgressCell[], opts: BuildOptions): MatrixModel {
  const t: CellTable = Array.isArray(input) ? tableFromCells(input as EgressCell[]) : (input as CellTable);
  const n = t.length;
  const collapsed = opts.collapsedGroups ?? new Set<string>();

  // Intern workloads and destinations. Frames come sorted by source, so the previous row's workload
  // is usually this row's: compare the strings before touching a Map.
  const wIdx = new Int32Array(n);
  const dIdx = new Int32Array(n);
  const { requests, connections, verdict, bytes: tableBytes } = t;
  const volume = new Float64Array(n);
  const workloads: AxisItem[] = [];
  const destinations: AxisItem[] = [];
  const wByKey = new Map<string, number>();
  const dByKey = new Map<string, number>();
  const members = new Map<string, Set<string>>();
  let lastNs: string | undefined;
  let lastWl: string | undefined;
  let lastW = -1;
  // Within a workload's block of rows the destinations usually come in the same order as in the
  // previous block: compare with the destination at the same position before hashing the string.
  const seenAt: string[] = [];
  const seenIdx: number[] = [];
  let pos = 0;
  const { rows: rowMap, ns: nsCol, wl: wlCol, dest: destCol } = t.raw;
  // Plain strings are read straight from the columns; anything else (missing, numbers) goes through
  // the table's accessors, which name it "unknown" or stringify it.
  const str = (col: ArrayLike<unknown> | undefined, i: number, slow: (i: number) => string): string => {
    const v = col?.[rowMap[i]];
    return typeof v === 'string' && v !== '' ? v : slow(i);
  };
  for (let i = 0; i < n; i++) {
    const ns = str(nsCol, i, t.sourceNamespace);
    const wl = str(wlCol, i, t.sourceWorkload);
    if (ns !== lastNs || wl !== lastWl) {
      const folded = collapsed.has(ns);
      const key = folded ? `${ns}/*` : `${ns}/${wl}`;
      let w = wByKey.get(key);
      if (w === undefined) {
        w = workloads.length;
        wByKey.set(key, w);
        workloads.push({ key, label: wl, group: ns, total: 0, blocked: 0 });
      }
      if (folded) {
        const set = members.get(ns) ?? new Set<string>();
        set.add(wl);
        members.set(ns, set);
      }
      lastNs = ns;
      lastWl = wl;
      lastW = w;
      pos = 0;
    }
    wIdx[i] = lastW;
    const dest = str(destCol, i, t.destination);
    let d: number | undefined;
    if (seenAt[pos] === dest) {
      d = seenIdx[pos];
    } else {
      d = dByKey.get(dest);
      if (d === undefined) {
        d = destinations.length;
        dByKey.set(dest, d);
        const name = t.destinationName(i);
        destinations.push({ key: dest, label: name ? `${name} (${dest})` : dest, group: '', total: 0, blocked: 0 });
      }
      seenAt[pos] = dest;
      seenIdx[pos] = d;
    }
    pos++;
    dIdx[i] = d;
    volume[i] = requests[i] + connections[i];
  }
  // Axis totals in a second pass over typed arrays: cheaper than updating objects per row.
  const wTotal = new Float64Array(workloads.length);
  const wBlocked = new Float64Array(workloads.length);
  const dTotal = new Float64Array(destinations.length);
  const dBlocked = new Float64Array(destinations.length);
  for (let i = 0; i < n; i++) {
    const v = volume[i];
    wTotal[wIdx[i]] += v;
    dTotal[dIdx[i]] += v;
    if (verdict[i] === 0) {
      wBlocked[wIdx[i]] += v;
      dBlocked[dIdx[i]] += v;
    }
  }
  workloads.forEach((w, k) => {
    w.total = wTotal[k];
    w.blocked = wBlocked[k];
  });
  destinations.forEach((d, k) => {
    d.total = dTotal[k];
    d.blocked = dBlocked[k];
  });
  for (const [ns, set] of members) {
    workloads[wByKey.get(`${ns}/*`)!].label = `▸ ${set.size} workload${set.size === 1 ? '' : 's'}`;
  }

  const match = (filter: string) => {
    const f = filter.trim().toLowerCase();
    return (i: AxisItem) => !f || i.label.toLowerCase().includes(f) || i.group.toLowerCase().includes(f);
  };
  const rowItems = opts.transpose ? destinations : workloads;
  const colItems = opts.transpose ? workloads : destinations;
  const rowOf = opts.transpose ? dIdx : wIdx;
  const colOf = opts.transpose ? wIdx : dIdx;
  const rank = (items: AxisItem[], sorted: AxisItem[]) => {
    const pos = new Map(sorted.map((item, k) => [item, k]));
    return Int32Array.from(items, (item) => pos.get(item) ?? -1);
  };
  const rows = sortItems(rowItems.filter(match(opts.rowFilter)), opts.sortRows, !opts.transpose);
  const cols = sortItems(colItems.filter(match(opts.columnFilter)), opts.sortColumns, opts.transpose);
  const rowRank = rank(rowItems, rows);
  const colRank = rank(colItems, cols);
  const ncols = cols.length;

  const dense = rows.length * ncols <= DENSE_LIMIT ? new Int32Array(rows.length * ncols).fill(-1) : undefined;
  const sparse = dense ? undefined : new Map<number, number>();
  const cellRow = new Int32Array(n);
  const cellCol = new Int32Array(n);
  const blocked = new Float64Array(n);
  const allowed = new Float64Array(n);
  const bytes = new Float64Array(n);
  const flags = new Uint8Array(n);
  const first = new Int32Array(n);
  const next = new Int32Array(n).fill(-1);
  let count = 0;
  let maxVolume = 0;
  for (let i = 0; i < n; i++) {
    const r = rowRank[rowOf[i]];
    const c = colRank[colOf[i]];
    if (r < 0 || c < 0) {
      continue;
    }
    const at = r * ncols + c;
    let m = dense ? dense[at] : (sparse!.get(at) ?? -1);
    if (m < 0) {
      m = count++;
      if (dense) {
        dense[at] = m;
      } else {
        sparse!.set(at, m);
      }
      cellRow[m] = r;
      cellCol[m] = c;
      first[m] = -1;
    }
    const v = volume[i];
    if (verdict[i] === 0) {
      blocked[m] += v;
      flags[m] |= SEEN_BLOCKED;
    } else {
      allowed[m] += v;
      flags[m] |= SEEN_ALLOWED;
    }
    bytes[m] += tableBytes[i];
    next[i] = first[m];
    first[m] = i;
    maxVolume = Math.max(maxVolume, blocked[m] + allowed[m]);
  }

  const indexOf = dense
    ? (row: number, col: number) =>
        row < 0 || col < 0 || row >= rows.length || col >= ncols ? -1 : dense[row * ncols + col]
    : (row: number, col: number) => sparse!.get(row * ncols + col) ?? -1;
  return {
    rows,
    cols,
    cellCount: count,
    maxVolume,
    indexOf,
    seenAllowed: (m) => (flags[m] & SEEN_ALLOWED) !== 0,
    paletteOf: (m, levels) => paletteFor(blocked[m], allowed[m], flags[m], bytes[m], maxVolume, levels),
    cell: (m) => {
      const sources: EgressCell[] = [];
      for (let i = first[m]; i >= 0; i = next[i]) {
        sources.push(t.cell(i));
      }
      sources.reverse();
      return {
        row: cellRow[m],
        col: cellCol[m],
        blocked: blocked[m],
        allowed: allowed[m],
        seenBlocked: (flags[m] & SEEN_BLOCKED) !== 0,
        seenAllowed: (flags[m] & SEEN_ALLOWED) !== 0,
        bytes: bytes[m],
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

function paletteFor(
  blocked: number,
  allowed: number,
  flags: number,
  bytes: number,
  maxVolume: number,
  levels: number
): number {
  const cls = flags === (SEEN_BLOCKED | SEEN_ALLOWED) ? 2 : flags === SEEN_BLOCKED ? 0 : 1;
  const volume = blocked + allowed;
  // Bytes alone (a long-lived connection) is traffic: the faintest fill, never the "no traffic" outline.
  const level = volume === 0 && bytes > 0 ? 1 : intensityLevel(volume, maxVolume, levels);
  return cls * (levels + 1) + level;
}

export function paletteIndex(m: MatrixCell, maxVolume: number, levels: number): number {
  return paletteFor(
    m.blocked,
    m.allowed,
    (m.seenBlocked ? SEEN_BLOCKED : 0) | (m.seenAllowed ? SEEN_ALLOWED : 0),
    m.bytes,
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
