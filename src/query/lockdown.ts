import type { Category } from './categories';
import { cellVolume, type EgressCell } from './cells';
import { type Listener, UNKNOWN, type Verdict } from './labels';
import { serviceEntryTarget } from './serviceEntries';
import { isoTime } from './time';

/**
 * What moving a namespace from ALLOW_ANY to REGISTRY_ONLY does to its traffic: every flow it sent in the
 * range, each with its outcome once the plan (ServiceEntries, then a REGISTRY_ONLY Sidecar) is applied.
 * The pages, the CLI's YAML comments and its JSON all read this one model, so they say the same.
 *
 * The rule modelled is Istio's: a sidecar under REGISTRY_ONLY sends a connection that no listener or route
 * of its config matches to BlackHoleCluster instead of PassthroughCluster (istio/istio
 * `pilot/pkg/networking/util/util.go` IsAllowAnyOutbound, read by the outbound catch-all filter chains).
 * A flow seen in PassthroughCluster matched nothing, so it keeps flowing only if a ServiceEntry visible to
 * its namespace then matches its host (HTTP) or address (TCP) and port. A Sidecar without `egress`
 * imports every namespace's services (`*\/*`, `pilot/pkg/model/sidecar.go`); one without a
 * workloadSelector in the root namespace is the default of every namespace that has none of its own
 * (Istio's Sidecar reference), and ztunnel ignores Sidecars (ambient mode has no REGISTRY_ONLY,
 * istio/istio#54281).
 */

/** The outbound policy the namespace's traffic shows: passthrough seen means ALLOW_ANY, blackhole REGISTRY_ONLY. */
export type LockdownMode = 'ALLOW_ANY' | 'REGISTRY_ONLY' | 'mixed' | 'unknown';

/** What happens to a flow once the plan is applied. */
export type FlowOutcome = 'keeps-flowing' | 'breaks' | 'not-covered' | 'blocked-already' | 'unchanged';

/** Why a flow breaks: each has its own sentence and remedy (BREAKS). */
export type BreakReason = 'no-address' | 'no-host' | 'no-port' | 'unregistrable-host' | 'in-mesh';

export interface LockdownFlow {
  workload: string;
  listener: Listener;
  /** Host (HTTP) or IP (TCP) as the metrics name it; `unknown` where they carry none. */
  destination: string;
  /** The port the flow used: from the metrics, or 80 for an HTTP Host without one (RFC 9110 §4.2.1). */
  port?: number;
  verdict: Verdict;
  category: Category;
  requests: number;
  connections: number;
  outcome: FlowOutcome;
  /** keeps-flowing: registered already, or by this plan's ServiceEntry. */
  keptBy?: 'registered' | 'this plan';
  breaks?: BreakReason;
  /** The outcome in words: the same sentence on the page, in the YAML's comments and in the JSON. */
  why: string;
  /** What to do, for a flow that breaks or is not covered. */
  todo?: string;
}

/** Where a REGISTRY_ONLY Sidecar in this namespace is the wrong tool, and what to do instead. */
export interface NotApplicable {
  kind: 'root-namespace' | 'ambient' | 'no-traffic';
  reason: string;
}

export interface LockdownPlan {
  namespace: string;
  /** `namespace`: a Sidecar in the namespace. `mesh`: meshConfig for every namespace (the mesh-wide view). */
  scope: 'namespace' | 'mesh';
  mode: LockdownMode;
  flows: LockdownFlow[];
  /**
   * The share of the namespace's catch-all traffic governed by the switch (PassthroughCluster flows of its
   * sidecar workloads: requests + connections) that keeps flowing after the plan. 1 only when nothing
   * breaks; undefined where no such traffic was seen (nothing proves the switch safe or unsafe).
   */
  readiness: number | undefined;
  /** Undefined where the plan applies; otherwise why not (the YAML then writes no Sidecar). */
  notApplicable?: NotApplicable;
  /** Workloads whose calls to mesh services hit BlackHoleCluster: a Sidecar with egress hosts exists already. */
  sidecarEvidence: string[];
  /** Ambient workloads of the namespace (ztunnel or waypoint series): a Sidecar does not govern them. */
  ambientWorkloads: string[];
  rootNamespace: string;
  from: number;
  to: number;
}

export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** The port an HTTP request without one in its Host used: http's default (RFC 9110 §4.2.1). */
const HTTP_DEFAULT_PORT = 80;

const BREAKS: Record<BreakReason, { why: (f: LockdownFlow) => string; todo: string }> = {
  'no-address': {
    why: () => 'breaks: catch-all TCP without a destination address (the metrics carry no destination IP label)',
    todo: 'Add the destination IP label to Istio TCP metrics (deploy/telemetry-destination-ip.yaml) and plan again, or register this destination by hand before switching.',
  },
  'no-host': {
    why: () =>
      'breaks: HTTP without a Host header (an HTTP/1.0 client; Envoy reports destination_service "unknown"), which no ServiceEntry host can match',
    todo: 'Make the client send a Host header (HTTP/1.1), or find its destination and register it by address before switching.',
  },
  'no-port': {
    why: (f) => `breaks: the metrics carry no port for ${f.destination}, and a ServiceEntry must name the port`,
    todo: 'Find the port (the workload configuration, or the IP label as IP:port) and add a ServiceEntry for it by hand before switching.',
  },
  'unregistrable-host': {
    why: (f) => `breaks: ${f.destination} is ${serviceEntryRefusal(f)}`,
    todo: 'Write a ServiceEntry for it by hand (a wildcard host with resolution NONE, or the addresses it resolves to) before switching.',
  },
  'in-mesh': {
    why: () =>
      "breaks: a mesh workload reached through PassthroughCluster (dialled by IP, or a service the caller's proxy does not import); REGISTRY_ONLY sends it to BlackHoleCluster",
    todo: "Call it through its Service (a headless Service makes each pod's address known to the proxy), or make the caller import it (Sidecar egress hosts, discoverySelectors) before switching.",
  },
};

function serviceEntryRefusal(f: Pick<LockdownFlow, 'destination' | 'listener'>): string {
  const t = serviceEntryTarget(f.destination, f.listener);
  return t.kind === 'refused' ? t.why : 'not a host Istio can register';
}

const AMBIENT_TODO =
  'Ambient mode has no REGISTRY_ONLY (istio/istio#54281): register the hosts as ServiceEntries in a namespace with an egress waypoint (istio.io/use-waypoint) and allow them with an AuthorizationPolicy on it, or block with a NetworkPolicy.';

/** Why a namespace cannot be planned, in one sentence each. */
export function rootNamespaceReason(ns: string): string {
  return `${ns} is the root namespace (meshConfig.rootNamespace): a Sidecar without a workloadSelector there is the default of every namespace that has none of its own, so it would switch the whole mesh. Use the mesh-wide view (istio-egress lockdown --mesh) to see what switching meshConfig.outboundTrafficPolicy for the mesh would break, namespace by namespace.`;
}

function ambientReason(ns: string, workloads: readonly string[]): string {
  return `${ns}'s traffic is ambient (ztunnel or waypoint series from ${workloads.join(', ')}): ztunnel ignores Sidecars, so a REGISTRY_ONLY Sidecar would change nothing. ${AMBIENT_TODO}`;
}

function modeOf(cells: readonly EgressCell[]): LockdownMode {
  const external = cells.filter((c) => c.category === 'external');
  const allowed = external.some((c) => c.verdict === 'passthrough');
  const blocked = external.some((c) => c.verdict === 'blackhole');
  return allowed && blocked ? 'mixed' : allowed ? 'ALLOW_ANY' : blocked ? 'REGISTRY_ONLY' : 'unknown';
}

/** The port a flow used, where it is known: the metrics', or http's default for a Host without one. */
function flowPort(c: EgressCell): number | undefined {
  if (c.port !== undefined) {
    return c.port;
  }
  return c.listener === 'http' && c.destination !== UNKNOWN ? HTTP_DEFAULT_PORT : undefined;
}

/** A passthrough flow of a sidecar workload: what the switch does to it, and why. */
function passthroughOutcome(f: LockdownFlow): Pick<LockdownFlow, 'outcome' | 'keptBy' | 'breaks'> {
  if (f.category === 'registered') {
    return { outcome: 'keeps-flowing', keptBy: 'registered' };
  }
  if (f.category === 'in-mesh') {
    return { outcome: 'breaks', breaks: 'in-mesh' };
  }
  if (f.destination === UNKNOWN) {
    return { outcome: 'breaks', breaks: f.listener === 'http' ? 'no-host' : 'no-address' };
  }
  if (serviceEntryTarget(f.destination, f.listener).kind === 'refused') {
    return { outcome: 'breaks', breaks: 'unregistrable-host' };
  }
  if (f.port === undefined) {
    return { outcome: 'breaks', breaks: 'no-port' };
  }
  return { outcome: 'keeps-flowing', keptBy: 'this plan' };
}

function outcomeWords(f: LockdownFlow, ns: string): Pick<LockdownFlow, 'why' | 'todo'> {
  switch (f.outcome) {
    case 'not-covered':
      return { why: 'not covered: an ambient workload, which a Sidecar does not govern', todo: AMBIENT_TODO };
    case 'blocked-already':
      return { why: 'blocked already (BlackHoleCluster in this range): stays blocked' };
    case 'unchanged':
      return { why: `unchanged: no Sidecar is written for ${ns}, so it keeps going through PassthroughCluster` };
    case 'breaks': {
      const b = BREAKS[f.breaks!];
      return { why: b.why(f), todo: b.todo };
    }
    case 'keeps-flowing':
      return f.keptBy === 'registered'
        ? { why: 'keeps flowing: a ServiceEntry registers it already' }
        : {
            why: `keeps flowing: this plan registers ${f.destination} port ${f.port} for ${ns} (it went through PassthroughCluster: no ServiceEntry visible to ${ns} has that ${f.listener === 'http' ? 'host' : 'address'} and port)`,
          };
  }
}

function toFlow(c: EgressCell, ns: string, ambient: boolean): LockdownFlow {
  const f: LockdownFlow = {
    workload: c.sourceWorkload,
    listener: c.listener,
    destination: c.destination,
    port: flowPort(c),
    verdict: c.verdict,
    category: c.category,
    requests: c.requests,
    connections: c.connections,
    outcome: 'blocked-already',
    why: '',
  };
  if (ambient) {
    f.outcome = 'not-covered';
  } else if (c.verdict === 'passthrough') {
    Object.assign(f, passthroughOutcome(f));
  }
  return Object.assign(f, outcomeWords(f, ns));
}

/** Flows in a stable order: what breaks first, then by volume, then by name. */
const OUTCOME_ORDER: Record<FlowOutcome, number> = {
  breaks: 0,
  'keeps-flowing': 1,
  'blocked-already': 2,
  'not-covered': 3,
  unchanged: 4,
};

function byOutcome(a: LockdownFlow, b: LockdownFlow): number {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    OUTCOME_ORDER[a.outcome] - OUTCOME_ORDER[b.outcome] ||
    cellVolume(b) - cellVolume(a) ||
    cmp(a.destination, b.destination) ||
    cmp(a.workload, b.workload) ||
    (a.port ?? 0) - (b.port ?? 0)
  );
}

function unchanged(f: LockdownFlow, ns: string): LockdownFlow {
  if (f.outcome !== 'breaks' && f.keptBy !== 'this plan') {
    return f;
  }
  const { breaks: _b, keptBy: _k, todo: _t, ...rest } = f;
  const kept: LockdownFlow = { ...rest, outcome: 'unchanged' };
  return { ...kept, ...outcomeWords(kept, ns) };
}

/** A flow the switch acts on: catch-all traffic of a sidecar workload. */
export const isGoverned = (f: LockdownFlow) =>
  f.verdict === 'passthrough' && f.category !== 'registered' && f.outcome !== 'not-covered';

export interface PlanOptions {
  /** meshConfig.rootNamespace (default istio-system): never given a selector-less Sidecar. */
  rootNamespace?: string;
  /** `mesh`: the namespace's part of a mesh-wide switch (the root namespace's workloads switch too). */
  scope?: 'namespace' | 'mesh';
}

/**
 * The plan for one namespace from the cells of every category (registered and ambient tell things) in
 * [from, to]. Cells of other namespaces are ignored.
 */
export function lockdownPlan(
  namespace: string,
  result: { cells: readonly EgressCell[]; from: number; to: number },
  opts: PlanOptions = {}
): LockdownPlan {
  const rootNamespace = opts.rootNamespace?.trim() || DEFAULT_ROOT_NAMESPACE;
  const scope = opts.scope ?? 'namespace';
  const cells = result.cells.filter((c) => c.sourceNamespace === namespace);
  const ambientWorkloads = new Set<string>();
  const sidecarEvidence = new Set<string>();
  for (const c of cells) {
    if (c.category === 'ambient') {
      ambientWorkloads.add(c.sourceWorkload);
    } else if (c.category === 'in-mesh' && c.verdict === 'blackhole') {
      sidecarEvidence.add(c.sourceWorkload);
    }
  }
  const flows = cells.map((c) => toFlow(c, namespace, c.category === 'ambient')).sort(byOutcome);
  const governed = flows.filter(isGoverned);
  const total = governed.reduce((s, f) => s + cellVolume(f), 0);
  const kept = governed.filter((f) => f.outcome === 'keeps-flowing').reduce((s, f) => s + cellVolume(f), 0);
  const breaks = governed.some((f) => f.outcome === 'breaks');
  const sidecarFlows = flows.filter((f) => f.outcome !== 'not-covered');
  const seen = sidecarFlows.reduce((s, f) => s + cellVolume(f), 0);
  // Readiness needs traffic that proves it: catch-all traffic to share out, or (with none) other traffic
  // of the namespace's sidecars that shows they ran in the range and sent nothing the switch would cut.
  const readiness = total > 0 ? kept / total : breaks ? 0 : seen > 0 ? 1 : undefined;
  const ambient = [...ambientWorkloads].sort();
  let notApplicable: NotApplicable | undefined;
  if (scope === 'namespace' && namespace === rootNamespace) {
    notApplicable = { kind: 'root-namespace', reason: rootNamespaceReason(namespace) };
  } else if (sidecarFlows.length === 0 && ambient.length > 0) {
    notApplicable = { kind: 'ambient', reason: ambientReason(namespace, ambient) };
  } else if (readiness === undefined) {
    notApplicable = {
      kind: 'no-traffic',
      reason: `No traffic from ${namespace}'s sidecars in this range proves the switch safe: widen the range to one that shows its daily and weekly jobs.`,
    };
  }
  // Nothing is applied where the plan does not apply: what would have broken or been registered stays as it is.
  const shown = notApplicable ? flows.map((f) => unchanged(f, namespace)) : flows;
  return {
    namespace,
    scope,
    mode: modeOf(cells),
    flows: shown,
    readiness: notApplicable ? undefined : readiness,
    ...(notApplicable ? { notApplicable } : {}),
    sidecarEvidence: [...sidecarEvidence].sort(),
    ambientWorkloads: ambient,
    rootNamespace,
    from: result.from,
    to: result.to,
  };
}

export const willBreak = (plan: Pick<LockdownPlan, 'flows'>) => plan.flows.filter((f) => f.outcome === 'breaks');
export const notCovered = (plan: Pick<LockdownPlan, 'flows'>) => plan.flows.filter((f) => f.outcome === 'not-covered');
/** The flows this plan's ServiceEntries register. */
export const toRegister = (plan: Pick<LockdownPlan, 'flows'>) => plan.flows.filter((f) => f.keptBy === 'this plan');

/** Ready: the plan applies and nothing its sidecars sent in the range breaks. */
export const isReady = (plan: LockdownPlan) =>
  !plan.notApplicable && plan.readiness === 1 && willBreak(plan).length === 0;

/**
 * Readiness as a whole percentage, rounded down (99.6 % is not ready); never 100 % while a flow breaks,
 * however small; a dash where no traffic proves it.
 */
export function readinessPercent(plan: Pick<LockdownPlan, 'readiness' | 'flows'>): string {
  if (plan.readiness === undefined) {
    return '—';
  }
  const pct = Math.floor(plan.readiness * 100);
  return `${pct === 100 && willBreak(plan).length > 0 ? 99 : pct}%`;
}

/** One line on the plan: the same words on the pages, in the YAML and on the CLI. */
export function planVerdict(plan: LockdownPlan): string {
  if (plan.notApplicable) {
    return plan.notApplicable.reason;
  }
  const broken = willBreak(plan);
  const n = toRegister(plan).length;
  const registers =
    n > 0 ? ` The plan registers ${n} flow${n === 1 ? '' : 's'} that went through PassthroughCluster.` : '';
  if (broken.length > 0) {
    const volume = broken.reduce((s, f) => s + cellVolume(f), 0);
    return `Not ready: ${broken.length} flow${broken.length === 1 ? '' : 's'} (${roundVolume(volume)} requests and connections in the range) would break; fix ${broken.length === 1 ? 'it' : 'them'} before switching.${registers}`;
  }
  const ambient = plan.ambientWorkloads.length
    ? ` Ambient workloads ${plan.ambientWorkloads.join(', ')} are not covered by a Sidecar.`
    : '';
  if (toRegister(plan).length === 0 && plan.mode === 'REGISTRY_ONLY') {
    return `Switched already: nothing went through PassthroughCluster in the range, and blocked calls show.${ambient}`;
  }
  return `Ready: every flow its sidecars sent in the range keeps flowing after the switch.${registers}${ambient}`;
}

export const roundVolume = (n: number) =>
  n >= 100 ? Math.round(n).toLocaleString('en') : String(Math.round(n * 10) / 10);

/** The order `--all-namespaces` and the "Lock down" page list plans in: applicable, readiest, then by name. */
export function byReadiness(a: LockdownPlan, b: LockdownPlan): number {
  const rank = (p: LockdownPlan) => (p.notApplicable ? -1 : (p.readiness ?? -0.5));
  return rank(b) - rank(a) || (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0);
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

function flowJson(f: LockdownFlow) {
  return {
    workload: f.workload,
    listener: f.listener,
    destination: f.destination,
    ...(f.port !== undefined ? { port: f.port } : {}),
    verdict: f.verdict,
    category: f.category,
    requests: r3(f.requests),
    connections: r3(f.connections),
    outcome: f.outcome,
    ...(f.keptBy ? { keptBy: f.keptBy } : {}),
    ...(f.breaks ? { breaks: f.breaks } : {}),
    why: f.why,
    ...(f.todo ? { todo: f.todo } : {}),
  };
}

/** The plan as the CLI's `--format json` prints it. */
export function lockdownJson(plan: LockdownPlan) {
  const broken = willBreak(plan);
  return {
    namespace: plan.namespace,
    scope: plan.scope,
    from: isoTime(plan.from),
    to: isoTime(plan.to),
    mode: plan.mode,
    applicable: !plan.notApplicable,
    ...(plan.notApplicable ? { notApplicableBecause: plan.notApplicable.kind, reason: plan.notApplicable.reason } : {}),
    readiness: plan.readiness === undefined ? null : r3(plan.readiness),
    ready: isReady(plan),
    verdict: planVerdict(plan),
    willBreak: {
      flows: broken.map(flowJson),
      requests: r3(broken.reduce((s, f) => s + f.requests, 0)),
      connections: r3(broken.reduce((s, f) => s + f.connections, 0)),
    },
    notCovered: notCovered(plan).map(flowJson),
    flows: plan.flows.map(flowJson),
    sidecarEvidence: plan.sidecarEvidence,
  };
}
