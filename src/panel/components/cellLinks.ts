import {
  type DataLink,
  type InterpolateFunction,
  type LinkModel,
  locationUtil,
  type ScopedVars,
  type TimeRange,
} from '@grafana/data';
import { type PairScope, UNKNOWN } from '../../query';
import { APP_ROUTES, appPath } from '../../shared/ids';
import type { MatrixField } from '../../shared/matrixFrame';
import type { MatrixCell } from '../model/matrix';
import { exploreLink, explorePrometheus } from './exploreLink';

export interface LinkContext {
  /** The panel's data links (field config defaults). */
  userLinks?: DataLink[];
  replaceVariables: InterpolateFunction;
  /** The data source frame's scope; plain tables have none and get no Explore link. */
  scope?: PairScope;
  exploreDatasource?: string;
  timeRange: TimeRange;
}

/** A pinned cell's links: Explore this pair, Lock down its namespace, then the panel's own data links. */
export function cellLinks(
  cell: MatrixCell | undefined,
  { userLinks, replaceVariables, scope, exploreDatasource, timeRange }: LinkContext
): Array<LinkModel<unknown>> {
  const src = cell?.sources[0];
  if (!src) {
    return [];
  }
  const fields = {
    sourceNamespace: src.sourceNamespace,
    sourceWorkload: src.sourceWorkload,
    destination: src.destination,
    verdict: src.verdict,
    listener: src.listener,
  } satisfies Partial<Record<MatrixField, string>>;
  // Grafana's data link variables, `${__data.fields.destination}` (what its link editor suggests), and
  // the plain names links written before them use.
  const vars: ScopedVars = {
    __data: { text: 'Data', value: { fields } },
    ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { text: v, value: v }])),
  };
  const user = (userLinks ?? []).map((l) => ({
    title: replaceVariables(l.title, vars),
    href: replaceVariables(l.url, vars, encodeURIComponent),
    target: l.targetBlank ? ('_blank' as const) : ('_self' as const),
    origin: cell,
  }));
  // Built in: the cell's PromQL in Explore (data source frames only: a plain table has no scope).
  const prometheus = scope ? explorePrometheus(exploreDatasource ?? '') : undefined;
  const explore = scope && prometheus ? exploreLink(cell!.sources, scope, prometheus, timeRange) : undefined;
  // Built in: the source namespace's way to REGISTRY_ONLY (the app's "Lock down" page), same range.
  const lockdown = {
    title: `Lock down ${src.sourceNamespace}`,
    href: `${locationUtil.assureBaseUrl(appPath(APP_ROUTES.lockdown, src.sourceNamespace))}?${new URLSearchParams({
      from: String(timeRange.from.valueOf()),
      to: String(timeRange.to.valueOf()),
    })}`,
    target: '_self' as const,
    origin: cell,
  };
  return [...(explore ? [explore] : []), ...(src.sourceNamespace !== UNKNOWN ? [lockdown] : []), ...user];
}
