import { demoFlows, demoGrid, expectedCells, TEST_END } from '../../harness/synthetic/mesh';
import { LOCKDOWN_CLUSTER, LOCKDOWN_NAMESPACE, LOCKDOWN_SWITCH_STEP } from '../../harness/synthetic/lockdown';
import { stepTime } from '../../harness/synthetic/series';
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

interface JsonFlow {
  workload: string;
  listener: string;
  destination: string;
  port?: number;
  verdict: string;
  category: string;
  outcome: string;
  keptBy?: string;
  breaks?: string;
  requests: number;
  connections: number;
}
interface Plan {
  namespace: string;
  applicable: boolean;
  mode: string;
  readiness: number;
  flows: JsonFlow[];
  willBreak: { flows: JsonFlow[] };
}

const id = (f: JsonFlow) => `${f.listener}:${f.destination}${f.port !== undefined ? `:${f.port}` : ''}`;

const plan = async (w: number[]) => {
  const r = await cli('lockdown', ...common, ...window(w), '--namespace', LOCKDOWN_NAMESPACE, '--format', 'json');
  expect(r.stderr).toMatch(/^note: read \S+ \.\. \S+ \(--from\/--to\)\n$/);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Plan;
};

const kubectl = kubectlYaml();
beforeAll(() => kubectl.build(), 300_000);
afterAll(() => kubectl.close());

describe('istio-egress lockdown', () => {
  it('before the switch: ALLOW_ANY, every flow with its outcome, and readiness as the share that keeps flowing', async () => {
    const p = await plan(before);
    expect(p.mode).toBe('ALLOW_ANY');
    const registers = p.flows.filter((f) => f.keptBy === 'this plan').map(id);
    expect(registers.sort()).toEqual(
      [
        'http:api.paypal.com:80',
        'http:hooks.zapier.com:80',
        'http:api.partner.example:8443',
        'tcp:198.51.100.40:443',
      ].sort()
    );
    // The registered host on its registered port keeps flowing; on another port it is a flow of its own.
    expect(
      p.flows
        .filter((f) => f.destination === 'api.partner.example')
        .map((f) => [f.port, f.keptBy])
        .sort()
    ).toEqual([
      [80, 'registered'],
      [8443, 'this plan'],
    ]);
    expect(p.willBreak.flows).toEqual([
      expect.objectContaining({ workload: 'archiver', listener: 'tcp', destination: 'unknown', breaks: 'no-address' }),
    ]);
    // Readiness from the flows themselves: the catch-all share that does not break.
    const cells = expectedCells(
      demoFlows().filter((f) => f.cluster === LOCKDOWN_CLUSTER),
      grid,
      before[0],
      before[1]
    ).filter((c) => c.verdict === 'passthrough');
    const volume = (cs: typeof cells) => cs.reduce((s, c) => s + c.requests + c.connections, 0);
    const total = volume(cells);
    const archiver = volume(cells.filter((c) => c.sourceWorkload === 'archiver'));
    expect(archiver).toBeGreaterThan(0);
    expect(p.readiness).toBeCloseTo((total - archiver) / total, 2);
  });

  it('after the switch: REGISTRY_ONLY, and what is blocked is exactly what the plan said needs registering', async () => {
    const [p0, p1] = [await plan(before), await plan(after)];
    expect(p1.mode).toBe('REGISTRY_ONLY');
    // The namespace switched without applying its plan: every flow the plan registers shows up blocked.
    const blocked = p1.flows.filter((f) => f.outcome === 'blocked-already').map(id);
    const planned = p0.flows.filter((f) => f.keptBy === 'this plan').map(id);
    expect(blocked.map((b) => b.replace(/^(http:[^:]+)$/, '$1:80')).sort()).toEqual(planned.sort());
    // The registered host keeps working through the switch.
    expect(p1.flows.find((f) => f.destination === 'api.partner.example' && f.port === 80)).toMatchObject({
      keptBy: 'registered',
    });
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
      ['api.paypal.com', 'hooks.zapier.com', 'api.partner.example', '198-51-100-40.external', '198.51.100.40/32'].sort()
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
    expect(r.stdout).toMatch(
      /# Will break: archiver -> unknown \(TCP, [\d.]+ connections\): breaks: catch-all TCP without a destination address.*Add the destination IP label/
    );
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
    // Plans that apply first, the readiest first; then those that do not (root namespace, ambient).
    const readiness = plans.map((p) => (p.applicable ? (p.readiness ?? -0.5) : -1));
    expect(readiness).toEqual([...readiness].sort((a, b) => b - a));
  });

  it('counts from the series --recorded names, as the matrix does, and says which', async () => {
    const recorded = (mode: string) =>
      cli('lockdown', ...common, ...window(before), '--namespace', LOCKDOWN_NAMESPACE, '--recorded', mode);
    const always = await recorded('always');
    expect(always.stderr).toMatch(
      /\nnote: counted from recorded series istio_egress:\*:increase5m \(always, by setting\)\n/
    );
    const bad = await recorded('sometimes');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--recorded "sometimes" is not auto, always or never\./);
  });

  it('bad input gets one line naming what is wrong', async () => {
    const unknown = await cli('lockdown', ...common, ...window(before), '--namespace', 'no-such-ns');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      new RegExp(
        `^note: read \\S+ \\.\\. \\S+ \\(--from/--to\\)\\nistio-egress: No egress from namespace "no-such-ns" between .*\\. Namespaces with egress then: ${LOCKDOWN_NAMESPACE}\\.\\n$`
      )
    );
    const none = await cli('lockdown', ...common, ...window(before));
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(
      'istio-egress: Name the namespace to lock down: --namespace NS (or --all-namespaces for a plan each, --mesh for the whole mesh).\n'
    );
    const format = await cli('lockdown', ...common, '--namespace', 'x', '--format', 'table');
    expect(format.stderr).toBe('istio-egress: --format "table" is not yaml or json.\n');
  });
});
