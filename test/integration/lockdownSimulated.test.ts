import path from 'node:path';
import { LOCKDOWN_SWITCH_STEP } from '../../harness/synthetic/lockdown';
import type { Flow } from '../../harness/synthetic/flows';
import { demoFlows, demoGrid, expectedCells, TEST_END } from '../../harness/synthetic/mesh';
import { stepTime } from '../../harness/synthetic/series';
import { worldServiceEntries } from '../../harness/synthetic/serviceEntries';
import { prometheusUrl } from '../harness/state';
import { istioctlValidator } from './istioctl';
import { type K8sObject, switchSimulator } from './switchSimulator';
import { kubectlYaml } from './kubectlYaml';
import { cli } from './runCli';

/**
 * Whatever a lock-down plan says must hold when it is applied. The plans of every namespace of the synthetic
 * mesh (every shape the README lists: root namespace, ambient, half ambient, no address, no Host, no port,
 * a registered host reached on another port or from another cluster, in-mesh calls by IP) are applied as
 * kubectl reads them to a simulator of Istio's rule (switchSimulator.ts), which replays the mesh's own
 * flows: what it finds broken must be exactly the plan's `willBreak`, and readiness exactly its share.
 */

const grid = demoGrid(TEST_END);
const switchAt = stepTime(grid, LOCKDOWN_SWITCH_STEP);
const WINDOW = { from: stepTime(grid, 1), to: switchAt - grid.interval };
const CONFIG = path.join(__dirname, '..', '..', 'harness', 'demo', 'istio-egress.yaml');
const ROOT = 'istio-system';
const args = [
  '--prometheus',
  prometheusUrl(),
  '--config',
  CONFIG,
  '--from',
  String(WINDOW.from),
  '--to',
  String(WINDOW.to),
];

interface JsonFlow {
  workload: string;
  listener: string;
  destination: string;
  port?: number;
  outcome: string;
  breaks?: string;
  requests: number;
  connections: number;
  why: string;
  todo?: string;
}
interface JsonPlan {
  namespace: string;
  applicable: boolean;
  notApplicableBecause?: string;
  reason?: string;
  readiness: number | null;
  ready: boolean;
  verdict: string;
  willBreak: { flows: JsonFlow[] };
  notCovered: JsonFlow[];
  flows: JsonFlow[];
}

const kubectl = kubectlYaml();
const istioctl = istioctlValidator();
beforeAll(() => kubectl.build(), 300_000);
afterAll(() => {
  kubectl.close();
  istioctl.close();
});

/** The flows active in the window, each with its volume there (requests + connections, from the samples). */
function activeFlows(): Array<{ flow: Flow; volume: number }> {
  return demoFlows().flatMap((flow) => {
    const [cell] = expectedCells([flow], grid, WINDOW.from, WINDOW.to, [
      'external',
      'in-mesh',
      'registered',
      'ambient',
    ]);
    return cell ? [{ flow, volume: cell.requests + cell.connections }] : [];
  });
}

const key = (wl: string, listener: string, destination: string) => JSON.stringify([wl, listener, destination]);
const flowKey = (f: Flow) => key(f.wl || 'unknown', f.listener, f.destination ?? 'unknown');

async function allPlans(): Promise<JsonPlan[]> {
  const r = await cli('lockdown', ...args, '--all-namespaces', '--format', 'json');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as JsonPlan[];
}

describe('lock-down plans, applied to a simulator of Istio', () => {
  it('the simulator itself: a root-namespace Sidecar switches every namespace without its own, an ambient flow never', () => {
    const sim = switchSimulator({
      objects: [
        { kind: 'Sidecar', metadata: { namespace: ROOT }, spec: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } } },
        { kind: 'Sidecar', metadata: { namespace: 'keep' }, spec: { outboundTrafficPolicy: { mode: 'ALLOW_ANY' } } },
      ],
      world: [],
      rootNamespace: ROOT,
      egressGateways: [],
    });
    expect([...sim.switched(['shop', 'data', 'keep', ROOT])].sort()).toEqual(['data', ROOT, 'shop'].sort());
    const flow: Flow = {
      cluster: 'c',
      ns: 'shop',
      wl: 'w',
      verdict: 'passthrough',
      listener: 'http',
      destination: 'x.example.com',
      codes: { '200': 1 },
    };
    expect(sim.replay(flow)).toBe('breaks');
    expect(sim.replay({ ...flow, category: 'ambient' })).toBe('untouched');
    expect(sim.replay({ ...flow, ns: 'keep' })).toBe('unswitched');
  });

  it("every namespace: the simulator breaks exactly the plan's willBreak, and readiness is its share", async () => {
    const plans = await allPlans();
    const flows = activeFlows();
    const namespaces = [...new Set(flows.map((f) => f.flow.ns))].sort();
    // Every namespace with traffic has a plan (noise-only namespaces aside, none is left out).
    expect(namespaces.filter((ns) => !plans.some((p) => p.namespace === ns))).toEqual([]);

    const stream = await cli('lockdown', ...args, '--all-namespaces');
    expect(stream.code).toBe(0);
    const objects = kubectl.parse<K8sObject>(stream.stdout);
    const sim = switchSimulator({
      objects,
      world: worldServiceEntries(),
      rootNamespace: ROOT,
      egressGateways: ['istio-egressgateway'],
    });
    // No root-namespace Sidecar, and exactly the applicable namespaces switch: nothing else.
    expect(objects.filter((o) => o.kind === 'Sidecar' && o.metadata?.namespace === ROOT)).toEqual([]);
    expect([...sim.switched(namespaces)].sort()).toEqual(
      plans
        .filter((p) => p.applicable)
        .map((p) => p.namespace)
        .sort()
    );

    const checked: string[] = [];
    for (const plan of plans) {
      const mine = flows.filter((f) => f.flow.ns === plan.namespace);
      const replayed = mine.map((f) => ({ ...f, result: sim.replay(f.flow) }));
      const broken = replayed.filter((r) => r.result === 'breaks').map((r) => flowKey(r.flow));
      const planned = plan.willBreak.flows.map((f) => key(f.workload, f.listener, f.destination));
      expect({ ns: plan.namespace, broken: [...new Set(broken)].sort() }).toEqual({
        ns: plan.namespace,
        broken: [...new Set(planned)].sort(),
      });
      const untouched = replayed.filter((r) => r.result === 'untouched').map((r) => flowKey(r.flow));
      expect({ ns: plan.namespace, notCovered: [...new Set(untouched)].sort() }).toEqual({
        ns: plan.namespace,
        notCovered: [...new Set(plan.notCovered.map((f) => key(f.workload, f.listener, f.destination)))].sort(),
      });
      if (plan.applicable) {
        // Readiness: the share of catch-all traffic of switched sidecars that passes, from the flows' samples.
        const governed = replayed.filter(
          (r) => r.flow.category !== 'registered' && (r.result === 'passes' || r.result === 'breaks')
        );
        const total = governed.reduce((s, r) => s + r.volume, 0);
        if (total > 0) {
          const share = governed.filter((r) => r.result === 'passes').reduce((s, r) => s + r.volume, 0) / total;
          expect({ ns: plan.namespace, readiness: plan.readiness }).toEqual({
            ns: plan.namespace,
            readiness: expect.closeTo(share, 2),
          });
        }
        expect(plan.ready).toBe(broken.length === 0);
        if (broken.length > 0) {
          expect(plan.verdict).toMatch(/^Not ready: /);
        }
      }
      checked.push(plan.namespace);
    }
    // The shapes the plan must get right are all in this mesh.
    const byNs = Object.fromEntries(plans.map((p) => [p.namespace, p]));
    expect(byNs[ROOT]).toMatchObject({ applicable: false, notApplicableBecause: 'root-namespace', ready: false });
    expect(byNs['ambient-apps']).toMatchObject({ applicable: false, notApplicableBecause: 'ambient', ready: false });
    expect(byNs.migrating).toMatchObject({
      applicable: true,
      ready: true,
      notCovered: [expect.objectContaining({ workload: 'indexer' })],
    });
    expect(byNs.ops.willBreak.flows.map((f) => [f.workload, f.breaks]).sort()).toEqual([
      ['backup', 'no-address'],
      ['pinger', 'no-host'],
    ]);
    expect(byNs.ops.readiness).toBe(0);
    expect(byNs.data.willBreak.flows.map((f) => [f.destination, f.breaks])).toEqual([['203.0.113.10', 'no-port']]);
    expect(byNs.stream.willBreak.flows.every((f) => f.breaks === 'in-mesh')).toBe(true);
    // shop reaches api.stripe.com registered (shapes cluster) and through PassthroughCluster (demo cluster):
    // two flows, the passthrough one registered by the plan.
    const stripe = byNs.shop.flows.filter((f) => f.destination === 'api.stripe.com');
    expect(stripe.map((f) => f.outcome).sort()).toEqual(['keeps-flowing', 'keeps-flowing']);
    expect(stripe.find((f) => f.why.includes('this plan registers'))).toBeDefined();
    expect(checked.length).toBe(plans.length);
  });

  it('one namespace: the root namespace and an ambient one are refused in one line; the plan YAML passes istioctl', async () => {
    const root = await cli('lockdown', ...args, '--namespace', ROOT);
    expect(root.code).toBe(1);
    expect(root.stdout).toBe('');
    expect(root.stderr).toMatch(
      /^note: read .*\nistio-egress: No plan for istio-system: istio-system is the root namespace \(meshConfig\.rootNamespace\): a Sidecar without a workloadSelector there is the default of every namespace .* --mesh/
    );
    const ambient = await cli('lockdown', ...args, '--namespace', 'ambient-apps');
    expect(ambient.code).toBe(1);
    expect(ambient.stderr).toMatch(/No plan for ambient-apps: .*ztunnel ignores Sidecars.*egress waypoint/);
    // Another root namespace by flag: istio-system is planned like any other, and `shop` is refused.
    const movedRoot = await cli('lockdown', ...args, '--namespace', 'shop', '--root-namespace', 'shop');
    expect(movedRoot.code).toBe(1);
    expect(movedRoot.stderr).toMatch(/shop is the root namespace/);
    const ops = await cli('lockdown', ...args, '--namespace', 'ops');
    expect(ops.code).toBe(0);
    expect(ops.stdout).toMatch(
      /# Will break: pinger -> unknown \(HTTP, [\d.]+ requests\): breaks: HTTP without a Host header/
    );
    expect(ops.stdout).toMatch(
      /# Will break: backup -> unknown \(TCP, [\d.]+ connections\): breaks: catch-all TCP without a destination address/
    );
    const valid = await istioctl.validate(ops.stdout);
    expect(valid).toEqual({ ok: true, output: expect.stringMatching(/is valid/) });
  });

  it('--mesh: what meshConfig REGISTRY_ONLY would break, namespace by namespace, with ServiceEntries and no Sidecar', async () => {
    const r = await cli('lockdown', ...args, '--mesh');
    expect(r.code).toBe(0);
    const objects = kubectl.parse<K8sObject>(r.stdout);
    expect(objects.filter((o) => o.kind === 'Sidecar')).toEqual([]);
    expect(objects.filter((o) => o.kind === 'ServiceEntry').length).toBeGreaterThan(5);
    expect(r.stdout).toMatch(/istioctl install --set meshConfig\.outboundTrafficPolicy\.mode=REGISTRY_ONLY/);
    // The root namespace's own sidecars switch with the mesh: kiali's call is registered in istio-system.
    expect(objects.some((o) => o.metadata?.namespace === ROOT && o.spec?.hosts?.includes('api.github.com'))).toBe(true);
    expect(r.stdout).toMatch(/# ambient-apps: not covered\./);
    expect(r.stdout).toMatch(/# ops: readiness 0%\. Not ready: 2 flows/);
    expect(await istioctl.validate(r.stdout)).toEqual({ ok: true, output: expect.stringMatching(/is valid/) });

    // The mesh-wide stream applied with meshConfig switched: every namespace switches, and what breaks is
    // exactly what the mesh plan lists.
    const json = JSON.parse((await cli('lockdown', ...args, '--mesh', '--format', 'json')).stdout) as {
      namespaces: JsonPlan[];
    };
    const sim = switchSimulator({
      objects: [
        ...objects,
        // meshConfig.outboundTrafficPolicy REGISTRY_ONLY: as a root-namespace default, the same rule.
        { kind: 'Sidecar', metadata: { namespace: ROOT }, spec: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } } },
      ],
      world: worldServiceEntries(),
      rootNamespace: ROOT,
      egressGateways: ['istio-egressgateway'],
    });
    const broken = activeFlows()
      .filter((f) => sim.replay(f.flow) === 'breaks')
      .map((f) => JSON.stringify([f.flow.ns, ...JSON.parse(flowKey(f.flow))]));
    const planned = json.namespaces.flatMap((p) =>
      p.willBreak.flows.map((f) => JSON.stringify([p.namespace, f.workload, f.listener, f.destination]))
    );
    expect([...new Set(broken)].sort()).toEqual([...new Set(planned)].sort());
  });

  it('bad input: an unknown namespace and a range with no data are one line each, exit 1', async () => {
    const unknown = await cli('lockdown', ...args, '--namespace', 'no-such-ns');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /istio-egress: No egress from namespace "no-such-ns" between .*\. Namespaces with egress then: .*billing.*\.\n$/
    );
    const empty = await cli(
      'lockdown',
      '--prometheus',
      prometheusUrl(),
      '--from',
      '1000',
      '--to',
      '2000',
      '--all-namespaces'
    );
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(
      /istio-egress: No namespace sent egress between 1970-01-01T00:16:40\.000Z and .*: widen the range/
    );
    const backwards = await cli(
      'lockdown',
      '--prometheus',
      prometheusUrl(),
      '--from',
      '2000',
      '--to',
      '1000',
      '--mesh'
    );
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toMatch(/istio-egress: The range starts .* at or after it ends .*: swap from and to\.\n$/);
  });
});
