/**
 * @jest-environment jsdom
 */
/**
 * New destinations over a week on a real Prometheus with both recorded tiers (harness/tools/tsdb-writer:
 * a week of a small mesh, the tiers as Prometheus records them). With nothing in the look-back (a
 * Prometheus or a recording younger than it) every destination is new, and first seen is asked beside the
 * matrix fetch instead of after it; with a look-back that saw traffic, only after it, for the new ones.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from '../../src/datasource/datasource';
import { http, type RunningPrometheus, startPrometheus } from '../../harness/prometheus';
import { TEST_END } from '../../harness/synthetic/mesh';
import { writeMesh } from '../../harness/tsdbWriter';
import {
  fakeBackendSrv,
  fakeTemplateSrv,
  type FetchHandler,
  instanceSettings,
  queryRequest,
  runRequest,
} from '../fakes/grafana';
import { PROXY, proxyTo } from './dataProxy';

const DAY = 86400;
const HOUR = 3600;
let prom: RunningPrometheus;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'istioegress-week-'));
  const out = path.join(work, 'data');
  mkdirSync(out);
  await writeMesh({ series: 1200, days: 7, intervalSeconds: 60, end: TEST_END, out });
  prom = await startPrometheus({ dataDir: out });
}, 900_000);

afterAll(async () => {
  await prom?.stop();
  if (work) {
    rmSync(work, { recursive: true, force: true });
  }
});

const queryOf = (body: unknown) => new URLSearchParams(String(body ?? '')).get('query') ?? '';
const isMatrix = (q: string) => q.startsWith('sum by (source_workload_namespace');
const isFirstSeen = (q: string) => q.startsWith('min by (');
const isLookback = (q: string) => q.startsWith('count by (');

/** Each destination's first raw sample, from the raw series themselves (the truth first seen rounds). */
async function firstRawSample(): Promise<Map<string, number>> {
  const expr =
    'min by (destination_service, destination_ip) (min_over_time(timestamp({__name__=~"istio_requests_total|istio_tcp_connections_closed_total", reporter="source"})[7d:1m]))';
  const res = await http(`${prom.url}/api/v1/query?${new URLSearchParams({ query: expr, time: String(TEST_END) })}`);
  const body = JSON.parse(res.text) as {
    data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  return new Map(
    body.data.result.map((s) => [
      s.metric.destination_service === 'unknown' || !s.metric.destination_service
        ? s.metric.destination_ip.replace(/:\d+$/, '')
        : s.metric.destination_service,
      Number(s.value[1]),
    ])
  );
}

describe('first seen over a week', () => {
  /**
   * A data source whose matrix requests wait until first seen has been asked: one that asks it only after
   * the matrix would never release them (the safety release after 60 s makes that a failure, not a hang).
   */
  function gatedDataSource() {
    const forward = proxyTo(() => prom.url, 60_000);
    const events: string[] = [];
    let releasedBy: 'first seen' | 'the safety timeout' | undefined;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const releaseFor = (why: NonNullable<typeof releasedBy>) => {
      releasedBy ??= why;
      release();
    };
    const safety = setTimeout(() => releaseFor('the safety timeout'), 60_000);
    const handler: FetchHandler = async (req, signal) => {
      const q = queryOf(req.data);
      if (isFirstSeen(q)) {
        events.push('first seen asked');
        releaseFor('first seen');
      } else if (isMatrix(q)) {
        await released;
      }
      const answer = await forward(req, signal);
      if (isLookback(q)) {
        events.push('look-back answered');
      }
      return answer;
    };
    const ds = new DataSource(
      instanceSettings({ timeInterval: '60s' }, PROXY),
      fakeTemplateSrv(),
      fakeBackendSrv(handler)
    );
    return { ds, events, releasedBy: () => (clearTimeout(safety), releasedBy) };
  }

  it('with nothing in the look-back, is asked beside the matrix fetch and finds each destination to the hour', async () => {
    const gated = gatedDataSource();
    const from = TEST_END - 7 * DAY;
    const res = await runRequest(
      gated.ds,
      queryRequest([{ queryType: 'newDestinations', lookback: '7d' }], from, TEST_END)
    );
    expect(res.errors).toBeUndefined();
    expect(gated.releasedBy()).toBe('first seen');
    // The recording began with the range (nothing an hour before it): first seen goes out with the look-back,
    // not after its answer, which waits behind the matrix's requests in a browser.
    expect(gated.events.indexOf('first seen asked')).toBeGreaterThanOrEqual(0);
    expect(gated.events.indexOf('first seen asked')).toBeLessThan(gated.events.indexOf('look-back answered'));
    const frame = res.data[0];
    const col = (n: string) => frame.fields.find((f: { name: string }) => f.name === n).values as unknown[];
    const truth = await firstRawSample();
    const destinations = col('destination') as string[];
    expect(new Set(destinations).size).toBe(truth.size);
    const times = col('time') as number[];
    let bornInside = 0;
    destinations.forEach((d, i) => {
      const first = truth.get(d)!;
      const seen = times[i] / 1000;
      // The first hourly sample after the first 5-minute recording (the writer's hourly tier, like a rule
      // group started with its data, begins with the first whole hour), at the next whole-hour step.
      const latest = Math.max(first + 300, from + HOUR + 60) + 2 * HOUR;
      expect(`${d}: ${seen >= first && seen <= latest}`).toBe(`${d}: true`);
      bornInside += first > from + HOUR ? 1 : 0;
    });
    expect(bornInside).toBeGreaterThan(0);
  }, 120_000);

  it('over a day with nothing before it, many new destinations: beside the matrix, to the hour, and it says so', async () => {
    const gated = gatedDataSource();
    const from = TEST_END - 7 * DAY;
    const res = await runRequest(
      gated.ds,
      queryRequest([{ queryType: 'newDestinations', lookback: '7d' }], from, from + DAY)
    );
    expect(res.errors).toBeUndefined();
    expect(gated.releasedBy()).toBe('first seen');
    const frame = res.data[0];
    const destinations = new Set(frame.fields.find((f: { name: string }) => f.name === 'destination').values);
    expect(destinations.size).toBeGreaterThan(50);
    expect(frame.meta.notices.map((n: { text: string }) => n.text)).toContain(
      `First seen is to the hour: ${destinations.size} destinations are new (more than 50), so it is read from the hourly recording rather than every series' 5-minute one.`
    );
  }, 120_000);

  it('over a day with nothing before it, a few new destinations: asked for by name at 5-minute steps', async () => {
    const gated = gatedDataSource();
    const from = TEST_END - 7 * DAY;
    const res = await runRequest(
      gated.ds,
      queryRequest([{ queryType: 'newDestinations', lookback: '7d', workload: 'svc-0' }], from, from + DAY)
    );
    expect(res.errors).toBeUndefined();
    const frame = res.data[0];
    expect(frame.length).toBeGreaterThan(0);
    expect(frame.meta.notices.map((n: { text: string }) => n.text).join('\n')).not.toContain('to the hour');
    const firstSeen = String(frame.meta.executedQueryString)
      .split('\n')
      .filter((l) => l.includes('.firstSeen: '));
    expect(firstSeen.length).toBeGreaterThan(0);
    expect(firstSeen.every((l) => /destination_(service|ip)=~"\(\?i:/.test(l) && l.includes(':5m]'))).toBe(true);
  }, 120_000);

  it('with a look-back that saw traffic, asks first seen after the matrix, for the new destinations alone', async () => {
    const forward = proxyTo(() => prom.url, 60_000);
    const events: Array<{ kind: 'matrix-done' | 'first-seen-sent' }> = [];
    const handler: FetchHandler = async (req, signal) => {
      const q = queryOf(req.data);
      if (isFirstSeen(q)) {
        events.push({ kind: 'first-seen-sent' });
      }
      const answer = await forward(req, signal);
      if (isMatrix(q)) {
        events.push({ kind: 'matrix-done' });
      }
      return answer;
    };
    const ds = new DataSource(
      instanceSettings({ timeInterval: '60s' }, PROXY),
      fakeTemplateSrv(),
      fakeBackendSrv(handler)
    );
    // Six and a half days: steps of half an hour and more, as a week's; the 12 hours before it hold traffic.
    const from = TEST_END - 6.5 * DAY;
    const res = await runRequest(ds, queryRequest([{ queryType: 'newDestinations', lookback: '12h' }], from, TEST_END));
    expect(res.errors).toBeUndefined();
    const kinds = events.map((e) => e.kind);
    expect(kinds).toContain('first-seen-sent');
    expect(kinds.indexOf('first-seen-sent')).toBeGreaterThan(kinds.lastIndexOf('matrix-done'));
    const firstSeen = String(res.data[0].meta.executedQueryString)
      .split('\n')
      .filter((l) => l.includes('.firstSeen: '));
    // Few new destinations: asked for by name.
    expect(firstSeen.length).toBeGreaterThan(0);
    expect(firstSeen.every((l) => /destination_(service|ip)=~"\(\?i:/.test(l))).toBe(true);
  }, 120_000);
});
