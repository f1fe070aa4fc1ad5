/**
 * @jest-environment jsdom
 */
/**
 * Backends that fail as they do in production, through the data source and Grafana's data proxy (its
 * failures as Grafana writes them: dataProxy.ts) and through the CLI: each says what failed and what to do,
 * and none reads as "no traffic". A Prometheus of its own here, loaded with the demo mesh, so it can run with
 * a query limit and be stopped and started again.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { DataSource } from '../../src/datasource/datasource';
import type { EgressOptions } from '../../src/datasource/types';
import { startDemoPrometheus } from '../../harness/demoMesh';
import { freePort, type RunningPrometheus, startPrometheus } from '../../harness/prometheus';
import { DEMO_CLUSTER, TEST_END } from '../../harness/synthetic/mesh';
import {
  fakeBackendSrv,
  fakeTemplateSrv,
  type FetchHandler,
  instanceSettings,
  queryRequest,
  runRequest,
} from '../fakes/grafana';
import { PROXY, proxyTo } from './dataProxy';
import { cli } from './runCli';

const json: Partial<EgressOptions> = { extraMatchers: `cluster="${DEMO_CLUSTER}"` };
const dataSource = (handler: FetchHandler) =>
  new DataSource({ ...instanceSettings(json, PROXY), name: 'Mesh egress' }, fakeTemplateSrv(), fakeBackendSrv(handler));
const matrix = (from: number, to: number) => queryRequest([{ queryType: 'matrix' }], from, to);

describe('fault: the backend is down or slow', () => {
  let silent: Server;
  let silentUrl: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers: a Prometheus stuck on a heavy query, or a hung proxy.
    silent = createServer((s) => void sockets.push(s));
    const port = await freePort();
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    silentUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise<void>((r) => silent.close(() => r()));
  });

  it('fault: Prometheus down (connection refused): the panel names the data source and the setting that points at it', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const res = await runRequest(dataSource(proxyTo(() => closed)), matrix(TEST_END - 3600, TEST_END));
    expect(res.data).toEqual([]);
    expect(res.errors?.[0].message).toBe(
      'HTTP 502 Bad Gateway from /api/v1/query. Grafana\'s data proxy could not reach the data source "Mesh egress": ' +
        'check that Prometheus is up and that the URL under Connection in the data source settings points at it.'
    );
  });

  it("fault: a backend slower than the data source's Timeout: a timeout that names the setting", async () => {
    const res = await runRequest(dataSource(proxyTo(() => silentUrl, 300)), matrix(TEST_END - 3600, TEST_END));
    expect(res.errors?.[0].message).toMatch(
      /^HTTP 504 Gateway Timeout from \/api\/v1\/query\. Grafana's data proxy stopped waiting: Prometheus did not answer within the data source's Timeout \(Advanced HTTP settings;/
    );
  });

  it('fault: the CLI against a backend slower than --timeout exits 1 with one line naming the URL and the flag', async () => {
    const r = await cli('matrix', '--prometheus', silentUrl, '--timeout', '1s');
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      `istio-egress: Prometheus at ${silentUrl} did not answer /api/v1/query within 1 s: raise --timeout, shorten the range, or install the recording rules so long ranges read recorded series.`,
    ]);
  });
});

describe("fault: Prometheus' limits and restarts", () => {
  let prom: RunningPrometheus & { workDir: string };
  const url = () => prom.url;
  beforeAll(async () => {
    // A sample limit below one series' two hours (Prometheus 3 holds one series' window at a time: 480 samples
    // here) and above five minutes of the whole demo mesh.
    prom = await startDemoPrometheus(TEST_END, { extraArgs: ['--query.max-samples=200'] });
  }, 180_000);
  afterAll(async () => {
    await prom?.stop();
    rmSync(prom.workDir, { recursive: true, force: true });
  });

  it('fault: a query over the sample limit says to shorten the range or use recorded series, in the panel and the CLI', async () => {
    const ds = dataSource(proxyTo(url));
    const small = await runRequest(ds, matrix(TEST_END - 300, TEST_END));
    expect(small.errors).toBeUndefined();
    const big = await runRequest(ds, { ...matrix(TEST_END - 7200, TEST_END), requestId: 'Q2' });
    expect(big.data).toEqual([]);
    const message = big.errors?.[0].message ?? '';
    expect(message).toMatch(
      /^Prometheus rejected \/api\/v1\/query \(execution\), HTTP 422: query processing would load too many samples into memory/
    );
    expect(message).toMatch(/shorten the range, narrow the filters, or install the recording rules/);
    expect(message).not.toMatch(/[{}]/);
    const r = await cli(
      'matrix',
      '--prometheus',
      url(),
      '--from',
      String(TEST_END - 86400),
      '--to',
      String(TEST_END),
      '--recorded',
      'never'
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/too many samples.*install the recording rules/);
  });

  it('fault: Prometheus restarted in the middle of a refresh: that refresh shows the error, the next one recovers', async () => {
    // The refresh's first request reaches the proxy while Prometheus is stopping: it arrives to a closed port.
    let held: (() => void) | undefined;
    let arrived: () => void = () => {};
    const reached = new Promise<void>((r) => (arrived = r));
    const forward = proxyTo(url);
    const ds = dataSource(async (req, signal) => {
      if (!held) {
        const release = new Promise<void>((r) => (held = r));
        arrived();
        await release;
      }
      return forward(req, signal);
    });
    const refresh = runRequest(ds, matrix(TEST_END - 300, TEST_END));
    await reached;
    const { port } = prom;
    await prom.stop();
    held!();
    const failed = await refresh;
    expect(failed.data).toEqual([]);
    // Refused once it is down (Grafana's proxy: 502), or 503 from Prometheus while it shuts down.
    expect(failed.errors?.[0].message).toMatch(
      /^HTTP (502 Bad Gateway .*could not reach the data source "Mesh egress"|503 Service Unavailable .*check that Prometheus is up)/
    );
    const restarted = await startPrometheus({
      dataDir: `${prom.workDir}/data`,
      port,
      extraArgs: ['--query.max-samples=200'],
    });
    prom = { ...restarted, workDir: prom.workDir };
    const next = await runRequest(ds, { ...matrix(TEST_END - 300, TEST_END), requestId: 'Q3' });
    expect(next.errors).toBeUndefined();
    expect((next.data[0] as { length: number }).length).toBeGreaterThan(0);
  }, 120_000);
});
