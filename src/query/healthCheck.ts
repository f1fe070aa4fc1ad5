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

const HOUR = 3600;

type CatchAllSelector = (listener: Listener, more?: readonly string[]) => string;
/** Above this many catch-all series the destination-IP cardinality warning applies (istio/istio.io#5027). */
const CARDINALITY_WARNING = 10000;

/**
 * Save & test: one line per question an operator has about a new data source, in three requests that
 * read the index or one sample per series, whatever the mesh's size: the build info, the verdict clusters
 * seen in the last hour (label values, no samples), and one instant query that counts every shape's
 * series at once (`count` of instant selectors: one sample per catch-all series). Stops after the first
 * line when the API itself does not answer, since every later line would say the same thing.
 */
export async function healthCheck(api: PrometheusApi, scope: EgressScope, now: number): Promise<HealthLine[]> {
  const ipLabel = ipLabelOf(scope);
  // Every catch-all series of a listener, narrowed by further rendered matchers.
  const catchAll: CatchAllSelector = (listener, more = []) =>
    egressSelector(listener === 'http' ? METRIC.requests : METRIC.tcpClosed, listener, scope, VERDICTS, more);
  const checks = countChecks(scope, catchAll);
  // Settled together, reported in this order: the first failing request names the same endpoint whichever
  // answer arrives first, so the message does not depend on the network's timing.
  const [countsAnswer, buildAnswer, clustersAnswer] = await Promise.allSettled([
    countAll(api, checks, now),
    api.buildInfo(),
    api.labelValues(
      LABEL.clusterName,
      [
        scopeOnlySelector(METRIC.requests, scope, [{ label: LABEL.reporter, op: '=', value: EGRESS_REPORTER }]),
        scopeOnlySelector(METRIC.tcpClosed, scope, [{ label: LABEL.reporter, op: '=', value: EGRESS_REPORTER }]),
      ],
      now - HOUR,
      now
    ),
  ]);
  for (const answer of [countsAnswer, buildAnswer, clustersAnswer]) {
    if (answer.status === 'rejected') {
      return [{ status: 'error', title: 'Prometheus API not reachable', detail: errorMessage(answer.reason) }];
    }
  }
  const counts = (countsAnswer as PromiseFulfilledResult<Record<string, number>>).value;
  const build = (buildAnswer as PromiseFulfilledResult<Awaited<ReturnType<PrometheusApi['buildInfo']>>>).value;
  const clusters = (clustersAnswer as PromiseFulfilledResult<string[]>).value;
  const lines: HealthLine[] = [
    {
      status: 'ok',
      title: 'Prometheus API reachable',
      detail: build?.version ? `version ${build.version}` : 'version not exposed by this API',
    },
  ];
  const requests = counts.requests;
  const closed = counts.closed;
  lines.push(
    requests + closed > 0
      ? {
          status: 'ok',
          title: 'Istio metrics present',
          detail: `${METRIC.requests}: ${requests} series, ${METRIC.tcpClosed}: ${closed} series (active in the last 5 minutes)`,
        }
      : {
          status: 'error',
          title: 'No Istio metrics',
          detail: `Neither ${METRIC.requests} nor ${METRIC.tcpClosed} has series active in the last 5 minutes${scope.extraMatchers?.length ? ' with the extra label matchers' : ''}. Check that Prometheus scrapes the sidecars (port 15090) and the matchers.`,
        }
  );

  const tcpSeries = counts.tcp;
  const httpSeries = counts.http;
  const withIp = counts.tcpWithIp;
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

  const blocked = clusters.includes(VERDICT_CLUSTER.blackhole);
  const allowed = clusters.includes(VERDICT_CLUSTER.passthrough);
  let policy: string;
  if (blocked && allowed) {
    policy =
      'Both blocked and allowed egress: some proxies run REGISTRY_ONLY and others ALLOW_ANY (Sidecar resources per namespace), or the policy changed within the hour.';
  } else if (blocked) {
    policy =
      'Only blocked egress: the mesh runs outboundTrafficPolicy REGISTRY_ONLY, and something is trying to reach unregistered hosts.';
  } else if (allowed) {
    policy =
      'Only passthrough egress: the mesh runs outboundTrafficPolicy ALLOW_ANY. Register what you see (ServiceEntries) before moving to REGISTRY_ONLY.';
  } else {
    policy = 'No catch-all egress: every external host is registered by a ServiceEntry, or nothing leaves the mesh.';
  }
  lines.push({
    status: 'ok',
    title: 'Catch-all egress in the last hour',
    detail: `BlackHoleCluster series: ${blocked ? 'yes' : 'none'}; PassthroughCluster series: ${allowed ? 'yes' : 'none'}. ${policy}`,
  });

  lines.push(...shapeLines(scope, counts));

  const series = httpSeries + tcpSeries;
  lines.push(
    series > CARDINALITY_WARNING
      ? {
          status: 'warning',
          title: `${series.toLocaleString('en-US')} external destination series`,
          detail: `Above ${CARDINALITY_WARNING.toLocaleString('en-US')}: destinations with changing IPs or many Host headers multiply series. Keep the destination limit, and consider registering frequent destinations.`,
        }
      : { status: 'ok', title: `${series.toLocaleString('en-US')} external destination series (active now)` }
  );
  return lines;
}

/** Every count the health check needs, by name: an instant selector each, so one sample per series. */
function countChecks(scope: EgressScope, catchAll: CatchAllSelector): Record<string, string> {
  const gateways = egressGatewaysOf(scope.mesh);
  const ip = ipLabelOf(scope);
  const m = (label: string, op: '=' | '!=' | '=~' | '!~', value: string) => ({ label, op, value });
  const source = m(LABEL.reporter, '=', EGRESS_REPORTER);
  const peerKnown = `${LABEL.destinationWorkload}!~${promString(`|${UNKNOWN}`)}`;
  const checks: Record<string, string> = {
    requests: scopeOnlySelector(METRIC.requests, scope),
    closed: scopeOnlySelector(METRIC.tcpClosed, scope),
    http: catchAll('http'),
    tcp: catchAll('tcp'),
    tcpWithIp: catchAll('tcp', [`${ip}!=""`]),
    podDirectHttp: catchAll('http', [peerKnown]),
    podDirectTcp: catchAll('tcp', [peerKnown]),
    ambient: scopeOnlySelector(METRIC.tcpClosed, scope, [source, m(LABEL.clusterName, '=', UNKNOWN)]),
    waypoint: scopeOnlySelector(METRIC.requests, scope, [m(LABEL.reporter, '=', WAYPOINT_REPORTER)]),
    dynamicDns: scopeOnlySelector(METRIC.requests, scope, [
      source,
      m(LABEL.clusterName, '!~', notRegisteredNames()),
      m(LABEL.destinationServiceNamespace, '=', UNKNOWN),
    ]),
  };
  if (inClusterCidrsOf(scope.mesh).length === 0) {
    checks.privateTcp = catchAll('tcp', [NO_PEER, `${ip}=~${promString(PRIVATE_IP)}`]);
  }
  if (gateways.length > 0) {
    checks.gateway = scopeOnlySelector(METRIC.requests, scope, [
      source,
      m(LABEL.clusterName, '=~', alternation(gateways)),
    ]);
  }
  return checks;
}

/** One instant query for every check: `count(sel)` tagged with the check's name, joined with `or`. */
async function countAll(api: PrometheusApi, checks: Record<string, string>, now: number) {
  const expr = Object.entries(checks)
    .map(([name, sel]) => `label_replace(count(${sel}), "check", ${promString(name)}, "", "")`)
    .join(' or ');
  const a = await api.instant(expr, now);
  const out: Record<string, number> = Object.fromEntries(Object.keys(checks).map((k) => [k, 0]));
  for (const s of a.data) {
    out[s.metric.check] = Number(s.value[1]);
  }
  return out;
}

/** RFC 1918 and unique-local text forms: where pod and service ranges usually are. */
const PRIVATE_IP = '(?:10\\.|172\\.(?:1[6-9]|2[0-9]|3[01])\\.|192\\.168\\.|\\[?f[cd]).*';

/**
 * Which shapes of traffic the data holds (categories.ts), and what each means for what the plugin can show.
 */
function shapeLines(scope: EgressScope, counts: Record<string, number>): HealthLine[] {
  const gateways = egressGatewaysOf(scope.mesh);
  const podDirect = counts.podDirectHttp + counts.podDirectTcp;
  const { privateTcp = 0, ambient, waypoint, gateway = 0, dynamicDns } = counts;
  const lines: HealthLine[] = [];
  const sidecar = counts.http + counts.tcp > 0 || dynamicDns > 0;
  lines.push({
    status: 'ok',
    title: `Telemetry from ${sidecar && ambient + waypoint > 0 ? 'sidecars and ambient (ztunnel, waypoints)' : ambient + waypoint > 0 ? 'ambient mode (ztunnel, waypoints)' : 'sidecars'}`,
    detail:
      ambient + waypoint > 0
        ? `${ambient} ztunnel passthrough series, ${waypoint} waypoint series (active now). Ambient mode cannot show where passthrough connections went: ztunnel records no destination address (istio/ztunnel#1600) and has no REGISTRY_ONLY, so nothing is blackholed there. The matrix shows them per source workload as an "unknown" destination when "Ambient" is turned on; egress waypoints add allowed and denied (403) requests to ServiceEntry hosts.`
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
