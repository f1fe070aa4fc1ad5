import { cellVolume, type EgressCell } from '../../query';
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

export interface MatrixModel {
  rows: AxisItem[];
  cols: AxisItem[];
  cells: MatrixCell[];
  /** rows × cols → index into cells, or -1 for an empty cell: O(1) lookup for hit-testing. */
  index: Int32Array;
  maxVolume: number;
}

type Extra = EgressCell & { destinationName?: string };

const destinationLabel = (c: Extra) => (c.destinationName ? `${c.destinationName} (${c.destination})` : c.destination);

function share(blocked: number, total: number): number {
  return total ? blocked / total : 0;
}

/** Sorts items; grouped items keep their group together, groups ordered by the same key as items. */
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

/**
 * Groups cells into the workload × destination matrix: sorted, filtered and (optionally) transposed.
 * Pure and DOM-free, so layout, sorting and hit-testing are unit-tested without a canvas.
 */
export interface BuildOptions extends Pick<
  MatrixOptions,
  'transpose' | 'sortRows' | 'sortColumns' | 'rowFilter' | 'columnFilter'
> {
  /** Namespaces folded into one row (group bands the user collapsed). */
  collapsedGroups?: ReadonlySet<string>;
}

export function buildMatrix(cells: readonly EgressCell[], opts: BuildOptions): MatrixModel {
  const workloads = new Map<string, AxisItem>();
  const destinations = new Map<string, AxisItem>();
  const collapsed = opts.collapsedGroups ?? new Set<string>();
  const members = new Map<string, Set<string>>();
  const workloadKey = (c: EgressCell) =>
    collapsed.has(c.sourceNamespace) ? `${c.sourceNamespace}/*` : `${c.sourceNamespace}/${c.sourceWorkload}`;
  for (const c of cells as Extra[]) {
    if (collapsed.has(c.sourceNamespace)) {
      const set = members.get(c.sourceNamespace) ?? new Set<string>();
      set.add(c.sourceWorkload);
      members.set(c.sourceNamespace, set);
    }
    const v = cellVolume(c);
    const blocked = c.verdict === 'blackhole' ? v : 0;
    const w = workloads.get(workloadKey(c)) ?? {
      key: workloadKey(c),
      label: c.sourceWorkload,
      group: c.sourceNamespace,
      total: 0,
      blocked: 0,
    };
    w.total += v;
    w.blocked += blocked;
    workloads.set(w.key, w);
    const d = destinations.get(c.destination) ?? {
      key: c.destination,
      label: destinationLabel(c),
      group: '',
      total: 0,
      blocked: 0,
    };
    d.total += v;
    d.blocked += blocked;
    destinations.set(d.key, d);
  }
  for (const [ns, set] of members) {
    const item = workloads.get(`${ns}/*`);
    if (item) {
      item.label = `▸ ${set.size} workload${set.size === 1 ? '' : 's'}`;
    }
  }
  for (const [ns, set] of members) {
    const item = workloads.get(`${ns}/*`);
    if (item) {
      item.label = `▸ ${set.size} workload${set.size === 1 ? '' : 's'}`;
    }
  }
  const match = (filter: string) => {
    const f = filter.trim().toLowerCase();
    return (i: AxisItem) => !f || i.label.toLowerCase().includes(f) || i.group.toLowerCase().includes(f);
  };
  const rowSource = opts.transpose ? destinations : workloads;
  const colSource = opts.transpose ? workloads : destinations;
  const rows = sortItems(Array.from(rowSource.values()).filter(match(opts.rowFilter)), opts.sortRows, !opts.transpose);
  const cols = sortItems(
    Array.from(colSource.values()).filter(match(opts.columnFilter)),
    opts.sortColumns,
    opts.transpose
  );
  const rowIdx = new Map(rows.map((r, i) => [r.key, i]));
  const colIdx = new Map(cols.map((c, i) => [c.key, i]));
  const index = new Int32Array(rows.length * cols.length).fill(-1);
  const out: MatrixCell[] = [];
  let maxVolume = 0;
  for (const c of cells) {
    const rk = opts.transpose ? c.destination : workloadKey(c);
    const ck = opts.transpose ? workloadKey(c) : c.destination;
    const r = rowIdx.get(rk);
    const k = colIdx.get(ck);
    if (r === undefined || k === undefined) {
      continue;
    }
    const at = r * cols.length + k;
    let m = index[at] >= 0 ? out[index[at]] : undefined;
    if (!m) {
      m = { row: r, col: k, blocked: 0, allowed: 0, seenBlocked: false, seenAllowed: false, bytes: 0, sources: [] };
      index[at] = out.length;
      out.push(m);
    }
    const v = cellVolume(c);
    if (c.verdict === 'blackhole') {
      m.blocked += v;
      m.seenBlocked = true;
    } else {
      m.allowed += v;
      m.seenAllowed = true;
    }
    m.bytes += c.bytesSent + c.bytesReceived;
    m.sources.push(c);
    maxVolume = Math.max(maxVolume, m.blocked + m.allowed);
  }
  return { rows, cols, cells: out, index, maxVolume };
}

export type VerdictClass = 0 | 1 | 2;
export const VERDICT_CLASS = { blackhole: 0, passthrough: 1, both: 2 } as const;

export function verdictClass(m: MatrixCell): VerdictClass {
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

export function paletteIndex(m: MatrixCell, maxVolume: number, levels: number): number {
  const volume = m.blocked + m.allowed;
  // Bytes alone (a long-lived connection) is traffic: the faintest fill, never the "no traffic" outline.
  const level = volume === 0 && m.bytes > 0 ? 1 : intensityLevel(volume, maxVolume, levels);
  return verdictClass(m) * (levels + 1) + level;
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
  const i = model.index[row * model.cols.length + col];
  return { row, col, cell: i >= 0 ? model.cells[i] : undefined };
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
