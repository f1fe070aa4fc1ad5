import { type EgressCell, shapeCells } from './cells';
import { EgressError } from './errors';
import type { PrometheusApi } from './prometheusApi';
import { type EgressScope, ipLabelOf } from './selectors';
import { type EgressQuery, matrixQueries } from './templates';

export interface MatrixRequest {
  scope: EgressScope;
  /** Unix seconds. */
  from: number;
  to: number;
  signal?: AbortSignal;
}

export interface MatrixResult {
  from: number;
  to: number;
  cells: EgressCell[];
  queries: EgressQuery[];
  warnings: string[];
}

export function assertWindow(from: number, to: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new EgressError('The time range is not a pair of valid times.');
  }
  if (from >= to) {
    throw new EgressError(
      `The range starts (${new Date(from * 1000).toISOString()}) at or after it ends (${new Date(to * 1000).toISOString()}): swap from and to.`
    );
  }
}

/** Runs the matrix queries (instant, at `to`, over [from, to]) in parallel and folds them into cells. */
export async function fetchMatrix(api: PrometheusApi, req: MatrixRequest): Promise<MatrixResult> {
  assertWindow(req.from, req.to);
  const queries = matrixQueries(req.scope, req.to - req.from);
  const answers = await Promise.all(queries.map((q) => api.instant(q.expr, req.to, req.signal)));
  const { cells, foreign } = shapeCells(
    queries.map((query, i) => ({ query, samples: answers[i].data })),
    { ipLabel: ipLabelOf(req.scope) }
  );
  const warnings = answers.flatMap((a) => a.warnings);
  if (foreign > 0) {
    warnings.push(
      `${foreign} series without a BlackHoleCluster/PassthroughCluster verdict were left out: the API ignored part of a selector.`
    );
  }
  return { from: req.from, to: req.to, cells, queries, warnings };
}
