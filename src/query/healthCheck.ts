import { egressGatewaysOf, inClusterCidrsOf } from './categories';
import { alternation, promString } from './escaping';
import { errorMessage } from './errors';
import {
  EGRESS_REPORTER,
  LABEL,
  type Listener,
  METRIC,
  UNKNOWN,
  VERDICT_CLUSTER,
  VERDICTS,
  WAYPOINT_REPORTER,
} from './labels';
import type { PrometheusApi } from './prometheusApi';
import {
  duration,
  type EgressScope,
  egressSelector,
  ipLabelOf,
  NO_PEER,
  notRegisteredNames,
  scopeOnlySelector,
} from './selectors';
import { ipLabelTelemetryYaml } from './telemetrySnippet';

export interface HealthLine {
  status: 'ok' | 'warning' | 'error';
  title: string;
  detail?: string;
}

const DAY = 86400;

type CatchAllSelector = (listener: Listener, more?: readonly string[]) => string;
/** Above this many catch-all series the destination-IP cardinality warning applies (istio/istio.io#5027). */
const CARDINALITY_WARNING = 10000;

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

  // Every catch-all series of a listener, narrowed by further rendered matchers.
  const catchAll: CatchAllSelector = (listener, more = []) =>
    egressSelector(listener === 'http' ? METRIC.requests : METRIC.tcpClosed, listener, scope, VERDICTS, more);
  const tcpSel = catchAll('tcp');
  const httpSel = catchAll('http');
  const [tcpSeries, httpSeries] = await Promise.all([
    scalar(api, `count(count_over_time(${tcpSel}[${window}]))`, now),
    scalar(api, `count(count_over_time(${httpSel}[${window}]))`, now),
  ]);
  const withIp =
    tcpSeries > 0
      ? await scalar(api, `count(count_over_time(${catchAll('tcp', [`${ipLabel}!=""`])}[${window}]))`, now)
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

  lines.push(...(await shapeLines(api, scope, now, catchAll)));

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

/** RFC 1918 and unique-local text forms: where pod and service ranges usually are. */
const PRIVATE_IP = '(?:10\\.|172\\.(?:1[6-9]|2[0-9]|3[01])\\.|192\\.168\\.|\\[?f[cd]).*';

/**
 * Which shapes of traffic the data holds (categories.ts), and what each means for what the plugin can show.
 */
async function shapeLines(
  api: PrometheusApi,
  scope: EgressScope,
  now: number,
  catchAll: CatchAllSelector
): Promise<HealthLine[]> {
  const window = duration(DAY);
  const count = (sel: string) => scalar(api, `count(count_over_time(${sel}[${window}]))`, now);
  const gateways = egressGatewaysOf(scope.mesh);
  const ip = ipLabelOf(scope);
  const m = (label: string, op: '=' | '!=' | '=~' | '!~', value: string) => ({ label, op, value });
  const source = m(LABEL.reporter, '=', EGRESS_REPORTER);
  const peerKnown = `${LABEL.destinationWorkload}!~${promString(`|${UNKNOWN}`)}`;
  const [podDirect, privateTcp, ambient, waypoint, gateway, dynamicDns] = await Promise.all([
    Promise.all([count(catchAll('http', [peerKnown])), count(catchAll('tcp', [peerKnown]))]).then(([a, b]) => a + b),
    inClusterCidrsOf(scope.mesh).length > 0
      ? Promise.resolve(0)
      : count(catchAll('tcp', [NO_PEER, `${ip}=~${promString(PRIVATE_IP)}`])),
    count(scopeOnlySelector(METRIC.tcpClosed, scope, [source, m(LABEL.clusterName, '=', UNKNOWN)])),
    count(scopeOnlySelector(METRIC.requests, scope, [m(LABEL.reporter, '=', WAYPOINT_REPORTER)])),
    gateways.length > 0
      ? count(scopeOnlySelector(METRIC.requests, scope, [source, m(LABEL.clusterName, '=~', alternation(gateways))]))
      : Promise.resolve(0),
    count(
      scopeOnlySelector(METRIC.requests, scope, [
        source,
        m(LABEL.clusterName, '!~', notRegisteredNames()),
        m(LABEL.destinationServiceNamespace, '=', UNKNOWN),
      ])
    ),
  ]);
  const lines: HealthLine[] = [];
  const sidecar = (await count(catchAll('http'))) + (await count(catchAll('tcp'))) > 0 || dynamicDns > 0;
  lines.push({
    status: 'ok',
    title: `Telemetry from ${sidecar && ambient + waypoint > 0 ? 'sidecars and ambient (ztunnel, waypoints)' : ambient + waypoint > 0 ? 'ambient mode (ztunnel, waypoints)' : 'sidecars'}`,
    detail:
      ambient + waypoint > 0
        ? `${ambient} ztunnel passthrough series, ${waypoint} waypoint series (last 24h). Ambient mode cannot show where passthrough connections went: ztunnel records no destination address (istio/ztunnel#1600) and has no REGISTRY_ONLY, so nothing is blackholed there. The matrix shows them per source workload as an "unknown" destination when "Ambient" is turned on; egress waypoints add allowed and denied (403) requests to ServiceEntry hosts.`
        : undefined,
  });
  if (podDirect > 0) {
    lines.push({
      // Counted right either way; without the ranges, pod IPs that give no metadata are not.
      status: inClusterCidrsOf(scope.mesh).length > 0 ? 'ok' : 'warning',
      title: `${podDirect} catch-all series reach mesh workloads by IP (in-mesh, not external)`,
      detail:
        'Clients dial pod IPs directly (Kafka, clustered databases, Endpoints readers): Istio labels that PassthroughCluster with the destination workload filled in (istio/istio#35726). The matrix counts it as in-mesh. Set "In-cluster CIDRs" so TCP pod traffic without metadata is recognised too.',
    });
  }
  if (privateTcp > 0) {
    lines.push({
      status: 'warning',
      title: `${privateTcp} catch-all TCP series go to private addresses, and no in-cluster CIDRs are set`,
      detail:
        'Pod and service IPs are usually private: set "In-cluster CIDRs" (e.g. 10.244.0.0/16, 10.96.0.0/12) so they count as in-mesh instead of external destinations.',
    });
  }
  if (gateway > 0) {
    lines.push({
      status: 'ok',
      title: `Egress gateway traffic: ${gateway} series to ${gateways.join(', ')}`,
      detail:
        'Registered traffic, shown when "Registered" is turned on; the gateway\'s own series name the external hosts.',
    });
  }
  if (dynamicDns > 0) {
    lines.push({
      status: 'ok',
      title: `ALLOW_ANY_DYNAMIC_DNS: ${dynamicDns} series through AllowAnyDynamicDNSCluster`,
      detail: 'Plain HTTP to unregistered hosts (Istio 1.31): counted as passthrough.',
    });
  }
  return lines;
}
