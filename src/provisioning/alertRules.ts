import {
  ALERT_DEFAULTS,
  blackholeAlertExpr,
  blockedInMeshAlertExpr,
  duration,
  type EgressScope,
  grafanaRuleQueries,
  ipCardinalityAlertExpr,
  newPassthroughAlertExpr,
  policyViolationAlertExpr,
  HOURLY_INTERVAL_SECONDS,
  hourlyRecordingRules,
  RECORDING_INTERVAL_SECONDS,
  recordingRules,
} from '../query';
import { ALERTING, MATRIX_PANEL_ID, RULE_UID, UID } from './config';
import { type GenerateSettings, spokenDuration } from './settings';

/** One alert, independent of where it is evaluated (Grafana or Prometheus). */
export interface AlertSpec {
  uid: string;
  name: string;
  title: string;
  expr: string;
  for: string;
  severity: 'warning' | 'critical' | 'info';
  summary: string;
  description: string;
  runbook: string;
}

const scopeOf = (s: GenerateSettings): EgressScope => ({ mesh: s.mesh });
const who = '{{ $labels.source_workload_namespace }}/{{ $labels.source_workload }}';

export function alertSpecs(s: GenerateSettings): AlertSpec[] {
  const scope = scopeOf(s);
  const a = s.alerts;
  const window = spokenDuration(a.windowSeconds);
  const specs: AlertSpec[] = [
    {
      uid: RULE_UID.blackhole,
      name: 'IstioEgressBlackholeTraffic',
      title: 'Workload hitting BlackHoleCluster',
      expr: blackholeAlertExpr(scope, { windowSeconds: a.windowSeconds }),
      for: '0m',
      severity: 'warning',
      summary: `${who} is blocked reaching {{ $labels.destination }}`,
      description:
        `Traffic to a host outside the service registry hit BlackHoleCluster (HTTP 502 or a refused TCP connection) in the last ${window}.`,
      runbook:
        'A misconfiguration or a compromised workload. If the destination is legitimate, register it with a ServiceEntry (istio-egress serviceentries, or the matrix panel); otherwise investigate the workload.',
    },
    {
      uid: RULE_UID.newDestination,
      name: 'IstioEgressNewPassthroughDestination',
      title: 'New external destination through PassthroughCluster',
      expr: newPassthroughAlertExpr(scope, {
        windowSeconds: a.newDestinationWindowSeconds,
        lookbackSeconds: a.lookbackSeconds,
        rawLookbackSeconds: ALERTING.rawLookbackSeconds,
      }),
      for: '0m',
      severity: 'info',
      summary: `${who} reached a new external destination {{ $labels.destination }}`,
      description:
        `Nothing in the mesh reached this destination through PassthroughCluster in the ${spokenDuration(a.lookbackSeconds)} before the last ${spokenDuration(a.newDestinationWindowSeconds)}.`,
      runbook:
        'Confirm the destination is expected. Register it with a ServiceEntry so the mesh can move towards REGISTRY_ONLY.',
    },
    {
      uid: RULE_UID.blockedInMesh,
      name: 'IstioEgressBlockedInMeshCall',
      title: 'Calls to a mesh service blocked by Sidecar egress scope',
      expr: blockedInMeshAlertExpr(scope, { windowSeconds: a.windowSeconds }),
      for: '0m',
      severity: 'warning',
      summary: `${who} is blocked calling mesh service {{ $labels.destination }}`,
      description:
        `Calls to a service inside the mesh hit BlackHoleCluster in the last ${window}: the caller's Sidecar resource does not import that host.`,
      runbook:
        "Add the service's namespace or host to the caller's Sidecar egress hosts (e.g. shop/*), or remove the call. It is not external traffic: no ServiceEntry is needed.",
    },
    {
      uid: RULE_UID.ipCardinality,
      name: 'IstioEgressDestinationIpCardinality',
      title: 'Destination IP label cardinality',
      expr: ipCardinalityAlertExpr(scope, { threshold: a.ipCardinalityThreshold }),
      for: '15m',
      severity: 'warning',
      summary: `{{ $value }} distinct destination IPs on catch-all TCP metrics (threshold ${a.ipCardinalityThreshold})`,
      description: 'Each destination IP is a new series: destinations with changing IPs multiply Prometheus series.',
      runbook:
        'Register frequent destinations with ServiceEntries (they leave the catch-all clusters), or limit the Telemetry override to fewer metrics.',
    },
  ];
  // Passthrough from a REGISTRY_ONLY namespace: only for the namespaces the user declared.
  if (s.registryOnlyNamespaces.length > 0) {
    specs.splice(
      2,
      0,
    {
      uid: RULE_UID.policyViolation,
      name: 'IstioEgressPassthroughFromRegistryOnlyNamespace',
      title: 'Passthrough traffic from a REGISTRY_ONLY namespace',
      expr: policyViolationAlertExpr(scope, {
        windowSeconds: a.windowSeconds,
        registryOnlyNamespaces: s.registryOnlyNamespaces,
      }),
      for: '0m',
      severity: 'critical',
      summary: `${who} reached {{ $labels.destination }} through PassthroughCluster, but its namespace is declared REGISTRY_ONLY`,
      description:
        'The outbound traffic policy in force is not the declared one: a Sidecar resource is missing or was changed.',
      runbook:
        "Check the namespace's Sidecar outboundTrafficPolicy and the mesh config; blocked traffic should show as BlackHoleCluster.",
    }
    );
  }
  return specs;
}

/**
 * In a Grafana-managed rule `$value` is the whole evaluation string (`[ var='A' labels={} value=… ], …`,
 * grafana/grafana pkg/services/ngalert/state/template/template.go): the number is the reduce
 * expression's, `$values.B.Value`. Prometheus rules keep `$value`.
 */
function grafanaTemplate(text: string): string {
  return text.replace(/\{\{\s*\$value\s*\}\}/g, '{{ $values.B.Value }}');
}

/** Grafana-managed rules (file provisioning format), querying the provisioned core Prometheus data source. */
export function grafanaAlertRules(s: GenerateSettings) {
  return {
    apiVersion: 1,
    groups: [
      {
        orgId: 1,
        name: ALERTING.group,
        folder: ALERTING.folder,
        interval: ALERTING.interval,
        rules: alertSpecs(s).map((a) => ({
          uid: a.uid,
          title: a.title,
          condition: 'C',
          data: grafanaRuleQueries(a.expr, UID.prometheus, s.alerts.windowSeconds),
          dashboardUid: UID.overview,
          panelId: MATRIX_PANEL_ID,
          noDataState: 'OK',
          execErrState: 'Error',
          for: a.for,
          annotations: {
            summary: grafanaTemplate(a.summary),
            description: grafanaTemplate(a.description),
            runbook: grafanaTemplate(a.runbook),
          },
          labels: { severity: a.severity, ...ALERT_DEFAULTS.labels },
          isPaused: false,
        })),
      },
    ],
  };
}

/** The same alerts as a Prometheus rule file, for teams that alert from Prometheus and Alertmanager. */
export function prometheusRuleGroups(s: GenerateSettings) {
  return {
    groups: [
      // First, so each evaluation of the alerts finds the latest recording (groups run concurrently, but
      // the alerts read recorded series only 10 minutes back).
      {
        name: ALERTING.recordingGroup,
        interval: duration(RECORDING_INTERVAL_SECONDS),
        rules: recordingRules(scopeOf(s)),
      },
      // The hourly tier over the 5-minute one: long ranges read an hour per sample (fetchCells.ts tiersFor).
      {
        name: `${ALERTING.recordingGroup}-1h`,
        interval: duration(HOURLY_INTERVAL_SECONDS),
        rules: hourlyRecordingRules(),
      },
      {
        name: ALERTING.group,
        interval: ALERTING.interval,
        rules: alertSpecs(s).map((a) => ({
          alert: a.name,
          expr: a.expr,
          for: a.for,
          labels: { severity: a.severity },
          annotations: { summary: a.summary, description: a.description, runbook: a.runbook },
        })),
      },
    ],
  };
}

/** prometheus-operator's PrometheusRule resource around the same groups. */
export function prometheusRuleResource(s: GenerateSettings) {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'istio-egress',
      namespace: 'istio-system',
      labels: { 'app.kubernetes.io/name': 'istio-egress', release: 'prometheus' },
    },
    spec: prometheusRuleGroups(s),
  };
}

/**
 * The recorded and the raw form of the new-destination rule must give the same verdicts: a promtool test
 * runs both (the raw form in a test-only rule file) on one set of destinations, each a case one form could
 * get wrong, at the recording's 5-minute resolution over more than the 7-day look-back.
 */
export function newDestinationParityTest(s: GenerateSettings) {
  const spec = alertSpecs(s).find((a) => a.name === 'IstioEgressNewPassthroughDestination')!;
  const rawName = `${spec.name}RawReference`;
  const rawRules = {
    groups: [
      {
        name: 'istio-egress-raw-reference',
        interval: ALERTING.interval,
        rules: [
          {
            alert: rawName,
            expr: newPassthroughAlertExpr(scopeOf(s), {
              windowSeconds: s.alerts.newDestinationWindowSeconds,
              lookbackSeconds: s.alerts.lookbackSeconds,
              rawLookbackSeconds: ALERTING.rawLookbackSeconds,
              source: 'raw',
            }),
            labels: { severity: spec.severity },
            annotations: { summary: spec.summary, description: spec.description, runbook: spec.runbook },
          },
        ],
      },
    ],
  };
  // Steps of 5 minutes; the evaluation at step 2100 (7.3 days). `_xN` is N steps without a sample.
  const end = 2100;
  const http = (host: string, values: string) => ({
    series: `istio_requests_total{reporter="source",destination_service_name="PassthroughCluster",destination_service="${host}",source_workload="checkout",source_workload_namespace="shop",response_code="200"}`,
    values,
  });
  // "Now" is the last two steps (the 10-minute window); the raw hour before it is steps end-13 to end-2.
  const input_series = [
    // Reached six days ago, not since: not new (needs the recorded week).
    http('six-days-ago.example.com', '_x300 0+1x20'),
    // Reached two hours ago and again now: not new (outside the raw hour, inside the recorded week).
    http('two-hours-ago.example.com', `_x${end - 30} 0+1x5 _x23 6+1x1`),
    // Reached half an hour ago and again now: not new (the raw hour covers it).
    http('half-an-hour-ago.example.com', `_x${end - 7} 0+1x1 _x4 2+1x1`),
    // Reached all along: not new.
    http('steady.example.com', `_x1500 0+1x${end - 1500}`),
    // Reached only now: new, on HTTP and on TCP.
    http('brand-new.example.com', `_x${end - 1} 0+1x1`),
    {
      series:
        'istio_tcp_connections_closed_total{reporter="source",destination_service_name="PassthroughCluster",destination_ip="198.51.100.20:443",source_workload="etl",source_workload_namespace="data"}',
      values: `_x${end - 1} 0+1x1`,
    },
  ];
  const fired = (ns: string, wl: string, destination: string) => ({
    exp_labels: { severity: spec.severity, source_workload_namespace: ns, source_workload: wl, destination },
    exp_annotations: {
      summary: spec.summary
        .replace('{{ $labels.source_workload_namespace }}', ns)
        .replace('{{ $labels.source_workload }}', wl)
        .replace('{{ $labels.destination }}', destination),
      description: spec.description,
      runbook: spec.runbook,
    },
  });
  const expected = [fired('shop', 'checkout', 'brand-new.example.com'), fired('data', 'etl', '198.51.100.20:443')];
  const test = {
    rule_files: ['../istio-egress.rules.yml', 'new-destination-raw-reference.rules.yml'],
    evaluation_interval: '5m',
    tests: [
      {
        interval: '5m',
        input_series,
        alert_rule_test: [spec.name, rawName].map((alertname) => ({
          eval_time: `${end * 5}m`,
          alertname,
          exp_alerts: expected,
        })),
      },
    ],
  };
  return { rawRules, test };
}
