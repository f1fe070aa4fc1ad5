import { cellVolume, type EgressCell } from './cells';
import {
  byReadiness,
  type LockdownFlow,
  type LockdownPlan,
  planVerdict,
  readinessPercent,
  roundVolume,
  toRegister,
  willBreak,
  notCovered,
} from './lockdown';
import { commentSafe, serviceEntriesYaml, yamlQuoted } from './serviceEntries';
import { isoTime } from './time';

/**
 * The change a plan tells users to apply, as kubectl reads it: ServiceEntries (namespace-scoped, exportTo
 * ".") for the flows the plan keeps flowing, then the namespace's REGISTRY_ONLY Sidecar. Every sentence
 * in the comments comes from the plan (query/lockdown.ts), so the YAML, the JSON and the pages agree.
 * A plan that does not apply (root namespace, ambient, no traffic) writes comments and no object.
 */

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function flowLine(f: LockdownFlow): string {
  const port = f.port !== undefined ? `:${f.port}` : '';
  const volume =
    f.listener === 'http' ? `${roundVolume(f.requests)} requests` : `${roundVolume(f.connections)} connections`;
  return `${f.workload} -> ${f.destination}${port} (${f.listener.toUpperCase()}, ${volume})`;
}

/** What the plan says of itself, as comment lines (without the leading `# `). */
function planComments(plan: LockdownPlan): string[] {
  const lines = [
    `Lock down namespace ${plan.namespace}: ${plan.mode === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY already by its traffic (nothing went through PassthroughCluster); this keeps it so' : `from ${plan.mode} to REGISTRY_ONLY`}, for traffic seen ${isoTime(plan.from)} .. ${isoTime(plan.to)}.`,
    `Readiness ${readinessPercent(plan)}: the share of its PassthroughCluster traffic that keeps flowing once this is applied.`,
    planVerdict(plan),
  ];
  for (const f of willBreak(plan)) {
    lines.push(`Will break: ${flowLine(f)}: ${f.why}. ${f.todo ?? ''}`.trimEnd());
  }
  for (const f of notCovered(plan)) {
    lines.push(`Not covered: ${flowLine(f)}: ${f.why}.`);
  }
  return lines;
}

/** The flows this plan registers, as the cells serviceEntriesYaml writes entries for. */
function registeredCells(plan: LockdownPlan): EgressCell[] {
  return toRegister(plan).map((f) => ({
    sourceNamespace: plan.namespace,
    sourceWorkload: f.workload,
    destination: f.destination,
    port: f.port,
    verdict: 'passthrough',
    listener: f.listener,
    category: 'external',
    requests: f.requests,
    connections: f.connections,
    bytesSent: 0,
    bytesReceived: 0,
  }));
}

function sidecarYaml(plan: LockdownPlan): string[] {
  const ns = plan.namespace;
  return [
    '---',
    commentSafe(
      `# Namespace ${ns}: only registered hosts leave the mesh. Istio allows one Sidecar without a workloadSelector per namespace: if ${ns} has one already, add outboundTrafficPolicy to it instead of applying this one. Without egress hosts this Sidecar imports every namespace's services (*/*), as a namespace without a Sidecar does unless the root namespace's Sidecar says otherwise.`
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
}

const AFTER =
  'Apply the ServiceEntries first, then the Sidecar. Afterwards add the namespace to registryOnlyNamespaces in istio-egress.yaml (and npm run generate), so passthrough from it alerts, and watch BlackHoleCluster for it.';

/** One namespace's YAML: comments only, with the reason, where the plan does not apply. */
export function lockdownYaml(plan: LockdownPlan): string {
  if (plan.notApplicable) {
    return `${commentSafe(`# Namespace ${plan.namespace}: no Sidecar written. ${plan.notApplicable.reason}`)}\n`;
  }
  // Each line made safe on its own: a line break inside a label value must not start a new comment line.
  const header = [...planComments(plan), AFTER].map(commentSafe).join('\n');
  const entries = serviceEntriesYaml(registeredCells(plan), { scope: 'namespace', header }).trimEnd();
  return `${entries}\n${sidecarYaml(plan).join('\n')}\n`;
}

/**
 * The mesh-wide switch: meshConfig.outboundTrafficPolicy for every namespace, never a Sidecar. The
 * ServiceEntries each namespace needs, in that namespace, and what would break, namespace by namespace.
 */
export function meshLockdownYaml(unordered: readonly LockdownPlan[], range: { from: number; to: number }): string {
  const plans = [...unordered].sort(byReadiness);
  const covered = plans.filter((p) => !p.notApplicable || p.notApplicable.kind !== 'ambient');
  const broken = covered.flatMap((p) => willBreak(p).map((f) => ({ ns: p.namespace, f })));
  const head = [
    `The whole mesh from ALLOW_ANY to REGISTRY_ONLY, for traffic seen ${isoTime(range.from)} .. ${isoTime(range.to)}.`,
    broken.length === 0
      ? `Nothing that went through PassthroughCluster would break once these ServiceEntries are applied (${covered.length} namespaces).`
      : `Not ready: ${plural(broken.length, 'flow')} in ${plural(new Set(broken.map((b) => b.ns)).size, 'namespace')} would break (${roundVolume(broken.reduce((s, b) => s + cellVolume(b.f), 0))} requests and connections in the range).`,
    'The switch is mesh config, not a Sidecar: apply the ServiceEntries below first, then',
    '  istioctl install --set meshConfig.outboundTrafficPolicy.mode=REGISTRY_ONLY (or the same --set on the istiod Helm chart).',
    'A namespace whose own Sidecar sets outboundTrafficPolicy keeps that mode.',
  ];
  for (const p of plans) {
    if (p.notApplicable?.kind === 'ambient') {
      head.push(`${p.namespace}: not covered. ${p.notApplicable.reason}`);
      continue;
    }
    head.push(`${p.namespace}: readiness ${readinessPercent(p)}. ${planVerdict(p)}`);
    for (const f of willBreak(p)) {
      head.push(`  Will break: ${flowLine(f)}: ${f.why}. ${f.todo ?? ''}`.trimEnd());
    }
  }
  const cells = covered.flatMap(registeredCells);
  return serviceEntriesYaml(cells, { scope: 'namespace', header: head.map(commentSafe).join('\n') });
}

/** The YAML for several namespaces' plans in one stream (`--all-namespaces`). */
export function lockdownYamlStream(plans: readonly LockdownPlan[]): string {
  return plans.map(lockdownYaml).join('');
}
