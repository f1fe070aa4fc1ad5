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

/** A host as DNS compares it: lower case, no trailing dot. */
function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

/**
 * Why a Host header names a mesh service, or undefined. Kubernetes resolves `reviews`, `reviews.shop`,
 * `reviews.shop.svc` and `reviews.shop.svc.<domain>` through the pod's search path; the two-label form
 * counts only when its second label is a namespace the mesh has, so `example.com` stays external.
 */
function meshHostReason(host: string, domain: string, namespaces: ReadonlySet<string>): string | undefined {
  const h = normalizeHost(host);
  if (!h || h === UNKNOWN || isIPv4(h) || isIPv6(h)) {
    return undefined;
  }
  if (h.endsWith('.svc') || h.endsWith(`.svc.${domain}`)) {
    return `${h} is a Kubernetes service name`;
  }
  const labels = h.split('.');
  if (labels.length === 1) {
    return `${h} is a short name that only resolves inside the cluster`;
  }
  if (labels.length === 2 && namespaces.has(labels[1])) {
    return `${h} is service ${labels[0]} in mesh namespace ${labels[1]}`;
  }
  return undefined;
}

/** True for a two-label host whose second label could be a namespace: the classifier then needs them. */
export function needsNamespaces(host: string): boolean {
  const labels = normalizeHost(host).split('.');
  return labels.length === 2 && !isIPv4(host);
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
}

const known = (v: string | undefined): v is string => v !== undefined && v !== '' && v !== UNKNOWN;

/** Classifies catch-all series (PassthroughCluster, BlackHoleCluster, AllowAnyDynamicDNSCluster). */
export class CatchAllClassifier {
  private readonly domain: string;
  private readonly cidrs: Cidr[];

  constructor(
    mesh: MeshSettings | undefined,
    private readonly namespaces: ReadonlySet<string> = new Set()
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
      const why = meshHostReason(host, this.domain, this.namespaces);
      if (why) {
        return {
          category: 'in-mesh',
          reason:
            f.verdict === 'blackhole'
              ? `blocked in-mesh call: ${why}, left out of the caller's Sidecar egress hosts`
              : `${why}, reached through PassthroughCluster: not external`,
        };
      }
    }
    return { category: 'external' };
  }
}
