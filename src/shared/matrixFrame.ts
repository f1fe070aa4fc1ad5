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
