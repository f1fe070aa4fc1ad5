import { EgressError } from './errors';
import { type CellsResult, fetchCells, type RecordedMode } from './fetchCells';
import { LABEL, METRIC, UNKNOWN } from './labels';
import { type LockdownPlan, lockdownPlan } from './lockdown';
import type { PrometheusApi } from './prometheusApi';
import { type EgressScope, scopeOnlySelector } from './selectors';
import { isoTime } from './time';

/**
 * The range a lock-down plan reads by default, on the pages and the CLI alike: a day shows the calls a
 * namespace makes daily (an hour would miss a nightly job); weekly jobs need a week.
 */
export const LOCKDOWN_DEFAULT_FROM = 'now-24h';

/** Source namespaces with catch-all or registered egress in [from, to], from the label index. */
export async function egressNamespaces(api: PrometheusApi, scope: EgressScope, from: number, to: number) {
  const sel = [METRIC.requests, METRIC.tcpClosed].map((m) =>
    scopeOnlySelector(m, scope, [{ label: LABEL.reporter, op: '=', value: 'source' }])
  );
  const values = await api.labelValues(LABEL.sourceNamespace, sel, from, to);
  return values.filter((v) => v && v !== UNKNOWN).sort();
}

export interface LockdownRequest {
  scope: EgressScope;
  from: number;
  to: number;
  /** The namespaces to plan; every one with egress in the range when undefined. */
  namespaces?: readonly string[];
  /** meshConfig.rootNamespace (default istio-system). */
  rootNamespace?: string;
  /** `mesh`: each namespace's part of a mesh-wide switch (query/lockdownYaml.ts meshLockdownYaml). */
  planScope?: 'namespace' | 'mesh';
  /** The setting "Recorded series" (CLI --recorded), as the matrix reads it: a plan counts what the matrix counts. */
  recorded?: RecordedMode;
  /** Where the recording probes go (the data source shares them between panels). */
  probes?: PrometheusApi;
}

/**
 * Plans for `namespaces` (all that have egress when undefined): one fetch of every category, then a plan
 * per namespace. A namespace that sent nothing in the range is an error naming the ones that did.
 */
export async function fetchLockdownPlans(
  api: PrometheusApi,
  req: LockdownRequest
): Promise<{ plans: LockdownPlan[]; result: CellsResult }> {
  const scope: EgressScope = {
    ...req.scope,
    include: ['in-mesh', 'registered', 'ambient'],
    sourceNamespace: req.namespaces ? { kind: 'values', values: req.namespaces } : req.scope.sourceNamespace,
  };
  const result = await fetchCells(api, {
    scope,
    from: req.from,
    to: req.to,
    recorded: req.recorded,
    probes: req.probes,
  });
  const seen = new Set(result.cells.map((c) => c.sourceNamespace));
  const namespaces = req.namespaces ?? [...seen].sort();
  const missing = namespaces.filter((ns) => !seen.has(ns));
  if (missing.length > 0) {
    const known = await egressNamespaces(api, req.scope, req.from, req.to);
    throw new EgressError(
      `No egress from namespace ${missing.map((m) => JSON.stringify(m)).join(', ')} between ${isoTime(req.from)} and ${isoTime(req.to)}. ` +
        (known.length > 0
          ? `Namespaces with egress then: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}.`
          : 'No namespace sent egress then: widen the range (--from/--to), or check the label matchers (--selector).')
    );
  }
  const opts = { rootNamespace: req.rootNamespace, scope: req.planScope };
  const plans = namespaces.map((ns) => lockdownPlan(ns, result, opts));
  return { plans, result };
}
