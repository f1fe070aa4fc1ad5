import { demoFlows, demoGrid, expectedCells, TEST_END } from '../../harness/synthetic/mesh';
import { LOCKDOWN_CLUSTER, LOCKDOWN_NAMESPACE, LOCKDOWN_SWITCH_STEP } from '../../harness/synthetic/lockdown';
import { stepTime } from '../../harness/synthetic/series';
import { cellVolume } from '../../src/query/cells';
import { prometheusUrl } from '../harness/state';
import { kubectlYaml } from './kubectlYaml';
import { cli } from './runCli';

/**
 * Locking a namespace down on a mesh where `billing` switched to REGISTRY_ONLY halfway
 * (harness/synthetic/lockdown.ts): the plan made before the switch must list exactly what shows up
 * blocked after it, and its YAML must read as meant by kubectl's own parser.
 */

const grid = demoGrid(TEST_END);
const switchAt = stepTime(grid, LOCKDOWN_SWITCH_STEP);
const before = [stepTime(grid, 1), switchAt - grid.interval];
const after = [switchAt + grid.interval, TEST_END];
const common = ['--prometheus', prometheusUrl(), '--selector', `cluster="${LOCKDOWN_CLUSTER}"`];
const window = ([from, to]: number[]) => ['--from', String(from), '--to', String(to)];

interface Plan {
  namespace: string;
  mode: string;
  readiness: number;
  destinations: Array<{
    destination: string;
    listener: string;
    ports: number[];
    requests: number;
    connections: number;
    workloads: string[];
    registered: boolean;
    blocked?: boolean;
  }>;
  unregistrable: Array<{ workload: string; listener: string; why: string; todo: string }>;
}

const plan = async (w: number[]) => {
  const r = await cli('lockdown', ...common, ...window(w), '--namespace', LOCKDOWN_NAMESPACE, '--format', 'json');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Plan;
};

const kubectl = kubectlYaml();
beforeAll(() => kubectl.build(), 300_000);
afterAll(() => kubectl.close());

describe('istio-egress lockdown', () => {
  it('before the switch: ALLOW_ANY, every destination with its workloads, what is registered, and readiness', async () => {
    const p = await plan(before);
    expect(p.mode).toBe('ALLOW_ANY');
    const unregistered = p.destinations.filter((d) => !d.registered).map((d) => `${d.listener}:${d.destination}`);
    expect(unregistered.sort()).toEqual(['http:api.paypal.com', 'http:hooks.zapier.com', 'tcp:198.51.100.40'].sort());
    expect(p.destinations.find((d) => d.destination === 'api.partner.example')).toMatchObject({
      registered: true,
      workloads: ['invoicer'],
    });
    expect(p.destinations.find((d) => d.destination === '198.51.100.40')).toMatchObject({
      ports: [443],
      workloads: ['exporter'],
    });
    // Readiness: the registered share of the namespace's passthrough volume, from the flows themselves.
    const cells = expectedCells(
      demoFlows().filter((f) => f.cluster === LOCKDOWN_CLUSTER),
      grid,
      before[0],
      before[1],
      ['external', 'registered']
    ).filter((c) => c.verdict === 'passthrough' && c.destination !== 'unknown');
    const registered = cells.filter((c) => c.category === 'registered').reduce((s, c) => s + cellVolume(c), 0);
    const total = cells.reduce((s, c) => s + cellVolume(c), 0);
    expect(p.readiness).toBeCloseTo(registered / total, 2);
    expect(p.readiness).toBeGreaterThan(0);
    expect(p.readiness).toBeLessThan(1);
    expect(p.unregistrable).toEqual([
      expect.objectContaining({
        workload: 'archiver',
        listener: 'tcp',
        why: expect.stringMatching(/no destination IP label/),
      }),
    ]);
  });

  it('after the switch: REGISTRY_ONLY, and what is blocked is exactly what the plan listed unregistered', async () => {
    const [p0, p1] = [await plan(before), await plan(after)];
    expect(p1.mode).toBe('REGISTRY_ONLY');
    const blocked = p1.destinations.filter((d) => d.blocked).map((d) => `${d.listener}:${d.destination}`);
    const planned = p0.destinations.filter((d) => !d.registered).map((d) => `${d.listener}:${d.destination}`);
    expect(blocked.sort()).toEqual(planned.sort());
    // The registered host keeps working through the switch.
    expect(p1.destinations.find((d) => d.destination === 'api.partner.example')).toMatchObject({ registered: true });
  });

  it('writes ServiceEntries for the unregistered destinations and a REGISTRY_ONLY Sidecar, as kubectl reads them', async () => {
    const r = await cli('lockdown', ...common, ...window(before), '--namespace', LOCKDOWN_NAMESPACE);
    expect(r.code).toBe(0);
    const docs = kubectl.parse<{
      kind: string;
      metadata: { name: string; namespace: string };
      spec: { hosts?: string[]; addresses?: string[]; exportTo?: string[]; outboundTrafficPolicy?: { mode: string } };
    }>(r.stdout);
    const entries = docs.filter((d) => d.kind === 'ServiceEntry');
    expect(entries.flatMap((d) => [...(d.spec.hosts ?? []), ...(d.spec.addresses ?? [])]).sort()).toEqual(
      ['api.paypal.com', 'hooks.zapier.com', '198-51-100-40.external', '198.51.100.40/32'].sort()
    );
    expect(entries.every((d) => d.metadata.namespace === LOCKDOWN_NAMESPACE && d.spec.exportTo?.[0] === '.')).toBe(
      true
    );
    const sidecars = docs.filter((d) => d.kind === 'Sidecar');
    expect(sidecars).toEqual([
      expect.objectContaining({
        metadata: { name: 'default', namespace: LOCKDOWN_NAMESPACE },
        spec: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } },
      }),
    ]);
    // The destination that cannot be registered is said, with what to do.
    expect(r.stdout).toMatch(/# Cannot be registered from telemetry: archiver \(tcp\): .*destination IP label/);
  });

  it('--all-namespaces: a plan per namespace with egress, the most ready first', async () => {
    const r = await cli(
      'lockdown',
      '--prometheus',
      prometheusUrl(),
      ...window(before),
      '--all-namespaces',
      '--format',
      'json'
    );
    expect(r.code).toBe(0);
    const plans = JSON.parse(r.stdout) as Plan[];
    expect(plans.length).toBeGreaterThan(3);
    expect(plans.map((p) => p.namespace)).toContain(LOCKDOWN_NAMESPACE);
    const readiness = plans.map((p) => p.readiness);
    expect(readiness).toEqual([...readiness].sort((a, b) => b - a));
  });

  it('bad input gets one line naming what is wrong', async () => {
    const unknown = await cli('lockdown', ...common, ...window(before), '--namespace', 'no-such-ns');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      new RegExp(
        `^istio-egress: No egress from namespace "no-such-ns" between .*\\. Namespaces with egress then: ${LOCKDOWN_NAMESPACE}\\.\\n$`
      )
    );
    const none = await cli('lockdown', ...common, ...window(before));
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      'istio-egress: Name the namespace to lock down: --namespace NS (or --all-namespaces for a plan each).\n'
    );
    const format = await cli('lockdown', ...common, '--namespace', 'x', '--format', 'table');
    expect(format.stderr).toBe('istio-egress: --format "table" is not yaml or json.\n');
  });
});
