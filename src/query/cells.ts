import { CatchAllClassifier, type Category, type Classified } from './categories';
import { parseDestination } from './destination';
import { LABEL, type Listener, UNKNOWN, type Verdict, VERDICTS, verdictOfCluster } from './labels';
import { countOf } from './counts';
import type { EgressQuery, Measure } from './measures';

/**
 * One (source workload, destination, verdict, listener) pair and what moved through it. Every adapter
 * (data source frames, panel, CLI, ServiceEntry generation) works from this one model.
 */
export interface EgressCell {
  /** The caller's cluster (`source_cluster`), only when the scope splits by cluster (`byCluster`). */
  sourceCluster?: string;
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
  /** `external` unless the traffic is in-mesh, registered or ambient (categories.ts). */
  category: Category;
  /** Why a cell is not plain external egress: shown in tooltips and the CLI's JSON. */
  reason?: string;
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

/**
 * One destination of one listener (a port makes another), as every map of destinations keys it: the new
 * destinations' look-back and first-seen times, the top destinations, what a switch blocked, table rows.
 */
export function destinationKey(listener: string, destination: string, port?: number): string {
  return port === undefined ? `${listener}\u0000${destination}` : `${listener}\u0000${destination}\u0000${port}`;
}

export function cellKey(
  c: Pick<
    EgressCell,
    'sourceCluster' | 'sourceNamespace' | 'sourceWorkload' | 'destination' | 'port' | 'verdict' | 'listener'
  > & {
    category?: Category;
  }
): string {
  return JSON.stringify([
    c.sourceCluster ?? null,
    c.sourceNamespace,
    c.sourceWorkload,
    c.destination,
    c.port ?? null,
    c.verdict,
    c.listener,
    c.category ?? 'external',
  ]);
}

/** A sample as a count (counts.ts), or undefined where it is none. */
const sampleCount = (s: VectorSample): number | undefined => countOf(s.value?.[1]);

export interface ShapeOptions {
  /** Classifies catch-all series; default: no in-cluster ranges, no known namespaces. */
  classifier?: CatchAllClassifier;
  /** Categories to keep; the others are counted in `excluded`. Default: external only. */
  include?: ReadonlySet<Category>;
  /** Verdicts to keep (waypoint series carry both); default both. */
  verdicts?: readonly Verdict[];
  /** The queries kept `source_cluster` (scope.byCluster): cells are per cluster, and say which. */
  byCluster?: boolean;
}

export interface ShapedCells {
  cells: EgressCell[];
  /** Series no selector of ours should have returned (the API ignored part of a selector). */
  foreign: number;
  /** Pairs of categories that were not asked for, by category: said, never dropped unseen. */
  excluded: Partial<Record<Category, number>>;
  /** Samples whose value is no count (NaN, ±Inf, negative): counted as 0, and said. */
  invalid: number;
  /**
   * Each destination's label values as the series spell them (`destinationKey`; '' where the label is
   * missing), so that a query for a few destinations names them literally: Prometheus matches a plain
   * alternation as a set, where the destination filter's any-case regex is run on every value of the label.
   */
  spellings: Map<string, Set<string>>;
}

const AMBIENT_REASON =
  'ztunnel passthrough: ambient mode records no destination address (istio/ztunnel#1600) and has no REGISTRY_ONLY';

/** Verdict, category and destination text of one sample, or undefined for a series that is not ours. */
function readSample(
  query: EgressQuery,
  metric: Record<string, string>,
  classifier: CatchAllClassifier
): ({ verdict: Verdict; raw: string | undefined } & Classified) | undefined {
  const raw = query.destinationLabel ? metric[query.destinationLabel] : undefined;
  const dsn = metric[LABEL.clusterName];
  const facts = (verdict: Verdict) => ({
    listener: query.listener,
    verdict,
    destination: raw ? parseDestination(raw) : undefined,
    destinationWorkload: metric[LABEL.destinationWorkload],
    destinationWorkloadNamespace: metric[LABEL.destinationWorkloadNamespace],
    sourceNamespace: metric[LABEL.sourceNamespace],
  });
  switch (query.shape) {
    case 'catchAll': {
      const verdict = verdictOfCluster(dsn);
      return verdict ? { verdict, raw, ...classifier.classify(facts(verdict)) } : undefined;
    }
    case 'dynamicDns':
      // With no service behind the cluster, both labels come from the Host header (istio_stats.cc).
      if (!raw || dsn !== raw) {
        return undefined;
      }
      return { verdict: 'passthrough', raw, ...classifier.classify(facts('passthrough')) };
    case 'registered': {
      const viaGateway = raw !== undefined && dsn !== undefined && !sameHost(dsn, raw);
      return {
        verdict: 'passthrough',
        raw,
        category: 'registered',
        reason: viaGateway
          ? `through egress gateway ${dsn}: the gateway's own series name the external hosts`
          : 'registered by a ServiceEntry',
      };
    }
    case 'ambient':
      return { verdict: 'passthrough', raw: undefined, category: 'ambient', reason: AMBIENT_REASON };
    case 'waypoint': {
      const denied = metric[LABEL.responseCode] === '403';
      return {
        verdict: denied ? 'blackhole' : 'passthrough',
        raw,
        category: 'ambient',
        reason: denied
          ? 'denied by an AuthorizationPolicy at the egress waypoint (403)'
          : 'allowed by the egress waypoint',
      };
    }
  }
}

/** A ServiceEntry's service name is its host; a gateway's is a short name beside its FQDN. */
function sameHost(name: string, host: string): boolean {
  return name === host || parseDestination(host).host === name.toLowerCase();
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

/** A destination label's value as a cell names it: host and port, `unknown` when there is no address. */
export function cellDestination(raw: string | undefined): { host: string; port?: number } {
  const parsed = raw ? parseDestination(raw) : undefined;
  return { host: parsed?.host || UNKNOWN, port: parsed?.port };
}

/**
 * Folds the matrix queries' samples into cells, classifying each series (categories.ts). Samples that no
 * selector of ours could return are counted in `foreign`; categories that were not asked for are counted
 * in `excluded`; neither is dropped unseen, so a caller can say so.
 *
 * Label values are interned: a million cells share a few thousand strings instead of holding three
 * million (each parsed from the response on its own), and whoever compares them next (the sort below,
 * the matrix panel) finds equal values by identity. Cells are keyed by the small ids, not by the text.
 */
export function shapeCells(results: readonly QueryResult[], opts: ShapeOptions = {}): ShapedCells {
  const cells = new Map<string, EgressCell>();
  const namespaces = new Dictionary();
  const workloads = new Dictionary();
  const hosts = new Dictionary();
  const clusters = new Dictionary();
  const codes = new Map<EgressCell, Map<string, number>>();
  const classifier = opts.classifier ?? new CatchAllClassifier(undefined);
  const include = opts.include ?? new Set<Category>(['external']);
  const verdicts = opts.verdicts ?? VERDICTS;
  const excluded = new Map<Category, Set<string>>();
  const spellings = new Map<string, Set<string>>();
  let foreign = 0;
  let invalid = 0;
  for (const { query, samples } of results) {
    const listener = query.listener;
    for (const s of samples) {
      const read = readSample(query, s.metric, classifier);
      if (!read) {
        foreign++;
        continue;
      }
      const { verdict, category } = read;
      if (!verdicts.includes(verdict)) {
        continue;
      }
      const named = cellDestination(read.raw);
      const ns = namespaces.id(s.metric[LABEL.sourceNamespace] || UNKNOWN);
      const wl = workloads.id(s.metric[LABEL.sourceWorkload] || UNKNOWN);
      const host = hosts.id(named.host);
      const port = named.port;
      const cl = opts.byCluster ? clusters.id(s.metric[LABEL.sourceCluster] || UNKNOWN) : -1;
      const key = `${cl},${ns},${wl},${host},${port ?? ''},${verdict},${listener},${category}`;
      if (!include.has(category)) {
        const keys = excluded.get(category) ?? new Set<string>();
        keys.add(key);
        excluded.set(category, keys);
        continue;
      }
      let cell = cells.get(key);
      if (!cell) {
        const sourceNamespace = namespaces.values[ns];
        const sourceWorkload = workloads.values[wl];
        const destination = hosts.values[host];
        // Literal shapes rather than a `delete`, which would turn every cell into a slow dictionary.
        if (read.reason === undefined) {
          cell =
            port === undefined
              ? { sourceNamespace, sourceWorkload, destination, verdict, listener, category, ...ZERO }
              : { sourceNamespace, sourceWorkload, destination, port, verdict, listener, category, ...ZERO };
        } else {
          const reason = read.reason;
          cell =
            port === undefined
              ? { sourceNamespace, sourceWorkload, destination, verdict, listener, category, reason, ...ZERO }
              : { sourceNamespace, sourceWorkload, destination, port, verdict, listener, category, reason, ...ZERO };
        }
        if (cl >= 0) {
          cell.sourceCluster = clusters.values[cl];
        }
        cells.set(key, cell);
      }
      const spelled = destinationKey(listener, cell.destination, port);
      let spelling = spellings.get(spelled);
      if (!spelling) {
        spelling = new Set();
        spellings.set(spelled, spelling);
      }
      spelling.add(read.raw ?? '');
      const value = sampleCount(s);
      if (value === undefined) {
        invalid++;
      }
      addMeasure(cell, query.measure, value ?? 0, s.metric[LABEL.responseCode], codes);
    }
  }
  for (const [cell, byCode] of codes) {
    cell.responseCodes = codesObject(byCode);
  }
  return {
    cells: sortCells(Array.from(cells.values())),
    foreign,
    excluded: Object.fromEntries(Array.from(excluded, ([c, keys]) => [c, keys.size])),
    invalid,
    spellings,
  };
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
    // Counts are finite (sampleCount), so their decimal text is valid JSON.
    json += `${json ? ',' : '{'}${JSON.stringify(code)}:${count}`;
  }
  return JSON.parse(`${json}}`);
}

/** A stable order (cluster, namespace, workload, destination, port, verdict, listener, category), so output diffs cleanly. */
function sortCells(cells: EgressCell[]): EgressCell[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return cells.sort(
    (a, b) =>
      cmp(a.sourceCluster ?? '', b.sourceCluster ?? '') ||
      cmp(a.sourceNamespace, b.sourceNamespace) ||
      cmp(a.sourceWorkload, b.sourceWorkload) ||
      cmp(a.destination, b.destination) ||
      (a.port ?? 0) - (b.port ?? 0) ||
      cmp(a.verdict, b.verdict) ||
      cmp(a.listener, b.listener) ||
      cmp(a.category, b.category)
  );
}

/**
 * A cell's volume, the one measure of "how much traffic" everywhere: requests plus connections, the
 * events a caller made. The panel's intensity and folds, the destination limit's top N and a lock-down's
 * readiness all rank by it; bytes are only a tie-break (a connection's bytes say how big, not how often).
 */
export function volume(requests: number, connections: number): number {
  return requests + connections;
}

export function cellVolume(c: Pick<EgressCell, 'requests' | 'connections'>): number {
  return volume(c.requests, c.connections);
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
