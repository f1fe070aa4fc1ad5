import { type EgressCell, cellVolume } from './cells';
import { EgressError } from './errors';
import { type CellsResult, fetchCells } from './fetchCells';
import { LABEL, METRIC, UNKNOWN } from './labels';
import type { PrometheusApi } from './prometheusApi';
import { type EgressScope, scopeOnlySelector } from './selectors';
import { commentSafe, serviceEntriesYaml, yamlQuoted } from './serviceEntries';

/**
 * Moving a namespace from ALLOW_ANY to REGISTRY_ONLY without breaking it: what it reaches through the
 * catch-all clusters, what is registered already, and the change to apply. Used by the CLI
 * (`istio-egress lockdown`), the data source and the app's "Lock down" pages.
 */

/** The outbound policy the namespace's traffic shows: passthrough seen means ALLOW_ANY, blackhole REGISTRY_ONLY. */
export type LockdownMode = 'ALLOW_ANY' | 'REGISTRY_ONLY' | 'mixed' | 'unknown';

export interface LockdownDestination {
  destination: string;
  listener: EgressCell['listener'];
  ports: number[];
  requests: number;
  connections: number;
  /** Source workloads of the namespace that reached it. */
  workloads: string[];
  /** A ServiceEntry registers it already (the `registered` category): REGISTRY_ONLY keeps it working. */
  registered: boolean;
  /** It was blocked (BlackHoleCluster) in the range: the namespace already runs REGISTRY_ONLY for it. */
  blocked: boolean;
  /** It went through PassthroughCluster in the range: unregistered, REGISTRY_ONLY would block it. */
  allowed: boolean;
}

export interface Unregistrable {
  workload: string;
  listener: EgressCell['listener'];
  connections: number;
  why: string;
  todo: string;
}

export interface LockdownPlan {
  namespace: string;
  mode: LockdownMode;
  /** Share of the namespace's passthrough volume that ServiceEntries register already (1 when there is none). */
  readiness: number;
  destinations: LockdownDestination[];
  unregistrable: Unregistrable[];
  /** Workloads of the namespace whose calls to mesh services hit BlackHoleCluster: a Sidecar scopes them. */
  sidecarEvidence: string[];
  from: number;
  to: number;
}

function modeOf(cells: readonly EgressCell[]): LockdownMode {
  const external = cells.filter((c) => c.category === 'external');
  const allowed = external.some((c) => c.verdict === 'passthrough');
  const blocked = external.some((c) => c.verdict === 'blackhole');
  return allowed && blocked ? 'mixed' : allowed ? 'ALLOW_ANY' : blocked ? 'REGISTRY_ONLY' : 'unknown';
}

const NO_ADDRESS_TODO =
  'Add the destination IP label to Istio TCP metrics (deploy/telemetry-destination-ip.yaml) and look again, or register these destinations by hand before switching.';
const AMBIENT_TODO =
  'Ambient mode has no REGISTRY_ONLY (istio/istio#54281): block with an egress waypoint and AuthorizationPolicy, or a NetworkPolicy, instead.';

/** The plan for one namespace from its cells (every category asked for: registered and ambient tell things). */
export function lockdownPlan(namespace: string, result: Pick<CellsResult, 'cells' | 'from' | 'to'>): LockdownPlan {
  const cells = result.cells.filter((c) => c.sourceNamespace === namespace);
  const byDest = new Map<string, LockdownDestination>();
  const unregistrable: Unregistrable[] = [];
  let passthrough = 0;
  let registeredVolume = 0;
  const sidecarEvidence = new Set<string>();
  for (const c of cells) {
    if (c.category === 'in-mesh') {
      if (c.verdict === 'blackhole') {
        sidecarEvidence.add(c.sourceWorkload);
      }
      continue;
    }
    if (c.category === 'ambient') {
      unregistrable.push({
        workload: c.sourceWorkload,
        listener: c.listener,
        connections: c.connections,
        why: c.reason ?? 'ztunnel records no destination address',
        todo: AMBIENT_TODO,
      });
      continue;
    }
    const registered = c.category === 'registered';
    if (c.destination === UNKNOWN) {
      unregistrable.push({
        workload: c.sourceWorkload,
        listener: c.listener,
        connections: c.connections,
        why: 'catch-all TCP without a destination address: the metrics carry no destination IP label',
        todo: NO_ADDRESS_TODO,
      });
      continue;
    }
    if (c.verdict === 'passthrough') {
      const v = cellVolume(c);
      passthrough += v;
      if (registered) {
        registeredVolume += v;
      }
    }
    const key = `${c.listener}\u0000${c.destination}`;
    let d = byDest.get(key);
    if (!d) {
      d = {
        destination: c.destination,
        listener: c.listener,
        ports: [],
        requests: 0,
        connections: 0,
        workloads: [],
        registered,
        blocked: false,
        allowed: false,
      };
      byDest.set(key, d);
    }
    d.registered ||= registered;
    d.blocked ||= c.verdict === 'blackhole';
    d.allowed ||= c.verdict === 'passthrough';
    d.requests += c.requests;
    d.connections += c.connections;
    if (c.port !== undefined && !d.ports.includes(c.port)) {
      d.ports.push(c.port);
    }
    if (!d.workloads.includes(c.sourceWorkload)) {
      d.workloads.push(c.sourceWorkload);
    }
  }
  const destinations = [...byDest.values()]
    .map((d) => ({ ...d, ports: d.ports.sort((a, b) => a - b), workloads: d.workloads.sort() }))
    .sort(
      (a, b) =>
        Number(a.registered) - Number(b.registered) ||
        b.requests + b.connections - (a.requests + a.connections) ||
        (a.destination < b.destination ? -1 : 1)
    );
  return {
    namespace,
    mode: modeOf(cells),
    readiness: passthrough > 0 ? registeredVolume / passthrough : 1,
    destinations,
    unregistrable,
    sidecarEvidence: [...sidecarEvidence].sort(),
    from: result.from,
    to: result.to,
  };
}

/** Readiness as a whole percentage, rounded down: 99.6% registered is not ready. */
export const readinessPercent = (plan: Pick<LockdownPlan, 'readiness'>) => `${Math.floor(plan.readiness * 100)}%`;

/** The order `--all-namespaces` and the app's "Lock down" page list plans in: readiest first, then by name. */
export function byReadiness(a: LockdownPlan, b: LockdownPlan): number {
  return b.readiness - a.readiness || (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0);
}

/** External destinations REGISTRY_ONLY would block: reached through PassthroughCluster, registered by nothing. */
export function toRegister(plan: LockdownPlan): LockdownDestination[] {
  return plan.destinations.filter((d) => !d.registered && d.allowed);
}

/** The plan as the CLI's `--format json` prints it. */
export function lockdownJson(plan: LockdownPlan) {
  return {
    namespace: plan.namespace,
    mode: plan.mode,
    readiness: Math.round(plan.readiness * 1000) / 1000,
    destinations: plan.destinations.map((d) => ({
      destination: d.destination,
      listener: d.listener,
      ports: d.ports,
      requests: Math.round(d.requests * 1000) / 1000,
      connections: Math.round(d.connections * 1000) / 1000,
      workloads: d.workloads,
      registered: d.registered,
      ...(d.blocked ? { blocked: true } : {}),
    })),
    unregistrable: plan.unregistrable,
  };
}

/**
 * The change to apply: ServiceEntries (namespace-scoped, exportTo ".") for the external destinations the
 * namespace reached through PassthroughCluster and no entry registers, then the namespace's Sidecar with
 * `outboundTrafficPolicy: {mode: REGISTRY_ONLY}`. Same YAML safety as `serviceentries`: printable ASCII,
 * every scalar double-quoted.
 */
export function lockdownYaml(plan: LockdownPlan, cells: readonly EgressCell[]): string {
  const ns = plan.namespace;
  const unregistered = cells.filter(
    (c) => c.sourceNamespace === ns && c.category === 'external' && c.verdict === 'passthrough'
  );
  const header = [
    `Lock down namespace ${ns}: ${plan.mode === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY already by its traffic (nothing went through PassthroughCluster); this keeps it so' : `from ${plan.mode} to REGISTRY_ONLY`}, for traffic seen ${new Date(plan.from * 1000).toISOString()} .. ${new Date(plan.to * 1000).toISOString()}.`,
    `Readiness ${readinessPercent(plan)}: the share of its passthrough traffic that ServiceEntries register already.`,
    'Apply the ServiceEntries first, then the Sidecar; afterwards watch BlackHoleCluster for this namespace.',
  ];
  for (const u of plan.unregistrable) {
    header.push(`Cannot be registered from telemetry: ${u.workload} (${u.listener}): ${u.why}. ${u.todo}`);
  }
  const entries = serviceEntriesYaml(unregistered, { scope: 'namespace', header: header.join('\n') }).trimEnd();
  const sidecar = [
    '---',
    commentSafe(
      `# Namespace ${ns}: only registered hosts leave the mesh. Istio allows one Sidecar without a workloadSelector per namespace: if ${ns} has one already, add outboundTrafficPolicy to it instead of applying this one.`
    ),
    ...(plan.sidecarEvidence.length > 0
      ? [
          commentSafe(
            `# ${ns} has a Sidecar already, by its traffic: calls from ${plan.sidecarEvidence.join(', ')} to mesh services are blocked by Sidecar egress hosts. Merge into that Sidecar.`
          ),
        ]
      : []),
    'apiVersion: networking.istio.io/v1',
    'kind: Sidecar',
    'metadata:',
    `  name: ${yamlQuoted('default')}`,
    `  namespace: ${yamlQuoted(ns)}`,
    'spec:',
    '  outboundTrafficPolicy:',
    '    mode: REGISTRY_ONLY',
  ];
  return `${entries}\n${sidecar.join('\n')}\n`;
}

/** Source namespaces with catch-all or registered egress in [from, to], from the label index. */
export async function egressNamespaces(api: PrometheusApi, scope: EgressScope, from: number, to: number) {
  const sel = [METRIC.requests, METRIC.tcpClosed].map((m) =>
    scopeOnlySelector(m, scope, [{ label: LABEL.reporter, op: '=', value: 'source' }])
  );
  const values = await api.labelValues(LABEL.sourceNamespace, sel, from, to);
  return values.filter((v) => v && v !== UNKNOWN).sort();
}

/**
 * Plans for `namespaces` (all that have egress when undefined): one fetch of every category, then a plan
 * per namespace. A namespace that sent nothing in the range is an error naming the ones that did.
 */
export async function fetchLockdownPlans(
  api: PrometheusApi,
  req: { scope: EgressScope; from: number; to: number; namespaces?: readonly string[] }
): Promise<{ plans: LockdownPlan[]; result: CellsResult }> {
  const scope: EgressScope = {
    ...req.scope,
    include: ['in-mesh', 'registered', 'ambient'],
    sourceNamespace: req.namespaces ? { kind: 'values', values: req.namespaces } : req.scope.sourceNamespace,
  };
  const result = await fetchCells(api, { scope, from: req.from, to: req.to });
  const seen = new Set(result.cells.map((c) => c.sourceNamespace));
  const namespaces = req.namespaces ?? [...seen].sort();
  const missing = namespaces.filter((ns) => !seen.has(ns));
  if (missing.length > 0) {
    const known = await egressNamespaces(api, req.scope, req.from, req.to);
    throw new EgressError(
      `No egress from namespace ${missing.map((m) => JSON.stringify(m)).join(', ')} between ${new Date(req.from * 1000).toISOString()} and ${new Date(req.to * 1000).toISOString()}. ` +
        (known.length > 0
          ? `Namespaces with egress then: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', …' : ''}.`
          : 'No namespace sent egress then: widen --from/--to, or check --selector.')
    );
  }
  const plans = namespaces.map((ns) => lockdownPlan(ns, result));
  return { plans, result };
}
