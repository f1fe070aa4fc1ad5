import type { Flow } from '../../harness/synthetic/flows';
import type { WorldServiceEntry } from '../../harness/synthetic/serviceEntries';

/**
 * Replays the synthetic mesh's flows through Istio's outbound rule after a lock-down plan's YAML is applied,
 * independently of the plan's own model (src/query/lockdown.ts), from what Istio documents and does:
 *
 * - Which sidecars switch: a Sidecar without a workloadSelector applies to its namespace; one in the root
 *   namespace (meshConfig.rootNamespace) is the default of every namespace without its own (Istio's Sidecar
 *   reference, "NOTE 1" and the root namespace paragraph). Ambient workloads (ztunnel, waypoints) are not
 *   sidecars: untouched (Sidecars do nothing there; istio/istio#54281).
 * - What a switched sidecar passes: under REGISTRY_ONLY, a call that matches nothing in the proxy's
 *   registry goes to BlackHoleCluster (istio/istio pilot/pkg/networking/util/util.go IsAllowAnyOutbound,
 *   read by the outbound catch-all filter chains). A flow seen in PassthroughCluster matched nothing then,
 *   so it passes only if a ServiceEntry visible to its namespace now matches it: its host (HTTP, by the Host
 *   header; exact or `*.` wildcard) or address (TCP, within `addresses`) and the port it dialled. Visible:
 *   `exportTo` holds `*`, the namespace, or `.` in the entry's own namespace; absent means `*`
 *   (meshConfig.defaultServiceExportTo's default). Calls through an egress gateway go to a mesh Service.
 * - A call that was blocked stays blocked; nothing here unblocks.
 *
 * The flows carry the truth the metrics may lack: the port a client dialled (`dialPort`; an HTTP Host
 * without a port was sent to port 80, as HTTP clients do), and no host where the client sent none.
 */

/** One object of a YAML stream as kubectl reads it. */
export interface K8sObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: {
    hosts?: string[];
    addresses?: string[];
    exportTo?: string[];
    ports?: Array<{ number?: number }>;
    workloadSelector?: unknown;
    outboundTrafficPolicy?: { mode?: string };
  };
}

interface Entry {
  /** undefined: the plan's, applied to every cluster. */
  cluster?: string;
  namespace: string;
  hosts: string[];
  addresses: string[];
  ports: number[];
  exportTo: string[];
}

export type Replayed = 'passes' | 'breaks' | 'blocked' | 'untouched' | 'unswitched';

export interface SwitchSimulator {
  /** Namespaces whose sidecars run REGISTRY_ONLY once the objects are applied. */
  switched: (namespaces: readonly string[]) => Set<string>;
  /** What happens to one flow once the objects are applied. */
  replay: (flow: Flow) => Replayed;
}

const HTTP_PORT = 80;

function ipv4ToInt(ip: string): number | undefined {
  const m = ip.split('.');
  if (m.length !== 4 || m.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    return undefined;
  }
  return m.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** A CIDR containing an address: IPv4 by arithmetic, IPv6 exact (/128) as the plan writes them. */
function cidrHolds(cidr: string, address: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const bits = Number(bitsText ?? (net.includes(':') ? 128 : 32));
  if (net.includes(':') || address.includes(':')) {
    return bits === 128 && net.toLowerCase() === address.toLowerCase();
  }
  const a = ipv4ToInt(address);
  const n = ipv4ToInt(net);
  if (a === undefined || n === undefined) {
    return false;
  }
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(n / size);
}

function hostMatches(pattern: string, host: string): boolean {
  const h = host.toLowerCase();
  const p = pattern.toLowerCase();
  return p.startsWith('*.') ? h.endsWith(p.slice(1)) : p === h;
}

function visible(e: Entry, namespace: string): boolean {
  return e.exportTo.some((x) => x === '*' || x === namespace || (x === '.' && e.namespace === namespace));
}

export function switchSimulator(opts: {
  objects: readonly K8sObject[];
  world: readonly WorldServiceEntry[];
  rootNamespace: string;
  egressGateways: readonly string[];
}): SwitchSimulator {
  const entries: Entry[] = [
    ...opts.world.map((w) => ({ ...w, addresses: w.addresses ?? [], exportTo: w.exportTo ?? ['*'] })),
    ...opts.objects
      .filter((o) => o.kind === 'ServiceEntry')
      .map((o) => ({
        namespace: o.metadata?.namespace ?? 'default',
        hosts: o.spec?.hosts ?? [],
        addresses: o.spec?.addresses ?? [],
        ports: (o.spec?.ports ?? []).map((p) => Number(p.number)),
        exportTo: o.spec?.exportTo ?? ['*'],
      })),
  ];
  // Selector-less Sidecars per namespace and their mode (absent: the mesh's, ALLOW_ANY here).
  const sidecars = new Map<string, string | undefined>();
  for (const o of opts.objects) {
    if (o.kind === 'Sidecar' && !o.spec?.workloadSelector) {
      sidecars.set(o.metadata?.namespace ?? 'default', o.spec?.outboundTrafficPolicy?.mode);
    }
  }
  const modeOf = (ns: string) =>
    sidecars.has(ns)
      ? sidecars.get(ns)
      : sidecars.has(opts.rootNamespace)
        ? sidecars.get(opts.rootNamespace)
        : undefined;
  const isSwitched = (ns: string) => modeOf(ns) === 'REGISTRY_ONLY';

  const matches = (flow: Flow, e: Entry): boolean => {
    if ((e.cluster !== undefined && e.cluster !== flow.cluster) || !visible(e, flow.ns)) {
      return false;
    }
    const port = flow.dialPort ?? flow.port ?? (flow.listener === 'http' && flow.destination ? HTTP_PORT : undefined);
    if (port === undefined) {
      throw new Error(
        `switch simulator: flow ${flow.ns}/${flow.wl} -> ${flow.destination} has no port: give it dialPort`
      );
    }
    if (!e.ports.includes(port) || !flow.destination) {
      return false;
    }
    return flow.listener === 'http'
      ? e.hosts.some((h) => hostMatches(h, flow.destination!)) ||
          e.addresses.some((c) => cidrHolds(c, flow.destination!))
      : e.addresses.some((c) => cidrHolds(c, flow.destination!)) ||
          e.hosts.some((h) => hostMatches(h, flow.destination!));
  };

  return {
    switched: (namespaces) => new Set(namespaces.filter(isSwitched)),
    replay(flow) {
      if (flow.category === 'ambient') {
        return 'untouched';
      }
      if (flow.verdict === 'blackhole') {
        return 'blocked';
      }
      if (!isSwitched(flow.ns)) {
        return 'unswitched';
      }
      if (flow.serviceName && opts.egressGateways.includes(flow.serviceName)) {
        return 'passes';
      }
      // A call with no port the simulator can name cannot be matched; the TCP flows without an address label
      // still went somewhere, but no entry of the plan or the world names it.
      if (!flow.destination) {
        return 'breaks';
      }
      return entries.some((e) => matches(flow, e)) ? 'passes' : 'breaks';
    },
  };
}
