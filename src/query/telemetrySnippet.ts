import { assertLabelName } from './escaping';
import { DEFAULT_IP_LABEL } from './labels';

/**
 * The Istio Telemetry resource that adds the destination address to TCP metrics, limited to catch-all
 * traffic so in-mesh series keep their cardinality (every other connection gets the constant 'n/a').
 * Envoy's destination.address is `IP:port`, which the query core parses.
 */
export function ipLabelTelemetryYaml(ipLabel: string = DEFAULT_IP_LABEL): string {
  const label = assertLabelName(ipLabel);
  const metrics = ['TCP_CLOSED_CONNECTIONS', 'TCP_OPENED_CONNECTIONS', 'TCP_SENT_BYTES', 'TCP_RECEIVED_BYTES'];
  const overrides = metrics.flatMap((metric) => [
    `    - match: {metric: ${metric}, mode: CLIENT}`,
    '      tagOverrides:',
    `        ${label}:`,
    `          value: "xds.cluster_name == 'PassthroughCluster' || xds.cluster_name == 'BlackHoleCluster' ? destination.address : 'n/a'"`,
  ]);
  return [
    'apiVersion: telemetry.istio.io/v1',
    'kind: Telemetry',
    'metadata:',
    '  name: egress-destination-ip',
    '  namespace: istio-system',
    'spec:',
    '  metrics:',
    '  - providers:',
    '    - name: prometheus',
    '    overrides:',
    ...overrides,
    '',
  ].join('\n');
}
