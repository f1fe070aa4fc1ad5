import { parseDestination } from './destination';
import { LABEL, type Listener, UNKNOWN, type Verdict, verdictOfCluster } from './labels';
import type { EgressQuery, Measure } from './templates';

/**
 * One (source workload, destination, verdict, listener) pair and what moved through it. Every adapter
 * (data source frames, panel, CLI, ServiceEntry generation) works from this one model.
 */
export interface EgressCell {
  sourceNamespace: string;
  sourceWorkload: string;
  /** Host (HTTP) or IP address (TCP), without port; `unknown` when the series has no such label. */
  destination: string;
  verdict: Verdict;
  listener: Listener;
  requests: number;
  connections: number;
  bytesSent: number;
  bytesReceived: number;
  /** From `IP:port` or `host:port` values; absent when the metrics do not say. */
  port?: number;
  /** HTTP only: requests by response code. */
  responseCodes?: Record<string, number>;
}

/** A Prometheus instant-vector sample as the HTTP API returns it. */
export interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface QueryResult {
  query: EgressQuery;
  samples: readonly VectorSample[];
}

export function cellKey(
  c: Pick<EgressCell, 'sourceNamespace' | 'sourceWorkload' | 'destination' | 'port' | 'verdict' | 'listener'>
): string {
  return JSON.stringify([c.sourceNamespace, c.sourceWorkload, c.destination, c.port ?? null, c.verdict, c.listener]);
}

/** Prometheus writes +Inf/NaN as strings; a counter increase is never either, so they count as 0. */
function sampleValue(s: VectorSample): number {
  const v = Number(s.value[1]);
  return Number.isFinite(v) ? v : 0;
}

export interface ShapeOptions {
  ipLabel: string;
}

const ZERO = { requests: 0, connections: 0, bytesSent: 0, bytesReceived: 0 } as const;

/** One string object per distinct label value, and a small number for it. */
class Dictionary {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }
}

/**
 * Folds the matrix queries' samples into cells. Samples whose `destination_service_name` is not one of the
 * two verdict clusters cannot come from our selectors; they are counted in `foreign` rather than dropped
 * unseen, so a caller can say so.
 *
 * Label values are interned: a million cells share a few thousand strings instead of holding three
 * million (each parsed from the response on its own), and whoever compares them next (the sort below,
 * the matrix panel) finds equal values by identity. Cells are keyed by the small ids, not by the text.
 */
export function shapeCells(
  results: readonly QueryResult[],
  opts: ShapeOptions
): { cells: EgressCell[]; foreign: number } {
  const cells = new Map<string, EgressCell>();
  const namespaces = new Dictionary();
  const workloads = new Dictionary();
  const hosts = new Dictionary();
  const codes = new Map<EgressCell, Map<string, number>>();
  let foreign = 0;
  for (const { query, samples } of results) {
    const destLabel = query.listener === 'http' ? LABEL.destinationService : opts.ipLabel;
    const listener = query.listener;
    for (const s of samples) {
      const verdict = verdictOfCluster(s.metric[LABEL.clusterName]);
      if (!verdict) {
        foreign++;
        continue;
      }
      const rawDest = s.metric[destLabel];
      const parsed = rawDest ? parseDestination(rawDest) : undefined;
      const ns = namespaces.id(s.metric[LABEL.sourceNamespace] || UNKNOWN);
      const wl = workloads.id(s.metric[LABEL.sourceWorkload] || UNKNOWN);
      const host = hosts.id(parsed?.host || UNKNOWN);
      const port = parsed?.port;
      const key = `${ns},${wl},${host},${port ?? ''},${verdict},${listener}`;
      let cell = cells.get(key);
      if (!cell) {
        const sourceNamespace = namespaces.values[ns];
        const sourceWorkload = workloads.values[wl];
        const destination = hosts.values[host];
        // Two literal shapes rather than a `delete`, which would turn every cell into a slow dictionary.
        cell =
          port === undefined
            ? { sourceNamespace, sourceWorkload, destination, verdict, listener, ...ZERO }
            : { sourceNamespace, sourceWorkload, destination, port, verdict, listener, ...ZERO };
        cells.set(key, cell);
      }
      addMeasure(cell, query.measure, sampleValue(s), s.metric[LABEL.responseCode], codes);
    }
  }
  for (const [cell, byCode] of codes) {
    cell.responseCodes = codesObject(byCode);
  }
  return { cells: sortCells(Array.from(cells.values())), foreign };
}

function addMeasure(
  cell: EgressCell,
  measure: Measure,
  value: number,
  responseCode: string | undefined,
  codes: Map<EgressCell, Map<string, number>>
) {
  cell[measure] += value;
  if (measure === 'requests') {
    const code = responseCode || UNKNOWN;
    let byCode = codes.get(cell);
    if (!byCode) {
      byCode = new Map();
      codes.set(cell, byCode);
    }
    byCode.set(code, (byCode.get(code) ?? 0) + value);
  }
}

/**
 * `{ "200": n }` built by assignment makes V8 give the object an array store up to index 200 (2.6 KB;
 * 6 KB for a 502): a million HTTP cells ran the heap out. Parsed from JSON, the same object takes 0.2 KB.
 */
function codesObject(byCode: Map<string, number>): Record<string, number> {
  let json = '';
  for (const [code, count] of byCode) {
    // Counts are finite (sampleValue), so their decimal text is valid JSON.
    json += `${json ? ',' : '{'}${JSON.stringify(code)}:${count}`;
  }
  return JSON.parse(`${json}}`);
}

/** A stable order (namespace, workload, destination, port, verdict, listener), so output diffs cleanly. */
export function sortCells(cells: EgressCell[]): EgressCell[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return cells.sort(
    (a, b) =>
      cmp(a.sourceNamespace, b.sourceNamespace) ||
      cmp(a.sourceWorkload, b.sourceWorkload) ||
      cmp(a.destination, b.destination) ||
      (a.port ?? 0) - (b.port ?? 0) ||
      cmp(a.verdict, b.verdict) ||
      cmp(a.listener, b.listener)
  );
}

/** Requests plus connections: what the panel's intensity and "top N" rank by. */
export function cellVolume(c: Pick<EgressCell, 'requests' | 'connections'>): number {
  return c.requests + c.connections;
}

/** Rounds extrapolated increases to 3 decimals so output is stable and readable. */
export function roundCounts(cell: EgressCell): EgressCell {
  const r = (v: number) => Math.round(v * 1000) / 1000;
  const out: EgressCell = {
    ...cell,
    requests: r(cell.requests),
    connections: r(cell.connections),
    bytesSent: r(cell.bytesSent),
    bytesReceived: r(cell.bytesReceived),
  };
  if (cell.responseCodes) {
    out.responseCodes = Object.fromEntries(Object.entries(cell.responseCodes).map(([k, v]) => [k, r(v)]));
  }
  return out;
}
