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

/**
 * Folds the matrix queries' samples into cells. Samples whose `destination_service_name` is not one of the
 * two verdict clusters cannot come from our selectors; they are counted in `foreign` rather than dropped
 * unseen, so a caller can say so.
 */
export function shapeCells(
  results: readonly QueryResult[],
  opts: ShapeOptions
): { cells: EgressCell[]; foreign: number } {
  const cells = new Map<string, EgressCell>();
  let foreign = 0;
  for (const { query, samples } of results) {
    const destLabel = query.listener === 'http' ? LABEL.destinationService : opts.ipLabel;
    for (const s of samples) {
      const verdict = verdictOfCluster(s.metric[LABEL.clusterName]);
      if (!verdict) {
        foreign++;
        continue;
      }
      const rawDest = s.metric[destLabel];
      const parsed = rawDest ? parseDestination(rawDest) : undefined;
      const identity = {
        sourceNamespace: s.metric[LABEL.sourceNamespace] || UNKNOWN,
        sourceWorkload: s.metric[LABEL.sourceWorkload] || UNKNOWN,
        destination: parsed?.host || UNKNOWN,
        port: parsed?.port,
        verdict,
        listener: query.listener,
      };
      const key = cellKey(identity);
      let cell = cells.get(key);
      if (!cell) {
        cell = { ...identity, requests: 0, connections: 0, bytesSent: 0, bytesReceived: 0 };
        if (identity.port === undefined) {
          delete cell.port;
        }
        cells.set(key, cell);
      }
      addMeasure(cell, query.measure, sampleValue(s), s.metric[LABEL.responseCode]);
    }
  }
  return { cells: sortCells(Array.from(cells.values())), foreign };
}

function addMeasure(cell: EgressCell, measure: Measure, value: number, responseCode: string | undefined) {
  cell[measure] += value;
  if (measure === 'requests') {
    const code = responseCode || UNKNOWN;
    cell.responseCodes = cell.responseCodes ?? {};
    cell.responseCodes[code] = (cell.responseCodes[code] ?? 0) + value;
  }
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
