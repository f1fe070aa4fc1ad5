import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LOCKDOWN_CLUSTER, LOCKDOWN_NAMESPACE, LOCKDOWN_SWITCH_STEP } from '../../harness/synthetic/lockdown';
import { demoGrid, TEST_END } from '../../harness/synthetic/mesh';
import { stepTime } from '../../harness/synthetic/series';
import { lockdownPlan } from '../../src/query/lockdown';
import { lockdownYaml } from '../../src/query/lockdownYaml';
import { serviceEntriesYaml } from '../../src/query/serviceEntries';
import { ipLabelTelemetryYaml } from '../../src/query/telemetrySnippet';
import { prometheusUrl } from '../harness/state';
import { istioctlValidator } from './istioctl';
import { cli } from './runCli';
import { passthroughCell } from './cells';

/**
 * Every YAML the product writes for a cluster passes Istio's own validation (`istioctl validate`), not only
 * kubectl's parser: the lockdown stream, `serviceentries`, and the Telemetry resource, on the synthetic
 * mesh and on destinations whose names Istio is strict about.
 */

const istioctl = istioctlValidator();
afterAll(() => istioctl.close());

const grid = demoGrid(TEST_END);
const beforeSwitch = ['--from', String(stepTime(grid, 1)), '--to', String(stepTime(grid, LOCKDOWN_SWITCH_STEP) - 60)];

async function expectValid(yaml: string) {
  const r = await istioctl.validate(yaml);
  expect({ ok: r.ok, output: r.output }).toEqual({ ok: true, output: expect.stringMatching(/is valid/) });
}

const cell = passthroughCell;

describe('istioctl validate', () => {
  it('rejects a broken resource (the check can fail)', async () => {
    const r = await istioctl.validate(
      'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: "x"\n  namespace: "shop"\nspec:\n  hosts: ["*"]\n  ports:\n    - number: 443\n      name: "https"\n      protocol: FOO\n'
    );
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/invalid host \*/);
    expect(r.output).toMatch(/unsupported protocol: FOO/);
  });

  it('passes the lockdown YAML of the namespace that switches, and of every namespace in the mesh', async () => {
    const one = await cli(
      'lockdown',
      '--prometheus',
      prometheusUrl(),
      '--selector',
      `cluster="${LOCKDOWN_CLUSTER}"`,
      ...beforeSwitch,
      '--namespace',
      LOCKDOWN_NAMESPACE
    );
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/kind: Sidecar/);
    await expectValid(one.stdout);
    const all = await cli('lockdown', '--prometheus', prometheusUrl(), ...beforeSwitch, '--all-namespaces');
    expect(all.code).toBe(0);
    expect((all.stdout.match(/^kind: ServiceEntry$/gm) ?? []).length).toBeGreaterThan(5);
    await expectValid(all.stdout);
  });

  it('passes serviceentries for the whole synthetic mesh, in both scopes', async () => {
    for (const scope of [[], ['--scope', 'mesh']]) {
      const r = await cli('serviceentries', '--prometheus', prometheusUrl(), ...beforeSwitch, ...scope);
      expect(r.code).toBe(0);
      expect((r.stdout.match(/^kind: ServiceEntry$/gm) ?? []).length).toBeGreaterThan(5);
      await expectValid(r.stdout);
    }
  });

  it('passes the Telemetry resource, as the app shows it and as deploy/ ships it', async () => {
    await expectValid(ipLabelTelemetryYaml());
    await expectValid(
      readFileSync(path.join(__dirname, '..', '..', 'deploy', 'telemetry-destination-ip.yaml'), 'utf8')
    );
  });

  it('passes entries for destinations whose shape Istio is strict about', async () => {
    const cells = [
      cell('API.Example.COM'),
      cell('trailing.example.com.'),
      cell('a-very-long-label-that-is-still-a-valid-dns-label-of-63-chars-x.example.com'),
      cell('2001:db8::1', { listener: 'tcp', connections: 3, requests: 0, port: 5432 }),
      cell('198.51.100.7', { listener: 'tcp', connections: 3, requests: 0, port: 22 }),
      cell('203.0.113.9', { listener: 'tcp', connections: 3, requests: 0 }),
      cell('svc.example.com', { port: 8443 }),
      cell('xn--bcher-kva.example', { port: 80 }),
      cell('api.stripe.com', { sourceNamespace: 'ns-with-dashes-1', port: 443 }),
    ];
    for (const scope of ['namespace', 'mesh'] as const) {
      await expectValid(serviceEntriesYaml(cells, { scope }));
    }
    const plan = lockdownPlan('shop', { cells, from: 0, to: 3600 });
    await expectValid(lockdownYaml(plan));
  });
});
