import { DATASOURCE_TYPE, UID } from './config';
import type { GenerateSettings } from './settings';

/**
 * The two data sources, for every way of provisioning them (files, the Helm chart, the Grafana Operator):
 * a core Prometheus, because Grafana-managed alert rules run on Grafana's backend and need a backend data
 * source, and this plugin's data source on the same Prometheus. Neither becomes the default: copied into
 * an existing Grafana, they must not replace the user's default data source.
 */
export function datasources(prometheusUrl: string, s: GenerateSettings) {
  return [
    {
      name: 'Prometheus (Istio)',
      uid: UID.prometheus,
      type: 'prometheus',
      access: 'proxy',
      url: prometheusUrl,
      isDefault: false,
      jsonData: { httpMethod: 'POST', timeInterval: '15s' },
    },
    {
      name: 'Istio Egress',
      uid: UID.egress,
      type: DATASOURCE_TYPE,
      access: 'proxy',
      url: prometheusUrl,
      isDefault: false,
      jsonData: {
        ipLabel: 'destination_ip',
        destinationLimit: 500,
        destinationNames: s.destinationNames,
        inClusterCidrs: s.mesh.inClusterCidrs,
        alertingDatasourceUid: UID.prometheus,
        clusterDomain: s.mesh.clusterDomain,
        egressGateways: s.mesh.egressGateways,
        rootNamespace: s.rootNamespace,
      },
    },
  ];
}
