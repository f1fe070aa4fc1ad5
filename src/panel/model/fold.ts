import { volume } from '../../query/cells';
import { countOf, countOrZero } from '../../query/counts';
import { BLACKHOLE, type CellTable, categoryAt, SKIP, text, verdictCode } from './cellTable';

/** One row or column: a source workload (grouped by namespace) or a destination. */
export interface AxisItem {
  key: string;
  label: string;
  /** Namespace for workloads; empty for destinations. */
  group: string;
  total: number;
  blocked: number;
  /** TCP bytes sent and received: a long-lived connection moves bytes with no connection counted. */
  bytes: number;
}

/** What a cell has seen. */
export const SEEN_BLOCKED = 1;
export const SEEN_ALLOWED = 2;
/** TCP bytes moved: traffic even when no connection opened or closed in the range. */
export const SEEN_BYTES = 4;
/** A row of another category than external (in-mesh, registered, ambient: query/categories.ts). */
export const SEEN_NOT_EXTERNAL = 8;
/** A row of external traffic (every row of a table without a category column). */
export const SEEN_EXTERNAL = 16;

/**
 * The verdict code of row r; an enum column is decided once per dictionary entry (`dict`, the codes of
 * its entries), not once per row.
 */
function codeAt(verdict: ArrayLike<unknown>, dict: readonly number[] | undefined, r: number): number {
  const raw = verdict[r];
  return dict && typeof raw === 'number' ? (dict[raw] ?? SKIP) : verdictCode(raw);
}

/** A value as a count (src/query/counts.ts): missing is 0, and so is anything that is no count. */
const asCount = countOrZero;

/** The volume a row adds to its cell (src/query/cells.ts `volume`), counts that are no count as 0. */
export const rowVolume = (t: CellTable, r: number): number => volume(asCount(t.requests[r]), asCount(t.connections[r]));

/** A value that is a count (counts.ts), or missing (null, undefined, ''): anything else is reported. */
const countOrMissing = (v: unknown): boolean => v === undefined || countOf(v) !== undefined;

/**
 * Rows with a number that is no count: drawn as 0 and reported, never left to distort the scale. Column by
 * column, each a plain indexed loop: it runs once per frame, in code V8 has not optimized yet, where a
 * loop over the columns inside the loop over rows (an iterator per row) cost 3 ms at 10k rows.
 */
export function invalidRows(t: CellTable): number {
  let bad: Uint8Array | undefined;
  let invalid = 0;
  for (const c of [t.requests, t.connections, t.bytesSent, t.bytesReceived]) {
    if (!c) {
      continue;
    }
    for (let r = 0, n = Math.min(c.length, t.length); r < n; r++) {
      if (!countOrMissing(c[r])) {
        bad ??= new Uint8Array(t.length);
        invalid += bad[r] === 0 ? 1 : 0;
        bad[r] = 1;
      }
    }
  }
  return invalid;
}

/** The SEEN_* flags of a row whose verdict code is `code`. */
export function rowFlags(t: CellTable, r: number, code: number): number {
  const moved = (t.bytesSent && Number(t.bytesSent[r]) > 0) || (t.bytesReceived && Number(t.bytesReceived[r]) > 0);
  return (
    (code === BLACKHOLE ? SEEN_BLOCKED : SEEN_ALLOWED) |
    (moved ? SEEN_BYTES : 0) |
    (categoryAt(t, r) === 'external' ? SEEN_EXTERNAL : SEEN_NOT_EXTERNAL)
  );
}

/**
 * The workloads and destinations of the rows, interned as they are first met, with their totals. Both
 * folds call it only when a row's workload or destination differs from the one they compared it with,
 * so it stays off the per-row path.
 */
export class Axes {
  readonly workloads: AxisItem[] = [];
  readonly destinations: AxisItem[] = [];
  readonly wTotal: number[] = [];
  readonly wBlocked: number[] = [];
  readonly wBytes: number[] = [];
  /** Per workload: first and last input row, where a cell's rows are looked for. */
  readonly wFirst: number[] = [];
  readonly wLast: number[] = [];
  readonly dTotal: number[] = [];
  readonly dBlocked: number[] = [];
  readonly dBytes: number[] = [];
  /** Workloads by namespace, then name ('*' for a folded namespace): no key string built per lookup. */
  private readonly byNs = new Map<string, Map<string, number>>();
  private readonly dByKey = new Map<string, number>();
  private readonly members = new Map<string, Set<string>>();

  constructor(
    readonly t: CellTable,
    readonly collapsed: ReadonlySet<string>
  ) {}

  /** The workload (row of the matrix) of row r, interned; -1 - w when it was already known as w. */
  intern(r: number): number {
    const ns = text(this.t.ns, r, 'unknown', this.t.dict.ns);
    const wl = text(this.t.wl, r, 'unknown', this.t.dict.wl);
    const folded = this.collapsed.has(ns);
    if (folded) {
      const set = this.members.get(ns) ?? new Set<string>();
      set.add(wl);
      this.members.set(ns, set);
    }
    let inNs = this.byNs.get(ns);
    if (!inNs) {
      inNs = new Map();
      this.byNs.set(ns, inNs);
    }
    const name = folded ? '*' : wl;
    const found = inNs.get(name);
    if (found !== undefined) {
      return -1 - found;
    }
    const w = this.workloads.length;
    inNs.set(name, w);
    this.workloads.push({ key: `${ns}/${name}`, label: wl, group: ns, total: 0, blocked: 0, bytes: 0 });
    this.wTotal.push(0);
    this.wBlocked.push(0);
    this.wBytes.push(0);
    this.wFirst.push(r);
    this.wLast.push(r);
    return w;
  }

  /** The destination of row r, interned. */
  destination(r: number): number {
    const dest = text(this.t.dest, r, 'unknown', this.t.dict.dest);
    const found = this.dByKey.get(dest);
    if (found !== undefined) {
      return found;
    }
    const d = this.destinations.length;
    this.dByKey.set(dest, d);
    const name = text(this.t.destName, r, '');
    this.destinations.push({
      key: dest,
      label: name ? `${name} (${dest})` : dest,
      group: '',
      total: 0,
      blocked: 0,
      bytes: 0,
    });
    this.dTotal.push(0);
    this.dBlocked.push(0);
    this.dBytes.push(0);
    return d;
  }

  /** Counts row r's volume in its workload's and destination's totals. */
  add(r: number, w: number, d: number, v: number, code: number): void {
    this.wLast[w] = r;
    this.wTotal[w] += v;
    this.dTotal[d] += v;
    if (code === BLACKHOLE) {
      this.wBlocked[w] += v;
      this.dBlocked[d] += v;
    }
    const { bytesSent, bytesReceived } = this.t;
    if (bytesSent || bytesReceived) {
      const b = (bytesSent ? asCount(bytesSent[r]) : 0) + (bytesReceived ? asCount(bytesReceived[r]) : 0);
      this.wBytes[w] += b;
      this.dBytes[d] += b;
    }
  }

  /** The workload of row r, already interned. */
  workloadOf(r: number): number {
    const ns = text(this.t.ns, r, 'unknown', this.t.dict.ns);
    const name = this.collapsed.has(ns) ? '*' : text(this.t.wl, r, 'unknown', this.t.dict.wl);
    return this.byNs.get(ns)!.get(name)!;
  }

  /** Whether row r belongs to workload w and goes to destination d (matched by text, not position). */
  holds(r: number, w: number, d: number): boolean {
    return text(this.t.dest, r, 'unknown', this.t.dict.dest) === this.destinations[d].key && this.workloadOf(r) === w;
  }

  /** Writes the totals into the axis items and names folded namespace rows. */
  finish(): void {
    this.workloads.forEach((item, k) => {
      item.total = this.wTotal[k];
      item.blocked = this.wBlocked[k];
      item.bytes = this.wBytes[k];
    });
    this.destinations.forEach((item, k) => {
      item.total = this.dTotal[k];
      item.blocked = this.dBlocked[k];
      item.bytes = this.dBytes[k];
    });
    for (const [ns, set] of this.members) {
      this.workloads[this.byNs.get(ns)!.get('*')!].label = `▸ ${set.size} workload${set.size === 1 ? '' : 's'}`;
    }
  }
}

/**
 * A workload's destinations, by position in its block of rows. Blocks usually list the destinations
 * of the previous block in the same order, so the value at the same position is compared before any
 * hashing.
 */
export class DestinationCursor {
  private readonly raw: unknown[] = [];
  private readonly index: number[] = [];
  private pos = 0;

  constructor(private readonly axes: Axes) {}

  /** A new block starts. */
  restart(): void {
    this.pos = 0;
  }

  /** The destination of row r, whose raw value is `raw`: the next in the block. */
  next(r: number, raw: unknown): number {
    const p = this.pos++;
    if (p < this.raw.length && this.raw[p] === raw) {
      return this.index[p];
    }
    const d = this.axes.destination(r);
    this.raw[p] = raw;
    this.index[p] = d;
    return d;
  }
}

/**
 * The cells of any input, in the order the rows make them: destination, volume and verdicts seen per
 * cell, the workload by runs.
 *
 * Fresh memory page-faults at a few ms per MB on our machines, and a read before the first write faults
 * twice (the zero page, then a copy), so a cell costs 9 bytes, written before it is read, and a row none.
 */
export interface Cells {
  count: number;
  skipped: number;
  cellD: Int32Array;
  /** Requests + connections. Float32: it only picks a color; tooltips sum their rows in Float64. */
  volume: Float32Array;
  flags: Uint8Array;
  /**
   * Cells are made in runs of one workload: run k starts at cell runCell[k] and belongs to workload
   * runW[k]. An input that interleaves workloads makes more runs.
   */
  runCell: number[];
  runW: number[];
  /** Some workload came back after another: a pair may then own two cells, which placeCells merges. */
  revisited: boolean;
}

/**
 * The general fold, for rows in any order: one pass that interns the axes, sums their totals and folds
 * rows into (workload, destination) cells. The previous row's workload is usually this row's: compare the
 * values before touching a Map; destinations go through a DestinationCursor. A destination remembers
 * the last workload that used it and that cell, so a row finds its cell without a lookup; an input that
 * comes back to an earlier workload can make a second cell for a pair, which placeCells merges.
 *
 * Each hot loop is its own small function: V8 optimizes it with complete type feedback instead of
 * deoptimizing one large function at every loop it had not reached yet.
 */
export function foldRows(axes: Axes): Cells {
  const t = axes.t;
  const n = t.length;
  const { verdict, ns: nsCol, wl: wlCol, dest: destCol } = t;
  const verdictDict = t.dict.verdict?.map(verdictCode);
  // Cells never outnumber rows; untouched pages of these cost nothing.
  const cellD = new Int32Array(n);
  const volume = new Float32Array(n);
  const flags = new Uint8Array(n);
  const runCell: number[] = [];
  const runW: number[] = [];
  const dOwner: number[] = [];
  const dCell: number[] = [];
  let revisited = false;
  let lastNs: unknown;
  let lastWl: unknown;
  let w = -1;
  const dests = new DestinationCursor(axes);
  let count = 0;
  let skipped = 0;
  for (let r = 0; r < n; r++) {
    const code = codeAt(verdict, verdictDict, r);
    if (code === SKIP) {
      skipped++;
      continue;
    }
    const nsRaw = nsCol?.[r];
    const wlRaw = wlCol[r];
    if (nsRaw !== lastNs || wlRaw !== lastWl || w < 0) {
      const found = axes.intern(r);
      const next = found < 0 ? -1 - found : found;
      revisited ||= found < 0 && next !== w;
      w = next;
      lastNs = nsRaw;
      lastWl = wlRaw;
      dests.restart();
    }
    const d = dests.next(r, destCol[r]);
    const v = rowVolume(t, r);
    const f = rowFlags(t, r, code);
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
    axes.add(r, w, d, v, code);
  }
  return { count, skipped, cellD, volume, flags, runCell, runW, revisited };
}

/** What the pair fold learns: no cell storage at all. */
export interface Pairs {
  count: number;
  skipped: number;
  /** The largest pair volume, over all pairs. */
  maxVolume: number;
}

/**
 * The fold for what the data source sends: rows sorted by source, then destination, so a pair's rows
 * are adjacent (skipped rows aside) and a workload's rows one block. Then a cell needs no storage: it is
 * named by its pair's first row, and its sums are a walk over the few rows from there. The pass only
 * interns the axes, sums their totals, counts pairs and keeps the largest pair volume: no per-cell
 * memory (9 fresh bytes a cell in the general fold: about half of its time on our machines).
 *
 * Returns undefined, for the general fold to take over, as soon as the input breaks the pattern: a
 * workload that comes back, or a pair met again after another within its workload.
 */
export function foldPairs(axes: Axes): Pairs | undefined {
  const t = axes.t;
  const n = t.length;
  const { verdict, ns: nsCol, wl: wlCol, dest: destCol } = t;
  const verdictDict = t.dict.verdict?.map(verdictCode);
  const dOwner: number[] = [];
  const dests = new DestinationCursor(axes);
  let w = -1;
  let d = -1;
  // The open pair: its raw labels and its volume so far.
  let prevNs: unknown;
  let prevWl: unknown;
  let pDest: unknown;
  let pVolume = 0;
  let count = 0;
  let skipped = 0;
  let maxVolume = 0;
  for (let r = 0; r < n; r++) {
    const code = codeAt(verdict, verdictDict, r);
    if (code === SKIP) {
      skipped++;
      continue;
    }
    const nsRaw = nsCol?.[r];
    const wlRaw = wlCol[r];
    const destRaw = destCol[r];
    const v = rowVolume(t, r);
    if (destRaw !== pDest || wlRaw !== prevWl || nsRaw !== prevNs || w < 0) {
      // A new pair: close the open one.
      if (pVolume > maxVolume) {
        maxVolume = pVolume;
      }
      if (wlRaw !== prevWl || nsRaw !== prevNs || w < 0) {
        const found = axes.intern(r);
        if (found < 0 && -1 - found !== w) {
          return undefined;
        }
        w = found < 0 ? -1 - found : found;
        dests.restart();
      }
      d = dests.next(r, destRaw);
      if (dOwner[d] === w) {
        return undefined;
      }
      dOwner[d] = w;
      count++;
      prevNs = nsRaw;
      prevWl = wlRaw;
      pDest = destRaw;
      pVolume = v;
    } else {
      pVolume += v;
    }
    axes.add(r, w, d, v, code);
  }
  return { count, skipped, maxVolume: pVolume > maxVolume ? pVolume : maxVolume };
}
