import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';
import { type AdHocFilter, adHocMatchers, renderMatcher } from '../query';
import type { EgressDataQuery } from '../shared/queryModel';
import { filterText, interpolateFilter, interpolateMatchers, interpolateVerdicts } from './interpolation';

/**
 * The queries with template variables resolved, as Grafana asks before it opens them in Explore, copies a
 * panel, or shows them in the query inspector: Explore then shows the values, not `$namespace`, and ad hoc
 * filters become matchers. Something that cannot be resolved (a multi-value variable in an exact matcher)
 * is kept as written, so running it says what is wrong.
 */
export function interpolateQueries(
  queries: EgressDataQuery[],
  t: TemplateSrv,
  scopedVars: ScopedVars,
  filters?: AdHocFilter[]
): EgressDataQuery[] {
  const keep = <T>(resolve: () => T, fallback: T): T => {
    try {
      return resolve();
    } catch {
      return fallback;
    }
  };
  const filter = (f: string | undefined) => keep(() => filterText(interpolateFilter(f, t, scopedVars)), f);
  const adhoc = filters?.length ? adHocMatchers(filters).map(renderMatcher) : [];
  return queries.map((q) => {
    const matchers = keep(() => interpolateMatchers(q.matchers, t, scopedVars), q.matchers);
    return {
      ...q,
      namespace: filter(q.namespace),
      workload: filter(q.workload),
      destination: filter(q.destination),
      verdicts: keep(() => interpolateVerdicts(q.verdicts, t, scopedVars), q.verdicts),
      matchers: [matchers, ...adhoc].filter((m) => m && m.trim() !== '').join(', ') || undefined,
    };
  });
}

const KIND_TEXT = { matrix: 'Matrix', series: 'Series', bytes: 'Bytes', newDestinations: 'New destinations' };

/** How Grafana names a query where it lists queries (query history, rich history, library panels). */
export function queryDisplayText(q: EgressDataQuery): string {
  const parts = [
    q.namespace && `namespace ${q.namespace}`,
    q.workload && `workload ${q.workload}`,
    q.destination && `destination ${q.destination}`,
    q.verdicts?.length && q.verdicts.join('+'),
    q.listeners?.length && q.listeners.map((l) => l.toUpperCase()).join('+'),
    q.matchers && `{${q.matchers}}`,
  ].filter(Boolean);
  return [KIND_TEXT[q.queryType ?? 'matrix'], ...parts].join(' · ');
}
