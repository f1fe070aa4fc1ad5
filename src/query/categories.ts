import { type Cidr, cidrContains, parseCidrList } from './cidr';
import { EgressError } from './errors';
import { isIPv4, isIPv6, type ParsedDestination } from './destination';
import { UNKNOWN } from './labels';

/**
 * What a series that left a sidecar through a catch-all path really is. Only `external` is egress in
 * the sense operators mean; the others are shown when asked, never mixed into external counts.
 *
 * - `external`: a destination outside the mesh (today's cells), through PassthroughCluster,
 *   BlackHoleCluster or, with Istio 1.31's ALLOW_ANY_DYNAMIC_DNS, AllowAnyDynamicDNSCluster.
 * - `in-mesh`: catch-all traffic to a mesh workload: pod IPs dialled directly (istio/istio#35726,
 *   kiali/kiali#4453), in-cluster CIDRs, or mesh service names blackholed by a Sidecar's egress hosts.
 * - `registered`: traffic to ServiceEntry hosts, directly or through an egress gateway or egress proxy.
 * - `ambient`: ztunnel's passthrough connections (no destination address exists, istio/ztunnel#1600) and
 *   egress waypoints' allowed and denied requests.
 */
export type Category = 'external' | 'in-mesh' | 'registered' | 'ambient';

const CATEGORIES: readonly Category[] = ['external', 'in-mesh', 'registered', 'ambient'];

export function isCategory(s: string): s is Category {
  return (CATEGORIES as readonly string[]).includes(s);
}

/** Parses `in-mesh,registered` (the CLI's --include); `external` is always included. */
export function parseCategories(text: string, what = '--include'): Category[] {
  const out = new Set<Category>(['external']);
  for (const item of text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (item === 'all') {
      CATEGORIES.forEach((c) => out.add(c));
      continue;
    }
    if (!isCategory(item)) {
      throw new EgressError(
        `${what}: ${JSON.stringify(item)} is not a category. Use in-mesh, registered, ambient (comma-separated), or all.`
      );
    }
    out.add(item);
  }
  return CATEGORIES.filter((c) => out.has(c));
}

/** What the classifier needs to know about the mesh beyond the series' own labels. */
export interface MeshSettings {
  /** Kubernetes cluster domain: mesh service hosts end in `.svc.<domain>`. */
  clusterDomain?: string;
  /** Pod and service ranges: catch-all TCP to these is in-mesh even when the workload is `unknown`. */
  inClusterCidrs?: readonly string[];
  /** Service names (`destination_service_name`) of egress gateways and egress proxies. */
  egressGateways?: readonly string[];
}

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const DEFAULT_EGRESS_GATEWAYS: readonly string[] = ['istio-egressgateway'];

export function clusterDomainOf(mesh: MeshSettings | undefined): string {
  const domain = (mesh?.clusterDomain ?? '')
    .trim()
    .replace(/^\.+|\.+$/g, '')
    .toLowerCase();
  if (domain && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(domain)) {
    throw new EgressError(
      `Cluster domain ${JSON.stringify(mesh?.clusterDomain)} is not a DNS name, e.g. cluster.local.`
    );
  }
  return domain || DEFAULT_CLUSTER_DOMAIN;
}

export function egressGatewaysOf(mesh: MeshSettings | undefined): readonly string[] {
  const names = (mesh?.egressGateways ?? DEFAULT_EGRESS_GATEWAYS).map((s) => s.trim()).filter(Boolean);
  return names;
}

export function inClusterCidrsOf(mesh: MeshSettings | undefined): Cidr[] {
  return parseCidrList(mesh?.inClusterCidrs ?? [], 'In-cluster CIDRs');
}

const known = (v: string | undefined): v is string => v !== undefined && v !== '' && v !== UNKNOWN;

/** A host as DNS compares it: lower case, no trailing dot. */
function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/** Where the plugin saw that a mesh service exists: the reason names it. */
export type ServiceEvidence = 'mesh traffic' | 'kube-state-metrics';

const EVIDENCE_TEXT: Record<ServiceEvidence, string> = {
  'mesh traffic': "seen as a destination service of the mesh's own traffic",
  'kube-state-metrics': "listed by kube-state-metrics' kube_service_info",
};

/**
 * The mesh services the plugin has evidence of, by `name.namespace`. Built from the series index
 * (fetchCells.ts `knownServices`) only for the names the catch-all hosts could mean.
 */
export class KnownServices {
  private readonly byKey = new Map<string, ServiceEvidence>();

  add(name: string, namespace: string, evidence: ServiceEvidence): void {
    const key = `${name.toLowerCase()}.${namespace.toLowerCase()}`;
    // Mesh traffic is the stronger evidence: it shows the service answering, not just defined.
    if (!this.byKey.has(key) || evidence === 'mesh traffic') {
      this.byKey.set(key, evidence);
    }
  }

  evidenceFor(name: string, namespace: string): ServiceEvidence | undefined {
    return this.byKey.get(`${name}.${namespace}`);
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** The `name.namespace` service a host could mean, or undefined when it names none. */
export interface ServiceCandidate {
  name: string;
  namespace: string;
  form: 'svc' | 'short' | 'two-label';
}

/**
 * The service a Host header would name inside the cluster: `reviews.shop.svc[.<domain>]`, `reviews.shop`,
 * or `reviews` (in the caller's namespace, through the pod's DNS search path). IP literals and longer
 * names name no service.
 */
export function serviceCandidate(host: string, domain: string, sourceNamespace?: string): ServiceCandidate | undefined {
  const h = normalizeHost(host);
  if (!h || h === UNKNOWN || isIPv4(h) || isIPv6(h)) {
    return undefined;
  }
  const labels = h.split('.');
  if (h.endsWith('.svc') || h.endsWith(`.svc.${domain}`)) {
    const svcAt = labels.indexOf('svc');
    return svcAt === 2 ? { name: labels[0], namespace: labels[1], form: 'svc' } : undefined;
  }
  if (labels.length === 1) {
    return sourceNamespace && known(sourceNamespace)
      ? { name: labels[0], namespace: sourceNamespace, form: 'short' }
      : undefined;
  }
  if (labels.length === 2) {
    return { name: labels[0], namespace: labels[1], form: 'two-label' };
  }
  return undefined;
}

/**
 * Why a Host header names a mesh service, or undefined when it may be external.
 *
 * `*.svc` and `*.svc.<domain>` names and short names resolve only through the cluster's DNS (the pod's
 * search path), so no host outside answers them: they are in-mesh by name, and the reason adds the
 * evidence when there is some. A two-label host is different: `reviews.shop` resolves in the cluster
 * only when service `reviews` exists in namespace `shop`, while `notion.app` or `status.io` is a public
 * name whose last label is also a namespace the mesh may have (namespaces are often named like
 * top-level domains). So a two-label host is in-mesh only on evidence that the service exists; without
 * it the traffic stays external: a security tool must not hide egress it saw.
 */
function meshHostReason(
  host: string,
  domain: string,
  sourceNamespace: string | undefined,
  services: KnownServices
): string | undefined {
  const h = normalizeHost(host);
  const candidate = serviceCandidate(h, domain, sourceNamespace);
  const evidence = candidate && services.evidenceFor(candidate.name, candidate.namespace);
  const named = candidate && `service ${candidate.name} in namespace ${candidate.namespace}`;
  if (candidate && evidence) {
    return `${h} is ${named} (${EVIDENCE_TEXT[evidence]})`;
  }
  if (h.endsWith('.svc') || h.endsWith(`.svc.${domain}`)) {
    return `${h} is a Kubernetes service name: only the cluster's DNS answers it`;
  }
  if (!h.includes('.') && !isIPv6(h) && h !== UNKNOWN && h !== '') {
    return `${h} is a short name that only the pod's DNS search path resolves`;
  }
  return undefined;
}

export interface Classified {
  category: Category;
  /** Why a cell is not plain external egress, for tooltips and JSON. */
  reason?: string;
}

/** What the classifier reads from one series, already taken out of its labels. */
export interface SeriesFacts {
  listener: 'http' | 'tcp';
  verdict: 'blackhole' | 'passthrough';
  destination: ParsedDestination | undefined;
  destinationWorkload?: string;
  destinationWorkloadNamespace?: string;
  /** The caller's namespace: a short Host name means a service there. */
  sourceNamespace?: string;
}

/** Classifies catch-all series (PassthroughCluster, BlackHoleCluster, AllowAnyDynamicDNSCluster). */
export class CatchAllClassifier {
  private readonly domain: string;
  private readonly cidrs: Cidr[];

  constructor(
    mesh: MeshSettings | undefined,
    private readonly services: KnownServices = new KnownServices()
  ) {
    this.domain = clusterDomainOf(mesh);
    this.cidrs = inClusterCidrsOf(mesh);
  }

  classify(f: SeriesFacts): Classified {
    if (known(f.destinationWorkload)) {
      // The peer answered Istio's metadata exchange: a mesh workload, reached by its IP.
      const ns = known(f.destinationWorkloadNamespace) ? `${f.destinationWorkloadNamespace}/` : '';
      return {
        category: 'in-mesh',
        reason: `reached workload ${ns}${f.destinationWorkload} by IP: not external`,
      };
    }
    const host = f.destination?.host;
    if (host && (f.destination?.kind === 'ipv4' || f.destination?.kind === 'ipv6')) {
      const range = this.cidrs.find((c) => cidrContains(c, host));
      if (range) {
        return { category: 'in-mesh', reason: `${host} is in the in-cluster range ${range.text}: not external` };
      }
    }
    if (f.listener === 'http' && host) {
      const why = meshHostReason(host, this.domain, f.sourceNamespace, this.services);
      if (why) {
        return {
          category: 'in-mesh',
          // BlackHoleCluster: REGISTRY_ONLY with a Sidecar whose egress hosts leave the service out sends
          // its calls there (istio/istio#21385). PassthroughCluster: a service the caller's proxy knows is
          // routed to its own cluster, so one seen here is outside the caller's view (a Sidecar's egress
          // hosts under ALLOW_ANY, or a namespace outside the mesh's discoverySelectors).
          reason:
            f.verdict === 'blackhole'
              ? `blocked in-mesh call: ${why}, left out of the caller's Sidecar egress hosts`
              : `${why}, reached through PassthroughCluster because the caller's proxy does not import it (Sidecar egress hosts or discoverySelectors): not external`,
        };
      }
    }
    return { category: 'external' };
  }
}
