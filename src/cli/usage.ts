import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_EGRESS_GATEWAYS } from '../query/categories';
import { DEFAULT_IP_LABEL } from '../query/labels';

/** The CLI's help: the whole of it (`istio-egress --help`), or one command's (`istio-egress lockdown --help`). */

export type CommandName = 'matrix' | 'serviceentries' | 'lockdown' | 'promql';

const SYNOPSIS: Record<CommandName, string> = {
  matrix: `  istio-egress matrix --prometheus URL [--from T] [--to T] [--selector M] [--ip-label NAME] [MESH]
                      [--include C] [--format json|table] [--recorded auto|always|never] [--by-cluster]`,
  serviceentries: `  istio-egress serviceentries --prometheus URL [--from T] [--to T] [--selector M] [--ip-label NAME] [MESH]
                              [--namespace NS] [--scope namespace|mesh] [--root-namespace NS]
                              [--recorded auto|always|never]`,
  lockdown: `  istio-egress lockdown --prometheus URL (--namespace NS | --all-namespaces | --mesh) [--from T] [--to T]
                        [--selector M] [--ip-label NAME] [MESH] [--root-namespace NS] [--format yaml|json]
                        [--recorded auto|always|never]`,
  promql: `  istio-egress promql [--selector M] [--ip-label NAME] [--window D] [--scrape-interval D] [--rate-interval D]`,
};

const ABOUT: Record<CommandName, string> = {
  matrix: `  matrix: source workloads × external destinations with their verdicts and counts: --format json (default)
    or table. --by-cluster: a multi-cluster mesh's cells per source cluster (source_cluster), never summed
    across clusters; each cell gets sourceCluster (a CLUSTER column in the table).
  --recorded: count from the recording rules' series: auto (default, as the data source: for ranges of 6h and
    more that they cover), always or never. Which series were counted goes to stderr for long ranges.`,
  serviceentries: `  serviceentries: ServiceEntry YAML for what went through PassthroughCluster. --namespace NS: only NS's
    (an unknown one lists those with egress). --scope namespace (default): one entry per source namespace,
    exportTo "."; mesh: one per destination in the root namespace (--root-namespace, default istio-system),
    exportTo "*". --recorded as for matrix.`,
  lockdown: `  lockdown: what moving a namespace to REGISTRY_ONLY does to its traffic (default range: the last 24h), every
    flow with what happens to it (keeps flowing, breaks with the reason, not covered); --format yaml (default)
    writes ServiceEntries for what went through PassthroughCluster, then its REGISTRY_ONLY Sidecar; --format
    json prints the plan (readiness, willBreak, notCovered, applicable). --all-namespaces: one plan per
    namespace, the readiest first. --mesh: the whole mesh through meshConfig (no Sidecar), namespace by
    namespace. The root namespace (--root-namespace, default istio-system) never gets a Sidecar: a Sidecar
    there is every namespace's default. --recorded as for matrix: a plan counts what the matrix counts.`,
  promql: `  promql: the PromQL the data source runs, for pasting into Prometheus: --window D (default 1h), rate
    windows from --scrape-interval D (default 15s) as Grafana's $__rate_interval, or --rate-interval D.`,
};

const CONNECTION = `  Connection: --timeout D (default 30s); --query-params 'partial_response=false&dedup=true' on every request
    (Thanos, VictoriaMetrics: as Grafana's "Custom query parameters"). Credentials: --bearer-token-file FILE or
    PROMETHEUS_BEARER_TOKEN, or PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD (basic auth; user:pass@ in the URL
    works too). Never printed.`;

const TERMS = `  --config FILE: the settings file the generator reads (istio-egress.yaml): in-cluster CIDRs, cluster domain,
    egress gateways, root namespace; flags given beside it win.
  T: RFC 3339, unix seconds, or now-1h style (default --from now-1h, lockdown now-24h; --to now)
  M: extra label matchers for every query, e.g. 'cluster="eu-1", mesh=~"prod-.*"'
  NAME: the label carrying the destination address on TCP metrics (default ${DEFAULT_IP_LABEL})
  C: categories besides external to list: in-mesh, registered, ambient (comma-separated) or all
  D: a duration with its unit: 30s, 5m, 1h, 7d
  MESH: what tells in-mesh and registered traffic apart (the same fields as istio-egress.yaml):
    --in-cluster-cidrs LIST  pod and service ranges, e.g. 10.244.0.0/16,10.96.0.0/12 (default none; inClusterCidrs)
    --cluster-domain D       Kubernetes cluster domain (default ${DEFAULT_CLUSTER_DOMAIN}; clusterDomain)
    --egress-gateways LIST   service names of egress gateways and proxies (default ${DEFAULT_EGRESS_GATEWAYS.join(',')}; egressGateways)`;

const TITLE = 'istio-egress: Istio traffic through BlackHoleCluster and PassthroughCluster, from Prometheus.';
const COMMANDS = Object.keys(SYNOPSIS) as CommandName[];

/** Every command's help, or one command's: its synopsis, what it does, and the terms it uses. */
export function usage(command?: CommandName): string {
  const commands = command ? [command] : COMMANDS;
  const sections = [
    TITLE,
    '',
    'Usage:',
    ...commands.map((c) => SYNOPSIS[c]),
    '  istio-egress --version',
    '',
    ...commands.map((c) => ABOUT[c]),
    ...(command === 'promql' ? [] : [CONNECTION]),
    TERMS,
  ];
  return `${sections.join('\n')}\n`;
}
