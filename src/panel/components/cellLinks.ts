import {
  type DataFrame,
  type DataLink,
  getLinksSupplier,
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
import type { RowOrigin } from '../model/readFrame';
import { exploreLink, explorePrometheus } from './exploreLink';

export interface LinkContext {
  /** The panel's data links (field config defaults). */
  userLinks?: DataLink[];
  /** The panel's frames and where each table row came from: the links read the cell's first row. */
  frames: readonly DataFrame[];
  origin?: RowOrigin;
  replaceVariables: InterpolateFunction;
  /** The data source frame's scope; plain tables have none and get no Explore link. */
  scope?: PairScope;
  exploreDatasource?: string;
  timeRange: TimeRange;
}

/** A pinned cell's links: Explore this pair, Lock down its namespace, then the panel's own data links. */
export function cellLinks(
  cell: MatrixCell | undefined,
  { userLinks, frames, origin, replaceVariables, scope, exploreDatasource, timeRange }: LinkContext
): Array<LinkModel<unknown>> {
  const src = cell?.sources[0];
  if (!src) {
    return [];
  }
  const user = origin ? rowLinks(frames, origin(cell!.rows[0]), userLinks ?? [], replaceVariables, src) : [];
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

/**
 * The panel's data links for one row of its frame, through Grafana's own links supplier (as a table cell's
 * links): `${__data.fields.<any field>}`, `${__value.raw}`, `${__field.name}`, internal links to Explore,
 * all as Grafana interpolates them. Grafana's query runner gives each field `getLinks` when it applies the
 * field config; elsewhere (a snapshot, the tests) the supplier is made here with the panel's links. The
 * plain names links written before Grafana's variables (`${destination}`) stay in scope.
 */
function rowLinks(
  frames: readonly DataFrame[],
  at: { frame: number; row: number },
  links: DataLink[],
  replaceVariables: InterpolateFunction,
  src: MatrixCell['sources'][number]
): Array<LinkModel<unknown>> {
  const frame = frames[at.frame];
  const field = frame?.fields.find((f) => f.name === ('destination' satisfies MatrixField)) ?? frame?.fields[0];
  if (!field) {
    return [];
  }
  const plain = {
    sourceNamespace: src.sourceNamespace,
    sourceWorkload: src.sourceWorkload,
    destination: src.destination,
    verdict: src.verdict,
    listener: src.listener,
  } satisfies Partial<Record<MatrixField, string>>;
  const vars: ScopedVars = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, { text: v, value: v }]));
  const supplier =
    field.getLinks && field.config.links?.length
      ? field.getLinks
      : links.length > 0
        ? getLinksSupplier(frame, { ...field, config: { ...field.config, links } }, vars, replaceVariables)
        : undefined;
  if (!supplier) {
    return [];
  }
  return supplier({ valueRowIndex: at.row }).map((l) => ({ ...l, target: l.target ?? '_self' }));
}
