import type { EgressCell, Listener, Verdict } from '../../query';

/**
 * Matrix input as columns: the frame's own value arrays, read in place, plus the rows that carry a
 * verdict. A million cells cost a few typed arrays, not a million objects; `cell(i)` builds the object
 * for one row when a tooltip or the ServiceEntry YAML needs it.
 */
export interface CellTable {
  length: number;
  sourceNamespace(i: number): string;
  sourceWorkload(i: number): string;
  destination(i: number): string;
  destinationName(i: number): string | undefined;
  /** 0 blackhole, 1 passthrough. */
  verdict: Uint8Array;
  requests: Float64Array;
  connections: Float64Array;
  bytes: Float64Array;
  /** The source columns and row map, for hot loops that read strings without a call per row. */
  raw: { rows: Int32Array; ns?: ArrayLike<unknown>; wl: ArrayLike<unknown>; dest: ArrayLike<unknown> };
  cell(i: number): EgressCell & { destinationName?: string; codesText?: string };
}

export const VERDICT_CODE: Record<Verdict, number> = { blackhole: 0, passthrough: 1 };

function text(col: ArrayLike<unknown> | undefined, r: number, fallback: string): string {
  const v = col?.[r];
  return v === undefined || v === null || v === '' ? fallback : typeof v === 'string' ? v : String(v);
}

export interface TableColumns {
  rows: Int32Array;
  verdict: Uint8Array;
  ns?: ArrayLike<unknown>;
  wl: ArrayLike<unknown>;
  dest: ArrayLike<unknown>;
  destName?: ArrayLike<unknown>;
  listener?: ArrayLike<unknown>;
  requests: Float64Array;
  connections: Float64Array;
  bytesSent?: ArrayLike<unknown>;
  bytesReceived?: ArrayLike<unknown>;
  port?: ArrayLike<unknown>;
  codes?: ArrayLike<unknown>;
}

export function columnTable(c: TableColumns): CellTable {
  const n = c.rows.length;
  const bytes = new Float64Array(n);
  if (c.bytesSent || c.bytesReceived) {
    for (let i = 0; i < n; i++) {
      const r = c.rows[i];
      bytes[i] = (Number(c.bytesSent?.[r]) || 0) + (Number(c.bytesReceived?.[r]) || 0);
    }
  }
  const t: CellTable = {
    length: n,
    sourceNamespace: (i) => text(c.ns, c.rows[i], 'unknown'),
    sourceWorkload: (i) => text(c.wl, c.rows[i], 'unknown'),
    destination: (i) => text(c.dest, c.rows[i], 'unknown'),
    destinationName: (i) => {
      const v = c.destName?.[c.rows[i]];
      return v ? String(v) : undefined;
    },
    verdict: c.verdict,
    requests: c.requests,
    connections: c.connections,
    bytes,
    raw: { rows: c.rows, ns: c.ns, wl: c.wl, dest: c.dest },
    cell: (i) => {
      const r = c.rows[i];
      const out: EgressCell & { destinationName?: string; codesText?: string } = {
        sourceNamespace: t.sourceNamespace(i),
        sourceWorkload: t.sourceWorkload(i),
        destination: t.destination(i),
        verdict: c.verdict[i] === 0 ? 'blackhole' : 'passthrough',
        listener: (c.listener ? text(c.listener, r, 'http') : 'http') as Listener,
        requests: c.requests[i],
        connections: c.connections[i],
        bytesSent: Number(c.bytesSent?.[r]) || 0,
        bytesReceived: Number(c.bytesReceived?.[r]) || 0,
      };
      const port = c.port?.[r];
      if (port !== null && port !== undefined && port !== '') {
        out.port = Number(port);
      }
      const name = t.destinationName(i);
      if (name) {
        out.destinationName = name;
      }
      if (c.codes?.[r]) {
        out.codesText = String(c.codes[r]);
      }
      return out;
    },
  };
  return t;
}

/** A table over plain cell objects (tests, and anything that already holds cells). */
export function tableFromCells(
  cells: ReadonlyArray<EgressCell & { destinationName?: string; codesText?: string }>
): CellTable {
  const rows = Int32Array.from(cells, (_, i) => i);
  return columnTable({
    rows,
    verdict: Uint8Array.from(cells, (c) => VERDICT_CODE[c.verdict]),
    ns: cells.map((c) => c.sourceNamespace),
    wl: cells.map((c) => c.sourceWorkload),
    dest: cells.map((c) => c.destination),
    destName: cells.map((c) => c.destinationName ?? ''),
    listener: cells.map((c) => c.listener),
    requests: Float64Array.from(cells, (c) => c.requests),
    connections: Float64Array.from(cells, (c) => c.connections),
    bytesSent: cells.map((c) => c.bytesSent),
    bytesReceived: cells.map((c) => c.bytesReceived),
    port: cells.map((c) => c.port ?? null),
    codes: cells.map((c) => c.codesText ?? ''),
  });
}
