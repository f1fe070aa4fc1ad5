import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../../harness/prometheus';
import { DEMO_CLUSTER, TEST_END, demoFlows, demoGrid, expectedCells } from '../../harness/synthetic/mesh';
import type { EgressCell } from '../../src/query/cells';
import { prometheusUrl } from '../harness/state';
import { diffCells } from './expect';

import { cli, cliWithEnv } from './runCli';

const window = ['--from', String(TEST_END - 3600), '--to', new Date(TEST_END * 1000).toISOString()];

beforeAll(() => {
  if (!existsSync(path.join(__dirname, '..', '..', 'dist-cli', 'istio-egress.js'))) {
    throw new Error('The CLI is not built: npm test builds it first (npm run build).');
  }
});

describe('istio-egress matrix', () => {
  it('prints the documented JSON for the demo mesh', async () => {
    const r = await cli(
      'matrix',
      '--prometheus',
      prometheusUrl(),
      ...window,
      '--selector',
      `cluster="${DEMO_CLUSTER}"`,
      '--format',
      'json'
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { from: number; to: number; cells: Array<Record<string, unknown>> };
    expect(out.from).toBe(TEST_END - 3600);
    expect(out.to).toBe(TEST_END);
    const allowed = [
      'sourceNamespace',
      'sourceWorkload',
      'destination',
      'verdict',
      'listener',
      'requests',
      'connections',
      'bytesSent',
      'bytesReceived',
      'port',
      'responseCodes',
      'category',
    ];
    for (const c of out.cells) {
      expect(Object.keys(c).filter((k) => !allowed.includes(k))).toEqual([]);
      expect(['blackhole', 'passthrough']).toContain(c.verdict);
      expect(['http', 'tcp']).toContain(c.listener);
      expect(c.category).toBe('external');
    }
    const want = expectedCells(
      demoFlows().filter((f) => f.cluster === DEMO_CLUSTER),
      demoGrid(TEST_END),
      TEST_END - 3600,
      TEST_END
    );
    expect(diffCells(out.cells as unknown as EgressCell[], want)).toEqual([]);
  });

  it('prints a table with a header and one row per cell', async () => {
    const r = await cli(
      'matrix',
      '--prometheus',
      prometheusUrl(),
      ...window,
      '--selector',
      'cluster="legacy-1"',
      '--format',
      'table'
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+WORKLOAD\s+DESTINATION\s+PORT\s+VERDICT/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 5).join(' '))).toEqual([
      'ops backup unknown - passthrough',
      'ops cron registry.npmjs.org - blackhole',
      'ops pinger unknown - passthrough',
      'shop checkout api.stripe.com - passthrough',
    ]);
  });
});

describe('istio-egress serviceentries', () => {
  it('registers the passthrough destinations, never the blocked ones', async () => {
    const r = await cli(
      'serviceentries',
      '--prometheus',
      prometheusUrl(),
      ...window,
      '--selector',
      `cluster="${DEMO_CLUSTER}"`
    );
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout)
      .map((d) => d.toJS())
      .filter(Boolean);
    const hosts = docs.flatMap((d) => d.spec.hosts as string[]);
    expect(hosts).toContain('api.stripe.com');
    expect(hosts).not.toContain('pypi.org');
    const payments = docs.find(
      (d) => d.metadata.namespace === 'shop' && (d.spec.addresses ?? []).includes('52.216.10.4/32')
    );
    expect(payments.spec.ports).toEqual([{ number: 443, name: 'tcp-443', protocol: 'TCP' }]);
    expect(docs.every((d) => d.kind === 'ServiceEntry' && d.spec.location === 'MESH_EXTERNAL')).toBe(true);
  });

  it("--namespace writes that namespace's entries only, the same ones as for the whole mesh", async () => {
    const entries = async (...more: string[]) =>
      parseAllDocuments((await cli('serviceentries', '--prometheus', prometheusUrl(), ...window, ...more)).stdout)
        .map((d) => d.toJS())
        .filter(Boolean) as Array<{ metadata: { name: string; namespace: string } }>;
    const shop = await entries('--namespace', 'shop');
    const all = await entries();
    expect(shop.length).toBeGreaterThan(1);
    expect(new Set(shop.map((d) => d.metadata.namespace))).toEqual(new Set(['shop']));
    expect(shop).toEqual(all.filter((d) => d.metadata.namespace === 'shop'));
    expect(all.length).toBeGreaterThan(shop.length);
    // Mesh-scoped entries go to the root namespace, as --root-namespace (or the settings file) names it.
    const mesh = await entries('--namespace', 'shop', '--scope', 'mesh', '--root-namespace', 'mesh-config');
    expect(new Set(mesh.map((d) => d.metadata.namespace))).toEqual(new Set(['mesh-config']));
  });
});

describe('istio-egress promql', () => {
  it('prints every template with the selector applied', async () => {
    const r = await cli('promql', '--selector', 'cluster="eu-1"', '--ip-label', 'dst_addr');
    expect(r.code).toBe(0);
    const exprs = r.stdout.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(exprs.length).toBeGreaterThanOrEqual(8);
    exprs.forEach((e) => expect(e).toContain('cluster="eu-1"'));
    expect(r.stdout).toContain('dst_addr');
  });
});

describe('bad input: one clear line, non-zero exit, no stack trace', () => {
  let server: Server;
  let htmlUrl: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body>Welcome to nginx!</body></html>');
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    htmlUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const cases: Array<[string, () => Promise<string[]>, RegExp]> = [
    [
      'fault: Prometheus down (connection refused)',
      async () => ['matrix', '--prometheus', `http://127.0.0.1:${await freePort()}`],
      /Cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
    ],
    ['a URL that is not a URL', async () => ['matrix', '--prometheus', 'prometheus:9090'], /is not an http\(s\) URL/],
    [
      'a non-Prometheus answer',
      async () => ['matrix', '--prometheus', htmlUrl],
      /not a Prometheus API response \(<html><body>Welcome to nginx!/,
    ],
    [
      'a query Prometheus rejects',
      async () => ['matrix', '--prometheus', prometheusUrl(), '--selector', 'cluster=~"(unclosed"'],
      /Prometheus rejected \/api\/v1\/query \(bad_data\), HTTP 400: .*missing closing \)/,
    ],
    [
      'a malformed time',
      async () => ['matrix', '--prometheus', prometheusUrl(), '--from', 'yesterday'],
      /--from "yesterday" is not a time/,
    ],
    [
      'from after to',
      async () => ['matrix', '--prometheus', prometheusUrl(), '--from', 'now', '--to', 'now-1h'],
      /starts .* at or after it ends/,
    ],
    [
      'a bad selector',
      async () => ['matrix', '--prometheus', prometheusUrl(), '--selector', 'cluster=eu'],
      /Invalid label matchers/,
    ],
    [
      'a time in the future',
      async () => ['matrix', '--prometheus', prometheusUrl(), '--from', 'now+1h'],
      /--from "now\+1h" is in the future \(.*\): Prometheus has nothing after now\. Use a time before it, e\.g\. now-1h\./,
    ],
    [
      'a duration without its unit',
      async () => ['matrix', '--prometheus', prometheusUrl(), '--timeout', '5'],
      /--timeout "5" has no unit: write 5s for seconds/,
    ],
    [
      'label matchers that match no Istio series',
      async () => ['matrix', '--prometheus', prometheusUrl(), ...window, '--selector', 'cluster="no-such-cluster"'],
      /No matrix: the label matchers cluster="no-such-cluster" match no Istio series between .*: check their label names and values/,
    ],
    [
      'serviceentries for a namespace without egress',
      async () => ['serviceentries', '--prometheus', prometheusUrl(), ...window, '--namespace', 'no-such-ns'],
      /No PassthroughCluster traffic from namespace "no-such-ns" between .*\. Namespaces with egress then: .*\bshop\b/,
    ],
    ['a missing URL', async () => ['matrix'], /--prometheus URL is required/],
    ['an unknown flag', async () => ['matrix', '--prom', 'x'], /Unknown option '--prom'/],
    ['an unknown command', async () => ['graph'], /unknown command "graph"/],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const r = await cli(...(await args()));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('hostile and broken servers, credentials, strict input', () => {
  let server: Server;
  let base: string;
  const seenAuth: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '';
      if (path.startsWith('/stall/')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"status":"success","data":{"resultType":"vector","result":[');
        return; // never ends: a body that stalls after the headers
      }
      if (path.startsWith('/null/')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"status":"success","data":{"resultType":"vector","result":[null]}}');
        return;
      }
      if (path.startsWith('/escape/')) {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'red \x1b[31mALERT\x1b]0;owned\x07 \x9b2J' })
        );
        return;
      }
      if (path.startsWith('/auth/')) {
        seenAuth.push(req.headers.authorization ?? '');
        const ok = ['Bearer s3cret-token', `Basic ${Buffer.from('alice:pa:ss').toString('base64')}`].includes(
          req.headers.authorization ?? ''
        );
        res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
        res.end(
          ok
            ? path.includes('/label/')
              ? '{"status":"success","data":[]}'
              : '{"status":"success","data":{"resultType":"vector","result":[]}}'
            : '{"status":"error","errorType":"unauthorized","error":"no"}'
        );
        return;
      }
      res.writeHead(404);
      res.end();
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('fault: a body that stalls: --timeout, with the URL in the message', async () => {
    const r = await cli('matrix', '--prometheus', `${base}/stall`, '--timeout', '1s');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `istio-egress: Prometheus at ${base}/stall did not answer /api/v1/query within 1 s: raise --timeout, shorten the range, or install the recording rules so long ranges read recorded series.\n`
    );
  });

  it('a [null] result is a clear error, not a JavaScript one', async () => {
    const r = await cli('matrix', '--prometheus', `${base}/null`);
    expect(r.stderr).toBe(
      'istio-egress: Malformed vector from /api/v1/query: result 0 is null, not a series with labels and [time, "value"] samples.\n'
    );
  });

  it('server text reaches the terminal with its control characters escaped', async () => {
    const r = await cli('matrix', '--prometheus', `${base}/escape`);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/[\x1b\x07\x9b]/);
    expect(r.stderr).toContain('red \\u001b[31mALERT\\u001b]0;owned\\u0007 \\u009b2J');
  });

  it('credentials from a token file, the environment or the URL are sent and never printed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'istioegress-token-'));
    const file = path.join(dir, 'token');
    writeFileSync(file, 's3cret-token\n');
    try {
      const token = await cli('matrix', '--prometheus', `${base}/auth`, '--bearer-token-file', file);
      expect([token.code, token.stderr]).toEqual([0, '']);
      const envAuth = await cliWithEnv(
        { PROMETHEUS_USERNAME: 'alice', PROMETHEUS_PASSWORD: 'pa:ss' },
        'matrix',
        '--prometheus',
        `${base}/auth`
      );
      expect([envAuth.code, envAuth.stderr]).toEqual([0, '']);
      const inUrl = await cli('matrix', '--prometheus', `http://alice:pa%3Ass@${base.slice(7)}/auth`);
      expect(inUrl.code).toBe(0);
      const wrong = await cli('matrix', '--prometheus', `http://alice:wrong-pw@${base.slice(7)}/auth`);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain(`HTTP 401`);
      expect(wrong.stderr).not.toContain('wrong-pw');
      expect(seenAuth.filter((a) => a === 'Bearer s3cret-token').length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['matrix', '--prometheus', 'http://127.0.0.1:9/?x=1'], /has a query or fragment: give the API's base only/],
    [['matrix', '--prometheus', 'http://127.0.0.1:9', '--from', '2026-02-30T00:00:00Z'], /not a valid date and time/],
    [['matrix', '--prometheus', 'http://127.0.0.1:9', '--timeout', 'soon'], /--timeout "soon" is not a duration/],
    [['promql', '--window', '100000d'], /--window "100000d" is longer than ten years/],
    [['matrix', '--prometheus', 'http://127.0.0.1:9', '--bearer-token-file', '/nonexistent/token'], /ENOENT/],
  ])('%j is refused with one line', async (args, message) => {
    const r = await cli(...args);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('each command has its own --help; --version prints the package version', async () => {
    const one = await cli('lockdown', '--help');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^ {2}istio-egress lockdown --prometheus URL/m);
    expect(one.stdout).toMatch(/--root-namespace/);
    expect(one.stdout).not.toMatch(/istio-egress matrix --prometheus/);
    const all = await cli('--help');
    for (const c of ['matrix', 'serviceentries', 'lockdown', 'promql']) {
      expect(all.stdout).toMatch(new RegExp(`^ {2}istio-egress ${c} `, 'm'));
    }
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    const v = await cli('--version');
    expect([v.code, v.stdout, v.stderr]).toEqual([0, `istio-egress ${pkg.version}\n`, '']);
  });

  it('no arguments: usage on stderr, exit 2', async () => {
    const r = await cli();
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr).toContain('Usage:');
  });
});
