import { type Category, countOrZero, type EgressCell, isCategory, type Listener } from '../../query';

/** Verdict codes. SKIP marks a row whose verdict is neither cluster: counted, never drawn. */
export const BLACKHOLE = 0;
export const PASSTHROUGH = 1;
export const SKIP = 255;

/** A verdict value as this data source writes it, or as Istio names the cluster in a plain table. */
export function verdictCode(v: unknown): number {
  if (v === 'passthrough' || v === 'PassthroughCluster') {
    return PASSTHROUGH;
  }
  if (v === 'blackhole' || v === 'BlackHoleCluster') {
    return BLACKHOLE;
  }
  return SKIP;
}

/** A cell as the tooltip and the ServiceEntry YAML see it: one input row. */
export type SourceCell = EgressCell & { destinationName?: string; codesText?: string };

/**
 * Matrix input as columns indexed by input row: the frame's own value arrays, read in place (no copy,
 * no object per row, verdicts decoded where they are read). `cell(r)` builds the object for one row when
 * a tooltip or the ServiceEntry YAML needs it.
 */
export interface CellTable {
  /** Rows in the columns, skipped ones included. */
  length: number;
  verdict: ArrayLike<unknown>;
  ns?: ArrayLike<unknown>;
  wl: ArrayLike<unknown>;
  dest: ArrayLike<unknown>;
  destName?: ArrayLike<unknown>;
  listener?: ArrayLike<unknown>;
  /** Dictionaries of enum fields (the data source's label columns): those columns hold indices. */
  dict: {
    ns?: readonly string[];
    wl?: readonly string[];
    dest?: readonly string[];
    listener?: readonly string[];
    verdict?: readonly string[];
  };
  /** Numbers, or anything `Number()` reads as one; missing and null count as 0. */
  requests: ArrayLike<unknown>;
  connections: ArrayLike<unknown>;
  bytesSent?: ArrayLike<unknown>;
  bytesReceived?: ArrayLike<unknown>;
  port?: ArrayLike<unknown>;
  codes?: ArrayLike<unknown>;
  /** categories.ts: absent (plain Prometheus tables) means external. */
  category?: ArrayLike<unknown>;
  reason?: ArrayLike<unknown>;
  cell(r: number): SourceCell;
}

export type TableColumns = Omit<CellTable, 'cell'>;

/**
 * A label value as text: an enum index through its dictionary; empty and missing values are named
 * `fallback`, other types stringified.
 */
export function text(
  col: ArrayLike<unknown> | undefined,
  r: number,
  fallback: string,
  dict?: readonly string[]
): string {
  let v = col?.[r];
  if (dict && typeof v === 'number') {
    v = dict[v];
  }
  return v === undefined || v === null || v === '' ? fallback : typeof v === 'string' ? v : String(v);
}

/** The verdict code of row r. */
export function verdictAt(t: Pick<CellTable, 'verdict' | 'dict'>, r: number): number {
  const v = t.verdict[r];
  return verdictCode(t.dict.verdict && typeof v === 'number' ? t.dict.verdict[v] : v);
}

/** The category of row r; rows without one (plain Prometheus tables) are external. */
export function categoryAt(t: Pick<CellTable, 'category'>, r: number): Category {
  const v = t.category?.[r];
  // Nearly every row is external: answered before the list of categories is searched.
  return v === 'external' ? v : typeof v === 'string' && isCategory(v) ? v : 'external';
}

/** Row r of a count column (src/query/counts.ts): 0 where it is no count, as the fold draws it. */
export const num = (col: ArrayLike<unknown> | undefined, r: number): number => countOrZero(col?.[r]);

export function columnTable(c: TableColumns): CellTable {
  return {
    ...c,
    cell: (r) => {
      const out: SourceCell = {
        sourceNamespace: text(c.ns, r, 'unknown', c.dict.ns),
        sourceWorkload: text(c.wl, r, 'unknown', c.dict.wl),
        destination: text(c.dest, r, 'unknown', c.dict.dest),
        verdict: verdictAt(c, r) === BLACKHOLE ? 'blackhole' : 'passthrough',
        listener: text(c.listener, r, 'http', c.dict.listener) as Listener,
        requests: num(c.requests, r),
        connections: num(c.connections, r),
        bytesSent: num(c.bytesSent, r),
        bytesReceived: num(c.bytesReceived, r),
        category: categoryAt(c, r),
      };
      const reason = c.reason?.[r];
      if (reason) {
        out.reason = String(reason);
      }
      const port = c.port?.[r];
      if (port !== null && port !== undefined && port !== '') {
        out.port = Number(port);
      }
      const name = c.destName?.[r];
      if (name) {
        out.destinationName = String(name);
      }
      if (c.codes?.[r]) {
        out.codesText = String(c.codes[r]);
      }
      return out;
    },
  };
}

/** A table over plain cell objects (tests, and anything that already holds cells). */
export function tableFromCells(cells: readonly SourceCell[]): CellTable {
  return columnTable({
    length: cells.length,
    verdict: cells.map((c) => c.verdict),
    ns: cells.map((c) => c.sourceNamespace),
    wl: cells.map((c) => c.sourceWorkload),
    dest: cells.map((c) => c.destination),
    destName: cells.map((c) => c.destinationName ?? ''),
    listener: cells.map((c) => c.listener),
    requests: cells.map((c) => c.requests),
    connections: cells.map((c) => c.connections),
    bytesSent: cells.map((c) => c.bytesSent),
    bytesReceived: cells.map((c) => c.bytesReceived),
    port: cells.map((c) => c.port ?? null),
    codes: cells.map((c) => c.codesText ?? ''),
    category: cells.map((c) => c.category),
    reason: cells.map((c) => c.reason ?? ''),
    dict: {},
  });
}
