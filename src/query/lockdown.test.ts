import type { EgressCell } from './cells';
import {
  byReadiness,
  isReady,
  lockdownJson,
  lockdownPlan,
  notCovered,
  readinessPercent,
  toRegister,
  willBreak,
} from './lockdown';
import { lockdownYaml, meshLockdownYaml } from './lockdownYaml';

/** A cell with hostile defaults: a workload name that breaks YAML comments if it reaches them raw. */
function cell(over: Partial<EgressCell>): EgressCell {
  return {
    sourceNamespace: 'shop',
    sourceWorkload: 'web\n# kind: Sidecar',
    destination: 'api.example.com',
    verdict: 'passthrough',
    listener: 'http',
    category: 'external',
    requests: 10,
    connections: 0,
    bytesSent: 0,
    bytesReceived: 0,
    ...over,
  };
}

const range = { from: 1_767_000_000, to: 1_767_086_400 };
const plan = (cells: EgressCell[], ns = 'shop', opts = {}) => lockdownPlan(ns, { cells, ...range }, opts);

describe('lockdownPlan', () => {
  it('registers what it can and counts readiness over the catch-all traffic only', () => {
    const p = plan([
      cell({ requests: 30 }),
      cell({ destination: 'api.example.com', category: 'registered', requests: 1000 }),
      cell({ destination: 'unknown', listener: 'tcp', requests: 0, connections: 10 }),
    ]);
    expect(toRegister(p).map((f) => [f.destination, f.port])).toEqual([['api.example.com', 80]]);
    expect(willBreak(p).map((f) => f.breaks)).toEqual(['no-address']);
    // 30 of 40 catch-all events keep flowing; the registered 1000 are not catch-all and do not dilute it.
    expect(p.readiness).toBeCloseTo(0.75, 10);
    expect(readinessPercent(p)).toBe('75%');
    expect(isReady(p)).toBe(false);
  });

  it('a tiny flow that breaks keeps readiness under 100 %, however it rounds', () => {
    const p = plan([
      cell({ requests: 1e6 }),
      cell({ destination: '203.0.113.9', listener: 'tcp', requests: 0, connections: 1 }),
    ]);
    expect(willBreak(p)).toEqual([expect.objectContaining({ destination: '203.0.113.9', breaks: 'no-port' })]);
    expect(readinessPercent(p)).toBe('99%');
    expect(lockdownJson(p).ready).toBe(false);
  });

  it.each([
    ['unknown', 'http', 'no-host', /HTTP without a Host header/],
    ['unknown', 'tcp', 'no-address', /TCP without a destination address/],
    ['*.wild.example.com', 'http', 'unregistrable-host', /a wildcard/],
    ['bad_host!.example', 'http', 'unregistrable-host', /not a DNS name/],
  ] as const)('%s over %s breaks as %s, with its own reason', (destination, listener, reason, why) => {
    const p = plan([cell({ destination, listener })]);
    expect(willBreak(p)).toEqual([expect.objectContaining({ breaks: reason, why: expect.stringMatching(why) })]);
    expect(p.readiness).toBe(0);
  });

  it('in-mesh passthrough breaks; in-mesh blackhole is evidence of a Sidecar', () => {
    const p = plan([
      cell({
        destination: '10.244.1.2',
        listener: 'tcp',
        port: 9092,
        category: 'in-mesh',
        connections: 3,
        requests: 0,
      }),
      cell({ destination: 'reviews.shop', verdict: 'blackhole', category: 'in-mesh', sourceWorkload: 'front' }),
    ]);
    expect(willBreak(p).map((f) => f.breaks)).toEqual(['in-mesh']);
    expect(p.sidecarEvidence).toEqual(['front']);
  });

  it('the root namespace gets no plan, nothing changes, and the YAML writes no object', () => {
    const p = plan([cell({ sourceNamespace: 'mesh-root' })], 'mesh-root', { rootNamespace: 'mesh-root' });
    expect(p.notApplicable).toMatchObject({ kind: 'root-namespace', reason: expect.stringMatching(/whole mesh/) });
    expect(willBreak(p)).toEqual([]);
    expect(p.flows.map((f) => f.outcome)).toEqual(['unchanged']);
    expect(readinessPercent(p)).toBe('—');
    expect(lockdownYaml(p)).toMatch(/^# Namespace mesh-root: no Sidecar written\. mesh-root is the root namespace/);
    expect(
      lockdownYaml(p)
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
    ).toEqual([]);
    // In the mesh-wide view the root namespace's sidecars switch like any other.
    const mesh = plan([cell({ sourceNamespace: 'mesh-root' })], 'mesh-root', {
      rootNamespace: 'mesh-root',
      scope: 'mesh',
    });
    expect(mesh.notApplicable).toBeUndefined();
    expect(toRegister(mesh)).toHaveLength(1);
  });

  it('ambient-only is not applicable; half-ambient plans the sidecars and names the rest', () => {
    const ztunnel = cell({
      destination: 'unknown',
      listener: 'tcp',
      category: 'ambient',
      sourceWorkload: 'z',
      connections: 5,
    });
    expect(plan([ztunnel]).notApplicable?.kind).toBe('ambient');
    const half = plan([ztunnel, cell({})]);
    expect(half.notApplicable).toBeUndefined();
    expect(half.ambientWorkloads).toEqual(['z']);
    expect(notCovered(half)).toHaveLength(1);
    expect(isReady(half)).toBe(true);
  });

  it('no traffic proves nothing: zero-volume pairs are not "ready"', () => {
    const p = plan([cell({ requests: 0 })]);
    expect(p.notApplicable?.kind).toBe('no-traffic');
    expect(isReady(p)).toBe(false);
  });

  it('sorts applicable plans first, readiest first', () => {
    const ready = plan([cell({ sourceNamespace: 'a' })], 'a');
    const broken = plan([cell({ sourceNamespace: 'b', destination: 'unknown' })], 'b');
    const root = plan([cell({ sourceNamespace: 'istio-system' })], 'istio-system');
    expect([root, broken, ready].sort(byReadiness).map((p) => p.namespace)).toEqual(['a', 'b', 'istio-system']);
  });
});

describe('lock-down YAML', () => {
  it('keeps hostile names in comments and quoted scalars, and ends in the REGISTRY_ONLY Sidecar', () => {
    const yaml = lockdownYaml(plan([cell({}), cell({ destination: 'unknown', listener: 'tcp', connections: 1 })]));
    // The newline in the workload name is escaped: no comment line can start a YAML key.
    expect(yaml).not.toMatch(/^kind: Sidecar\n(?![\s\S]*^kind: Sidecar)[\s\S]*# kind/m);
    expect(yaml.split('\n').filter((l) => l === '# kind: Sidecar')).toEqual([]);
    expect(yaml).toMatch(/^# Will break: web\\u000a# kind: Sidecar -> unknown \(TCP, 1 connections\)/m);
    expect(yaml.trimEnd().endsWith('spec:\n  outboundTrafficPolicy:\n    mode: REGISTRY_ONLY')).toBe(true);
  });

  it('the mesh-wide stream has entries per namespace, the meshConfig change, and no Sidecar', () => {
    const plans = ['a', 'b'].map((ns) => plan([cell({ sourceNamespace: ns })], ns, { scope: 'mesh' }));
    const yaml = meshLockdownYaml(plans, range);
    expect(yaml).not.toMatch(/^kind: Sidecar$/m);
    expect(yaml.match(/^kind: ServiceEntry$/gm)).toHaveLength(2);
    expect(yaml).toMatch(/meshConfig\.outboundTrafficPolicy\.mode=REGISTRY_ONLY/);
  });
});
