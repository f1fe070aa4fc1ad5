import { LOCKDOWN_CLUSTER, LOCKDOWN_NAMESPACE } from './lockdown';
import { SHAPES_CLUSTER } from './shapes';

/**
 * The ServiceEntries the synthetic clusters have applied already: the reason their `registered` flows are
 * registered, and what the lock-down switch simulator (test/integration/switchSimulator.ts) matches flows
 * against beside a plan's own. ServiceEntries are each cluster's own config; a flow sees those of its cluster.
 */
export interface WorldServiceEntry {
  cluster: string;
  namespace: string;
  hosts: string[];
  /** CIDRs (TCP entries with resolution NONE). */
  addresses?: string[];
  ports: number[];
  /** As the resource writes it; absent means meshConfig.defaultServiceExportTo, `*` by default. */
  exportTo?: string[];
}

export function worldServiceEntries(): WorldServiceEntry[] {
  return [
    // shop's payment provider, registered in the shapes cluster only: the demo cluster's shop reaches the
    // same host through PassthroughCluster (a flow of its own that the plan must register).
    { cluster: SHAPES_CLUSTER, namespace: 'shop', hosts: ['api.stripe.com'], ports: [80], exportTo: ['.'] },
    { cluster: SHAPES_CLUSTER, namespace: 'shop', hosts: ['db.partner.example'], ports: [5432], exportTo: ['.'] },
    // Behind the egress gateway, for the whole mesh.
    { cluster: SHAPES_CLUSTER, namespace: 'istio-system', hosts: ['edition.cnn.com'], ports: [80] },
    // The ambient namespace's egress waypoint serves these (ztunnel ignores Sidecars either way).
    {
      cluster: SHAPES_CLUSTER,
      namespace: 'egress',
      hosts: ['api.openai.com', 'uploads.example.net'],
      ports: [80],
    },
    // billing's partner API on port 80 only: its calls on 8443 go through PassthroughCluster.
    {
      cluster: LOCKDOWN_CLUSTER,
      namespace: LOCKDOWN_NAMESPACE,
      hosts: ['api.partner.example'],
      ports: [80],
      exportTo: ['.'],
    },
  ];
}
