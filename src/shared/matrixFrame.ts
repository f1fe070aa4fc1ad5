import type { PairScope } from '../query';

/**
 * The matrix frame's field names: the contract between the data source (src/datasource/frames.ts writes
 * them in this order), the matrix panel (src/panel/model/readFrame.ts reads them by these names) and the
 * dashboards' transformations (src/provisioning/dashboards.ts). Renaming one here breaks the typecheck of
 * every reader, not a dashboard at run time.
 */
export const MATRIX_FIELDS = [
  'sourceNamespace',
  'sourceWorkload',
  'destination',
  'destinationName',
  'verdict',
  'listener',
  'requests',
  'connections',
  'bytesSent',
  'bytesReceived',
  'port',
  'responseCodes',
  'category',
  'reason',
] as const;

export type MatrixField = (typeof MATRIX_FIELDS)[number];

/** The field a matrix frame has first when its cells are per source cluster (the query's "By cluster"). */
export const MATRIX_CLUSTER_FIELD = 'sourceCluster';

/** What the matrix frame carries beyond its fields (`meta.custom`), written by the data source, read by the panel. */
export interface MatrixFrameCustom {
  kind: typeof MATRIX_FRAME_KIND;
  /** The instant queries that counted the cells. */
  queries: Array<{ id: string; expr: string }>;
  /** The query's matchers and IP label, so the panel writes one cell's PromQL (Explore this pair) with them. */
  scope: PairScope;
  /** The query as one alertable expression on the Prometheus data source set for alerting. */
  alertRule?: { expr: string; datasourceUid: string; title: string };
}

const MATRIX_FRAME_KIND = 'istio-egress-matrix';

/** The data source's side of the contract. */
export function matrixFrameCustom(custom: Omit<MatrixFrameCustom, 'kind'>): MatrixFrameCustom {
  return { kind: MATRIX_FRAME_KIND, ...custom };
}

/**
 * The panel's side: what the data source put on the first matrix frame of `series`, checked field by field
 * (a saved snapshot or a plain Prometheus table has none, or an older shape); undefined when there is none.
 */
export function readMatrixFrameCustom(
  series: ReadonlyArray<{ meta?: { custom?: Record<string, unknown> } }>
): Omit<MatrixFrameCustom, 'queries'> | undefined {
  const custom = series.find((f) => f.meta?.custom?.kind === MATRIX_FRAME_KIND)?.meta?.custom;
  if (!custom) {
    return undefined;
  }
  const scope = (typeof custom.scope === 'object' && custom.scope !== null ? custom.scope : {}) as PairScope;
  const rule = custom.alertRule as { expr?: unknown; datasourceUid?: unknown; title?: unknown } | undefined;
  return {
    kind: MATRIX_FRAME_KIND,
    scope,
    alertRule:
      rule && typeof rule.expr === 'string' && typeof rule.datasourceUid === 'string'
        ? { expr: rule.expr, datasourceUid: rule.datasourceUid, title: String(rule.title ?? 'Istio egress') }
        : undefined,
  };
}
