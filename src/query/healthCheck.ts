import { errorMessage } from './errors';
import { LABEL, METRIC, VERDICT_CLUSTER } from './labels';
import type { PrometheusApi } from './prometheusApi';
import { duration, type EgressScope, egressSelector, ipLabelOf, scopeOnlySelector } from './selectors';
import { ipLabelTelemetryYaml } from './telemetrySnippet';

export interface HealthLine {
  status: 'ok' | 'warning' | 'error';
  title: string;
  detail?: string;
}

const DAY = 86400;
/** Above this many catch-all series the seed's cardinality warning applies. */
export const CARDINALITY_WARNING = 10000;

async function scalar(api: PrometheusApi, expr: string, time: number): Promise<number> {
  const a = await api.instant(expr, time);
  return a.data.reduce((acc, s) => acc + Number(s.value[1]), 0);
}

/**
 * Save & test: one line per question an operator has about a new data source. Stops after the first
 * line when the API itself does not answer, since every later line would say the same thing.
 */
export async function healthCheck(api: PrometheusApi, scope: EgressScope, now: number): Promise<HealthLine[]> {
  const lines: HealthLine[] = [];
  try {
    await api.instant('vector(1)', now);
  } catch (err) {
    return [{ status: 'error', title: 'Prometheus API not reachable', detail: errorMessage(err) }];
  }
  const build = await api.buildInfo();
  lines.push({
    status: 'ok',
    title: 'Prometheus API reachable',
    detail: build?.version ? `version ${build.version}` : 'version not exposed by this API',
  });

  const window = duration(DAY);
  const ipLabel = ipLabelOf(scope);
  const seen = (metric: string) => `count(count_over_time(${scopeOnlySelector(metric, scope)}[${window}]))`;
  const [requests, closed] = await Promise.all([
    scalar(api, seen(METRIC.requests), now),
    scalar(api, seen(METRIC.tcpClosed), now),
  ]);
  lines.push(
    requests + closed > 0
      ? {
          status: 'ok',
          title: 'Istio metrics present',
          detail: `${METRIC.requests}: ${requests} series, ${METRIC.tcpClosed}: ${closed} series (last 24h)`,
        }
      : {
          status: 'error',
          title: 'No Istio metrics',
          detail: `Neither ${METRIC.requests} nor ${METRIC.tcpClosed} has series in the last 24h${scope.extraMatchers?.length ? ' with the extra label matchers' : ''}. Check that Prometheus scrapes the sidecars (port 15090) and the matchers.`,
        }
  );

  const tcpSel = egressSelector(METRIC.tcpClosed, 'tcp', scope, ['blackhole', 'passthrough']);
  const httpSel = egressSelector(METRIC.requests, 'http', scope, ['blackhole', 'passthrough']);
  const [tcpSeries, httpSeries] = await Promise.all([
    scalar(api, `count(count_over_time(${tcpSel}[${window}]))`, now),
    scalar(api, `count(count_over_time(${httpSel}[${window}]))`, now),
  ]);
  const withIp =
    tcpSeries > 0
      ? await scalar(api, `count(count_over_time(${tcpSel.replace(/\}$/, `, ${ipLabel}!=""}`)}[${window}]))`, now)
      : 0;
  if (tcpSeries === 0) {
    lines.push({
      status: 'ok',
      title: `No catch-all TCP traffic to check for the ${ipLabel} label`,
      detail: 'TCP destinations will show their IP once traffic arrives, if the label is configured.',
    });
  } else if (withIp === 0) {
    lines.push({
      status: 'warning',
      title: `TCP series have no ${ipLabel} label: TCP destinations show as "unknown"`,
      detail:
        `Apply this Istio Telemetry resource to label catch-all TCP traffic with its destination address (only PassthroughCluster/BlackHoleCluster connections get a value, which bounds cardinality; still, many destinations with changing IPs add series):\n\n` +
        ipLabelTelemetryYaml(ipLabel),
    });
  } else {
    lines.push({
      status: 'ok',
      title: `TCP series carry the ${ipLabel} label`,
      detail: `${withIp} of ${tcpSeries} catch-all TCP series`,
    });
  }

  const traffic = async (metric: string, sel: string) => {
    const a = await api.instant(`sum by (${LABEL.clusterName}) (increase(${sel}[${window}]))`, now);
    return Object.fromEntries(a.data.map((s) => [s.metric[LABEL.clusterName], Number(s.value[1])]));
  };
  const [httpTraffic, tcpTraffic] = await Promise.all([
    traffic(METRIC.requests, httpSel),
    traffic(METRIC.tcpClosed, tcpSel),
  ]);
  const total = (cluster: string) => (httpTraffic[cluster] ?? 0) + (tcpTraffic[cluster] ?? 0);
  const blocked = total(VERDICT_CLUSTER.blackhole);
  const allowed = total(VERDICT_CLUSTER.passthrough);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const counts = `BlackHoleCluster: ${fmt(httpTraffic[VERDICT_CLUSTER.blackhole] ?? 0)} requests, ${fmt(tcpTraffic[VERDICT_CLUSTER.blackhole] ?? 0)} connections; PassthroughCluster: ${fmt(httpTraffic[VERDICT_CLUSTER.passthrough] ?? 0)} requests, ${fmt(tcpTraffic[VERDICT_CLUSTER.passthrough] ?? 0)} connections (last 24h).`;
  let policy: string;
  if (blocked > 0 && allowed > 0) {
    policy =
      'Both blocked and allowed egress: some proxies run REGISTRY_ONLY and others ALLOW_ANY (Sidecar resources per namespace), or the policy changed during the day.';
  } else if (blocked > 0) {
    policy =
      'Only blocked egress: the mesh runs outboundTrafficPolicy REGISTRY_ONLY, and something is trying to reach unregistered hosts.';
  } else if (allowed > 0) {
    policy =
      'Only passthrough egress: the mesh runs outboundTrafficPolicy ALLOW_ANY. Register what you see (ServiceEntries) before moving to REGISTRY_ONLY.';
  } else {
    policy = 'No catch-all egress: every external host is registered by a ServiceEntry, or nothing leaves the mesh.';
  }
  lines.push({ status: 'ok', title: 'Catch-all egress in the last 24h', detail: `${counts} ${policy}` });

  const series = httpSeries + tcpSeries;
  lines.push(
    series > CARDINALITY_WARNING
      ? {
          status: 'warning',
          title: `${series.toLocaleString('en-US')} external destination series`,
          detail: `Above ${CARDINALITY_WARNING.toLocaleString('en-US')}: destinations with changing IPs or many Host headers multiply series. Keep the destination limit, and consider registering frequent destinations.`,
        }
      : { status: 'ok', title: `${series.toLocaleString('en-US')} external destination series (last 24h)` }
  );
  return lines;
}
