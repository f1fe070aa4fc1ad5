import type { Flow } from './flows';
import type { CounterSpec } from './series';

/**
 * A mesh with every shape of traffic that passes the catch-all clusters or leaves the mesh another way,
 * each with the labels Istio really writes (sources in the comments). Several pods per workload, as a
 * scrape of a real Deployment gives. Tests run it with in-cluster CIDRs SHAPES_IN_CLUSTER_CIDRS.
 */
export const SHAPES_CLUSTER = 'shapes-1';

/** Pod and service ranges of the shapes cluster (kubeadm's defaults). */
export const SHAPES_IN_CLUSTER_CIDRS = ['10.244.0.0/16', '10.96.0.0/12'];

/** The flow whose IP only the in-cluster CIDRs tell apart from an external one. */
export const CIDR_ONLY_DESTINATION = '10.244.5.9';

const peer = (workload: string, namespace: string) => ({
  destination_workload: workload,
  destination_workload_namespace: namespace,
  destination_app: workload,
  destination_principal: `spiffe://cluster.local/ns/${namespace}/sa/${workload}`,
  destination_service_namespace: namespace,
});

export function shapeFlows(): Flow[] {
  const c = SHAPES_CLUSTER;
  return [
    // Plain external traffic, from Deployments with several pods.
    {
      cluster: c,
      ns: 'web',
      wl: 'frontend',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'api.github.com',
      codes: { '200': 3, '404': 1 },
      pods: 3,
    },
    {
      cluster: c,
      ns: 'web',
      wl: 'frontend',
      verdict: 'blackhole',
      listener: 'http',
      destination: 'pastebin.com',
      codes: { '502': 1 },
      pods: 3,
    },
    {
      cluster: c,
      ns: 'stream',
      wl: 'consumer',
      verdict: 'passthrough',
      listener: 'tcp',
      destination: '93.184.216.34',
      port: 443,
      ipValue: '93.184.216.34:443',
      connsPerStep: 1,
      sentPerStep: 500,
      receivedPerStep: 4000,
      pods: 2,
    },

    // Pod-direct HTTP: a client dials a Kafka broker's pod IP. The sidecar has no route for the IP, so
    // PassthroughCluster, yet the metadata exchange names the broker (istio/istio#35726, kiali/kiali#4453).
    {
      cluster: c,
      ns: 'stream',
      wl: 'consumer',
      verdict: 'passthrough',
      listener: 'http',
      destination: '10.244.3.17',
      port: 8080,
      hostHeader: '10.244.3.17:8080',
      codes: { '200': 5 },
      labels: peer('kafka-broker', 'kafka'),
      pods: 2,
      category: 'in-mesh',
    },
    // Pod-direct TCP where TCP metadata exchange succeeded: the database workload is named.
    {
      cluster: c,
      ns: 'db',
      wl: 'pg-client',
      verdict: 'passthrough',
      listener: 'tcp',
      destination: '10.244.7.3',
      port: 5432,
      ipValue: '10.244.7.3:5432',
      connsPerStep: 2,
      sentPerStep: 100,
      receivedPerStep: 900,
      labels: peer('postgres', 'db'),
      category: 'in-mesh',
    },
    // Pod-direct TCP without metadata (a server-first protocol): only the pod range tells.
    {
      cluster: c,
      ns: 'stream',
      wl: 'consumer',
      verdict: 'passthrough',
      listener: 'tcp',
      destination: CIDR_ONLY_DESTINATION,
      port: 9092,
      ipValue: `${CIDR_ONLY_DESTINATION}:9092`,
      connsPerStep: 3,
      sentPerStep: 2000,
      receivedPerStep: 7000,
      category: 'in-mesh',
    },

    // A Sidecar whose egress hosts leave out the shop namespace: calls to its services hit BlackHoleCluster
    // with a mesh Host (istio/istio#21385), in every form the pod's DNS search path resolves.
    {
      cluster: c,
      ns: 'web',
      wl: 'frontend',
      verdict: 'blackhole',
      listener: 'http',
      destination: 'reviews.shop.svc.cluster.local',
      codes: { '502': 2 },
      category: 'in-mesh',
    },
    {
      cluster: c,
      ns: 'web',
      wl: 'frontend',
      verdict: 'blackhole',
      listener: 'http',
      destination: 'reviews.shop',
      codes: { '502': 1 },
      category: 'in-mesh',
    },
    {
      cluster: c,
      ns: 'web',
      wl: 'frontend',
      verdict: 'blackhole',
      listener: 'http',
      destination: 'ratings',
      port: 9080,
      hostHeader: 'ratings:9080',
      codes: { '502': 1 },
      category: 'in-mesh',
    },

    // Namespaces named like top-level domains (app, io, news): a two-label Host is a mesh service only where
    // the service exists, seen in the mesh's own traffic (ledger.io, reviews.shop: shapeMeshSeries) or listed
    // by kube-state-metrics (inventory.news). notion.app and status.io are public names: external.
    {
      cluster: c,
      ns: 'app',
      wl: 'portal',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'notion.app',
      codes: { '200': 1 },
    },
    {
      cluster: c,
      ns: 'app',
      wl: 'portal',
      verdict: 'blackhole',
      listener: 'http',
      destination: 'status.io',
      codes: { '502': 1 },
    },
    {
      cluster: c,
      ns: 'app',
      wl: 'portal',
      verdict: 'blackhole',
      listener: 'http',
      destination: 'ledger.io',
      codes: { '502': 1 },
      category: 'in-mesh',
    },
    {
      cluster: c,
      ns: 'app',
      wl: 'portal',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'inventory.news',
      codes: { '200': 1 },
      category: 'in-mesh',
    },

    // ALLOW_ANY_DYNAMIC_DNS (Istio 1.31): plain HTTP goes to AllowAnyDynamicDNSCluster. The route is
    // `allow_any_dynamic_dns` and the cluster has no service metadata, so istio_stats.cc names the series
    // after the Host header (destination_service_name and destination_service) with namespace unknown.
    {
      cluster: c,
      ns: 'web',
      wl: 'frontend',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'httpbin.org',
      serviceName: 'httpbin.org',
      codes: { '200': 2 },
      pods: 3,
    },
    {
      cluster: c,
      ns: 'data',
      wl: 'weather-sync',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'api.weather.example',
      port: 8080,
      hostHeader: 'api.weather.example:8080',
      serviceName: 'api.weather.example:8080',
      codes: { '200': 1, '503': 1 },
    },

    // ServiceEntry hosts: the entry's name and, since Istio 1.23, its namespace (cluster metadata).
    {
      cluster: c,
      ns: 'shop',
      wl: 'checkout',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'api.stripe.com',
      serviceName: 'api.stripe.com',
      codes: { '200': 4 },
      labels: { destination_service_namespace: 'shop' },
      category: 'registered',
    },
    {
      cluster: c,
      ns: 'shop',
      wl: 'payments',
      verdict: 'passthrough',
      listener: 'tcp',
      destination: 'db.partner.example',
      serviceName: 'db.partner.example',
      connsPerStep: 1,
      sentPerStep: 300,
      receivedPerStep: 3000,
      dialPort: 5432,
      labels: {
        destination_service: 'db.partner.example',
        destination_service_namespace: 'shop',
        destination_ip: 'n/a',
      },
      category: 'registered',
    },
    // Through the egress gateway: the sidecar's series name the gateway (a mesh workload, with metadata)...
    {
      cluster: c,
      ns: 'shop',
      wl: 'checkout',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'istio-egressgateway.istio-system.svc.cluster.local',
      serviceName: 'istio-egressgateway',
      codes: { '200': 2 },
      labels: peer('istio-egressgateway', 'istio-system'),
      category: 'registered',
    },
    // ...and the gateway's own outbound series name the ServiceEntry host.
    {
      cluster: c,
      ns: 'istio-system',
      wl: 'istio-egressgateway',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'edition.cnn.com',
      serviceName: 'edition.cnn.com',
      codes: { '200': 2 },
      labels: { destination_service_namespace: 'istio-system' },
      pods: 2,
      category: 'registered',
    },

    // Ambient: ztunnel's passthrough connections, every destination label unknown, no address
    // (istio/ztunnel src/proxy/metrics.rs; istio/ztunnel#1600).
    {
      cluster: c,
      ns: 'ambient-apps',
      wl: 'scraper',
      verdict: 'passthrough',
      listener: 'tcp',
      serviceName: 'unknown',
      connsPerStep: 4,
      sentPerStep: 800,
      receivedPerStep: 12000,
      labels: { response_flags: '-', destination_service: 'unknown', app: 'ztunnel' },
      pods: 2,
      category: 'ambient',
    },
    // A namespace half way to ambient: one workload still has its sidecar, one is enrolled in ztunnel.
    {
      cluster: c,
      ns: 'migrating',
      wl: 'mailer',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'api.sendgrid.com',
      codes: { '202': 2 },
    },
    {
      cluster: c,
      ns: 'migrating',
      wl: 'indexer',
      verdict: 'passthrough',
      listener: 'tcp',
      serviceName: 'unknown',
      connsPerStep: 1,
      sentPerStep: 200,
      receivedPerStep: 3000,
      labels: { response_flags: '-', destination_service: 'unknown', app: 'ztunnel' },
      category: 'ambient',
    },
    // Istio's root namespace runs sidecar workloads too (addons): its egress is the whole mesh's business.
    {
      cluster: c,
      ns: 'istio-system',
      wl: 'kiali',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'api.github.com',
      codes: { '200': 1 },
    },
    // An egress waypoint (reporter waypoint) in front of ServiceEntry hosts: allowed, and denied with 403.
    {
      cluster: c,
      ns: 'ambient-apps',
      wl: 'scraper',
      verdict: 'passthrough',
      listener: 'http',
      reporter: 'waypoint',
      destination: 'api.openai.com',
      serviceName: 'api.openai.com',
      codes: { '200': 2 },
      labels: { destination_service_namespace: 'egress' },
      category: 'ambient',
    },
    {
      cluster: c,
      ns: 'ambient-apps',
      wl: 'scraper',
      verdict: 'blackhole',
      listener: 'http',
      reporter: 'waypoint',
      destination: 'uploads.example.net',
      serviceName: 'uploads.example.net',
      codes: { '403': 1 },
      labels: { destination_service_namespace: 'egress' },
      category: 'ambient',
    },
  ];
}

/**
 * The shapes cluster's own mesh traffic and kube-state-metrics series: the evidence that `reviews.shop`,
 * `ledger.io` and `inventory.news` are services (and that `notion.app`, `status.io` are not).
 */
export function shapeMeshSeries(): CounterSpec[] {
  const call = (ns: string, wl: string, service: string, serviceNs: string): CounterSpec => ({
    name: 'istio_requests_total',
    labels: {
      cluster: SHAPES_CLUSTER,
      reporter: 'source',
      source_workload: wl,
      source_workload_namespace: ns,
      source_app: wl,
      source_principal: `spiffe://cluster.local/ns/${ns}/sa/${wl}`,
      ...peer(`${service}-v1`, serviceNs),
      destination_service_name: service,
      destination_service: `${service}.${serviceNs}.svc.cluster.local`,
      connection_security_policy: 'unknown',
      request_protocol: 'http',
      response_code: '200',
      response_flags: '-',
    },
    perStep: 4,
  });
  return [
    call('shop', 'frontend', 'reviews', 'shop'),
    call('shop', 'checkout', 'ledger', 'io'),
    {
      name: 'kube_service_info',
      labels: {
        cluster: SHAPES_CLUSTER,
        namespace: 'news',
        service: 'inventory',
        uid: '5b0c7d9e-2f41-4c61-9a57-0d1f3c2b8a11',
        cluster_ip: '10.96.14.2',
      },
      perStep: 0,
      initial: 1,
    },
  ];
}
