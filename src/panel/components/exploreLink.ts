import { type DataFrame, type LinkModel, type TimeRange, toURLRange, urlUtil } from '@grafana/data';
import { config, getDataSourceSrv } from '@grafana/runtime';
import { type EgressCell, type PairScope, pairQueries } from '../../query';
import { type MatrixFrameCustom, readMatrixFrameCustom } from '../../shared/matrixFrame';

/** The scope the data source put on its matrix frame; plain Prometheus tables have none. */
export function frameScope(series: readonly DataFrame[]): PairScope | undefined {
  return readMatrixFrameCustom(series)?.scope;
}

/** The alertable expression the data source put on its matrix frame, with its Prometheus data source. */
export function frameAlertRule(series: readonly DataFrame[]): MatrixFrameCustom['alertRule'] {
  return readMatrixFrameCustom(series)?.alertRule;
}

/** The chosen Prometheus data source, else the first one Grafana knows; undefined when there is none. */
export function explorePrometheus(uid: string): { uid: string; type: string } | undefined {
  try {
    const srv = getDataSourceSrv();
    const ds = uid ? srv.getInstanceSettings(uid) : srv.getList({ type: 'prometheus' })[0];
    return ds ? { uid: ds.uid, type: ds.type } : undefined;
  } catch {
    // No data source service (outside Grafana): no Explore link rather than a broken one.
    return undefined;
  }
}

/**
 * "Explore this pair": Grafana's Explore with the cell's PromQL (rates over time split by verdict) on a
 * Prometheus data source, over the panel's time range.
 */
export function exploreLink(
  sources: readonly EgressCell[],
  scope: PairScope,
  datasource: { uid: string; type: string },
  range: TimeRange
): LinkModel<unknown> | undefined {
  const queries = pairQueries(sources, scope);
  if (queries.length === 0) {
    return undefined;
  }
  const pane = {
    datasource: datasource.uid,
    queries: queries.map((q, i) => ({
      refId: String.fromCharCode(65 + i),
      expr: q.expr,
      range: true,
      legendFormat: `{{destination_service_name}} ${q.listener}`,
      datasource,
    })),
    range: toURLRange(range.raw),
  };
  const href = urlUtil.renderUrl(`${config.appSubUrl ?? ''}/explore`, {
    schemaVersion: 1,
    panes: JSON.stringify({ egress: pane }),
    orgId: config.bootData?.user?.orgId,
  });
  return { title: 'Explore this pair', href, target: '_self', origin: sources };
}
