import { CoreApp } from '@grafana/data';
import { cellQueries, rateInterval } from '../query';
import { DataSource } from './datasource';
import {
  instanceSettings,
  queryRequest,
  fakeBackendSrv,
  fakeTemplateSrv,
  type FetchHandler,
  runRequest,
} from '../../test/fakes/grafana';
import { interpolateFilter } from './interpolation';

const vector = (result: unknown[] = []) => ({
  status: 200,
  data: { status: 'success', data: { resultType: 'vector', result } },
});

function makeDs(handler: FetchHandler, jsonData = {}, vars = fakeTemplateSrv()) {
  const backend = fakeBackendSrv(handler);
  return { ds: new DataSource(instanceSettings(jsonData), vars, backend), backend };
}

/** Polls `cond` on the event loop: the data source's packets arrive from promise chains, not timers. */
async function waitUntil(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) {
    await new Promise((r) => setTimeout(r, 0));
  }
  if (!cond()) {
    throw new Error('condition never held');
  }
}

function sentQueries(backend: ReturnType<typeof fakeBackendSrv>): string[] {
  return backend.requests.map((r) => new URLSearchParams(String(r.data)).get('query') ?? '');
}

describe('interpolateFilter', () => {
  const tpl = fakeTemplateSrv([
    { name: 'ns', current: ['shop', 'a.b'], options: ['shop', 'a.b', 'data'] },
    { name: 'one', current: 'x"y', options: ['x"y'] },
    { name: 'all', current: '$__all', options: ['p', 'q'] },
    { name: 'allcustom', current: '$__all', options: ['p', 'q'], allValue: '.*' },
    { name: 'regexall', current: '$__all', options: ['shop', 'data'], allValue: 'shop|data' },
  ]);
  it.each([
    ['', { kind: 'all' }],
    ['shop', { kind: 'values', values: ['shop'] }],
    ['$ns', { kind: 'values', values: ['shop', 'a.b'] }],
    ['${one}', { kind: 'values', values: ['x"y'] }],
    ['$all', { kind: 'values', values: ['p', 'q'] }],
    ['$allcustom', { kind: 'all' }],
    ['=~sh.p', { kind: 'regex', pattern: 'sh.p' }],
    ['=~$ns', { kind: 'regex', pattern: '(shop|a\\.b)' }],
    ['$regexall', { kind: 'regex', pattern: 'shop|data' }],
  ])('%j', (text, want) => {
    expect(interpolateFilter(text, tpl)).toEqual(want);
  });

  it("reads a custom All value that Grafana inserts unformatted as every value, not as the text '.*'", () => {
    // Grafana never calls the format function for a custom all value (template_srv.ts, scenes
    // CustomAllValue): the provisioned dashboards' default (All, allValue .*) must not filter on ".*".
    expect(tpl.replace('$allcustom', {}, () => 'called')).toBe('.*');
    expect(interpolateFilter('$allcustom', tpl)).toEqual({ kind: 'all' });
  });

  it('takes scopedVars before the dashboard variable (a repeated panel, a data link)', () => {
    const scoped = { ns: { text: 'billing', value: 'billing' } };
    expect(interpolateFilter('$ns', tpl, scoped)).toEqual({ kind: 'values', values: ['billing'] });
  });
});

describe('DataSource.interpolateVariablesInQueries (what Explore and the inspector show)', () => {
  const tpl = fakeTemplateSrv([
    { name: 'namespace', current: ['shop', 'a.b'], options: ['shop', 'a.b', 'data'] },
    { name: 'workload', current: '$__all', options: [], allValue: '.*' },
    { name: 'cluster', current: '$__all', options: ['east', 'west'], allValue: '.*' },
    { name: 'verdict', current: ['blackhole'], options: ['blackhole', 'passthrough'] },
  ]);
  const { ds } = makeDs(async () => vector(), {}, tpl);
  const q = {
    refId: 'A',
    queryType: 'matrix' as const,
    namespace: '$namespace',
    workload: '$workload',
    destination: '${dest}',
    verdicts: ['$verdict'],
    matchers: 'cluster=~"$cluster"',
  };

  it('resolves every field: multi-value, custom All, scopedVars, matchers, ad hoc filters', () => {
    const [r] = ds.interpolateVariablesInQueries([q], { dest: { text: 'api.stripe.com', value: 'api.stripe.com' } }, [
      { key: 'source_cluster', operator: '=', value: 'east' },
    ]);
    expect(r).toMatchObject({
      namespace: '=~shop|a\\.b',
      workload: '',
      destination: 'api.stripe.com',
      verdicts: ['blackhole'],
      matchers: 'cluster=~".*", source_cluster="east"',
    });
    expect(JSON.stringify(r)).not.toContain('$');
  });

  it('reads back as the same PromQL: the resolved query runs exactly as the original did', () => {
    const scoped = { dest: { text: 'x', value: 'api.stripe.com' } };
    const [r] = ds.interpolateVariablesInQueries([q], scoped);
    const promql = (scope: ReturnType<typeof ds.scopeFor>) => cellQueries(scope, 3600).map((c) => c.expr);
    expect(promql(ds.scopeFor(r, {}))).toEqual(promql(ds.scopeFor(q, scoped)));
    expect(promql(ds.scopeFor(r, {})).join('\n')).toContain('source_workload_namespace=~"shop|a\\\\.b"');
  });

  it('keeps what cannot be resolved, so running it says why', () => {
    const bad = { ...q, matchers: 'cluster="$cluster"' };
    expect(ds.interpolateVariablesInQueries([bad], {})[0].matchers).toBe('cluster="$cluster"');
    expect(() => ds.scopeFor(bad, {})).toThrow(/cluster is All in an exact matcher|has several values/);
  });

  it('names a query for query history', () => {
    expect(ds.getQueryDisplayText({ ...q, listeners: ['http'] })).toBe(
      'Matrix · namespace $namespace · workload $workload · destination ${dest} · $verdict · HTTP · {cluster=~"$cluster"}'
    );
  });
});

describe('DataSource.getDefaultQuery', () => {
  it('gives Explore a graph of rates by verdict and destination, and a dashboard panel the matrix', () => {
    const { ds } = makeDs(async () => vector());
    expect(ds.getDefaultQuery(CoreApp.Explore)).toMatchObject({
      queryType: 'series',
      groupBy: ['verdict', 'destination'],
      topDestinations: 10,
    });
    expect(ds.getDefaultQuery(CoreApp.Dashboard).queryType).toBe('matrix');
    expect(ds.getDefaultQuery(CoreApp.PanelEditor).queryType).toBe('matrix');
  });
});

describe('DataSource.query', () => {
  it('answers each target on its own as it is ready, Loading until the last, then Done', async () => {
    // Series queries (query_range) wait until the test lets them through; the matrix answers at once.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const { ds } = makeDs(async (req) => {
      if (req.url.endsWith('/api/v1/query_range')) {
        await held;
        return { status: 200, data: { status: 'success', data: { resultType: 'matrix', result: [] } } };
      }
      return vector();
    });
    const packets: Array<{ key?: string; state?: string }> = [];
    const done = new Promise<void>((resolve) =>
      ds
        .query(
          queryRequest(
            [
              { refId: 'M', queryType: 'matrix' },
              { refId: 'S', queryType: 'series' },
            ],
            0,
            3600
          )
        )
        .subscribe({ next: (p) => packets.push({ key: p.key, state: p.state }), complete: resolve })
    );
    await waitUntil(() => packets.length === 1);
    // The matrix is in while the series still wait: a slow target holds no other back.
    expect(packets).toEqual([{ key: 'M', state: 'Loading' }]);
    release();
    await done;
    expect(packets).toEqual([
      { key: 'M', state: 'Loading' },
      { key: 'S', state: 'Done' },
    ]);
  });

  it('aborts the requests of targets still running when Grafana unsubscribes (a refresh, a new range)', async () => {
    const aborted: string[] = [];
    const { ds, backend } = makeDs(
      (req, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted.push(req.url);
            reject(new Error('aborted'));
          });
        })
    );
    const sub = ds.query(queryRequest([{ refId: 'A', queryType: 'series' }], 0, 3600)).subscribe();
    await waitUntil(() => backend.requests.length > 0);
    sub.unsubscribe();
    await waitUntil(() => aborted.length > 0);
    expect(aborted).toEqual(backend.requests.map((r) => r.url));
  });

  it("fault: an old range's answer arriving after the new range's never replaces it", async () => {
    // The old range's queries (evaluated at its end, 3600) are answered only after the new range's run is done,
    // by a backend that answers whatever happens (a proxy that does not pass the abort on).
    let releaseOld: (() => void) | undefined;
    let oldSignal: AbortSignal | undefined;
    const { ds } = makeDs(async (req, signal) => {
      if (new URLSearchParams(String(req.data)).get('time') === '3600') {
        oldSignal = signal;
        await new Promise<void>((r) => (releaseOld = r));
      }
      return vector();
    });
    const late: unknown[] = [];
    const old = ds.query(queryRequest([{ refId: 'A', queryType: 'matrix' }], 0, 3600)).subscribe((p) => late.push(p));
    await waitUntil(() => releaseOld !== undefined);
    // Grafana's query runner drops the old run when the range changes, then runs the new one.
    old.unsubscribe();
    const fresh = await runRequest(ds, queryRequest([{ refId: 'A', queryType: 'matrix' }], 3600, 7200));
    expect(fresh.errors).toBeUndefined();
    // The old run's request was cancelled when it was dropped, not left to finish.
    expect(oldSignal?.aborted).toBe(true);
    releaseOld!();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(late).toEqual([]);
  });

  it('fault: a failed new-destination look-back leaves the matrix of the same query standing', async () => {
    // Only the look-back (count_over_time ... offset) fails; the matrix's own queries answer.
    const { ds } = makeDs(async (req) =>
      /offset/.test(new URLSearchParams(String(req.data)).get('query') ?? '')
        ? {
            status: 422,
            data: {
              status: 'error',
              errorType: 'execution',
              error: 'query processing would load too many samples into memory',
            },
          }
        : vector()
    );
    const res = await runRequest(
      ds,
      queryRequest(
        [
          { refId: 'M', queryType: 'matrix' },
          { refId: 'N', queryType: 'newDestinations' },
        ],
        0,
        3600
      )
    );
    expect(res.data.map((f: { refId?: string }) => f.refId)).toEqual(['M']);
    expect(res.errors?.map((e) => e.refId)).toEqual(['N']);
    expect(res.errors?.[0].message).toMatch(/too many samples.*shorten the range/);
  });

  it('sends variable values as escaped matchers through the proxy URL, never as PromQL text', async () => {
    const tpl = fakeTemplateSrv([{ name: 'wl', current: ['a"}) or vector(1) #', 'b.c'], options: [] }]);
    const { ds, backend } = makeDs(async () => vector(), { extraMatchers: 'cluster="eu-1"' }, tpl);
    const res = await runRequest(
      ds,
      queryRequest([{ queryType: 'matrix', workload: '$wl', listeners: ['http'] }], 0, 3600)
    );
    expect(res.errors).toBeUndefined();
    expect(backend.requests[0].url).toBe('/api/datasources/proxy/uid/egress/api/v1/query');
    expect(backend.requests[0].method).toBe('POST');
    expect(sentQueries(backend)[0]).toContain(
      'cluster="eu-1", source_workload=~"a\\"\\\\}\\\\) or vector\\\\(1\\\\) #|b\\\\.c"'
    );
  });

  it('returns the matrix as one long frame with the documented fields and the PromQL in meta', async () => {
    const { ds } = makeDs(
      async (req) =>
        String(req.data).includes('istio_requests_total')
          ? vector([
              {
                metric: {
                  source_workload_namespace: 'shop',
                  source_workload: 'web',
                  destination_service: 'api.x.com',
                  destination_service_name: 'BlackHoleCluster',
                  response_code: '502',
                },
                value: [1, '12'],
              },
            ])
          : vector([
              {
                metric: {
                  source_workload_namespace: 'shop',
                  source_workload: 'web',
                  destination_ip: '52.216.1.1:443',
                  destination_service_name: 'PassthroughCluster',
                },
                value: [1, '3'],
              },
            ]),
      { destinationNames: [{ cidr: '52.216.0.0/15', name: 'S3' }] }
    );
    const res = await runRequest(ds, queryRequest([{ queryType: 'matrix' }], 0, 3600));
    const frame = res.data[0];
    expect(frame.fields.map((f: { name: string }) => f.name)).toEqual([
      'sourceNamespace',
      'sourceWorkload',
      'destination',
      'destinationName',
      'verdict',
      'listener',
      'requests',
      'connections',
      'bytesSent',
      'bytesReceived',
      'port',
      'responseCodes',
      'category',
      'reason',
    ]);
    const col = (n: string) => frame.fields.find((f: { name: string }) => f.name === n).values;
    expect(col('destination')).toEqual(['52.216.1.1', 'api.x.com']);
    expect(col('destinationName')).toEqual(['S3', '']);
    expect(col('port')).toEqual([443, null]);
    expect(col('responseCodes')).toEqual(['', '502:12']);
    expect(frame.meta.executedQueryString).toContain('http.requests: sum by');
  });

  it("maps Prometheus errors to the query's error with Prometheus' own message", async () => {
    const { ds } = makeDs(async () => ({
      status: 422,
      data: { status: 'error', errorType: 'execution', error: 'query processing would load too many samples' },
    }));
    const res = await runRequest(ds, queryRequest([{ queryType: 'matrix' }], 0, 3600));
    expect(res.errors?.[0]).toEqual({
      refId: 'A',
      message:
        'Prometheus rejected /api/v1/query (execution), HTTP 422: query processing would load too many samples. ' +
        'The query hit a limit of the Prometheus-compatible API: shorten the range, narrow the filters, or install the recording rules (rules/istio-egress.rules.yml) so long ranges read recorded series.',
    });
    expect(res.data).toEqual([]);
  });

  it('explains a 5xx from the proxy and a non-Prometheus JSON answer', async () => {
    const bad = await runRequest(
      makeDs(async () => ({
        status: 502,
        statusText: 'Bad Gateway',
        data: { message: 'dial tcp: connection refused' },
      })).ds,
      queryRequest([{}], 0, 60)
    );
    expect(bad.errors?.[0].message).toMatch(/^HTTP 502 Bad Gateway from \/api\/v1\/query: .*connection refused/);
    const odd = await runRequest(
      makeDs(async () => ({ status: 200, data: { hello: 'world' } })).ds,
      queryRequest([{}], 0, 60)
    );
    expect(odd.errors?.[0].message).toMatch(/not a Prometheus API response \(\{"hello":"world"\}\)/);
  });

  it('reports settings mistakes as errors, not stack traces', async () => {
    const { ds } = makeDs(async () => vector(), { extraMatchers: 'cluster=eu' });
    const res = await runRequest(ds, queryRequest([{}], 0, 60));
    expect(res.errors?.[0].message).toMatch(
      /^Data source settings: Extra label matchers: Invalid label matchers "cluster=eu"/
    );
  });

  it('reads the settings once: queries stop on what they are built from, the health check names every mistake', async () => {
    const { ds, backend } = makeDs(async () => vector(), {
      destinationNames: [
        { cidr: '52.216.0.0/99', name: 'S3' },
        { cidr: '', name: '' },
      ],
      rootNamespace: 'Istio_System',
      clusterDomain: 'cluster..local',
    });
    const res = await runRequest(ds, queryRequest([{}], 0, 60));
    expect(res.errors?.[0].message).toMatch(
      /^Data source settings: Cluster domain "cluster\.\.local" is not a DNS name/
    );
    expect(backend.requests).toHaveLength(0);
    const health = await ds.testDatasource();
    expect(health.status).toBe('error');
    // Every wrong setting by its title on the configuration page; the blank row being edited is no rule.
    expect(health.message).toMatch(/Destination names: Destination name rule 1 \("52\.216\.0\.0\/99"\)/);
    expect(health.message).toMatch(/Cluster domain "cluster\.\.local"/);
    expect(health.message).toMatch(/Root namespace: "Istio_System" is not a Kubernetes namespace name/);
    expect(health.message).not.toMatch(/rule 2/);
  });

  it('runs queries without destination names that cannot be read, and refuses plans on a wrong root namespace', async () => {
    const { ds, backend } = makeDs(async () => vector(), {
      destinationNames: [{ cidr: 'nowhere', name: 'S3' }],
      rootNamespace: 'Istio_System',
    });
    const res = await runRequest(ds, queryRequest([{}], 0, 60));
    expect(res.errors).toBeUndefined();
    expect(backend.requests.length).toBeGreaterThan(0);
    await expect(ds.lockdownPlans(0, 60)).rejects.toThrow(/^Root namespace: "Istio_System"/);
  });

  it('sends custom query parameters (Thanos, VictoriaMetrics) and a path prefix (Mimir) on every request', async () => {
    const { ds, backend } = makeDs(async () => vector(), {
      pathPrefix: '/prometheus',
      customQueryParameters: 'partial_response=false&dedup=true',
    });
    const res = await runRequest(ds, queryRequest([{ queryType: 'matrix', listeners: ['http'] }], 0, 3600));
    expect(res.errors).toBeUndefined();
    expect(backend.requests.length).toBeGreaterThan(0);
    for (const r of backend.requests) {
      expect(r.url).toBe('/api/datasources/proxy/uid/egress/prometheus/api/v1/query');
      const body = new URLSearchParams(String(r.data));
      expect([body.get('partial_response'), body.get('dedup')]).toEqual(['false', 'true']);
    }
  });

  it('names unusable custom query parameters on every query and in the health check', async () => {
    const { ds, backend } = makeDs(async () => vector(), { customQueryParameters: 'query=up' });
    const res = await runRequest(ds, queryRequest([{}], 0, 60));
    expect(res.errors?.[0].message).toBe(
      'Data source settings: Custom query parameters: "query" is set by each query itself and cannot be overridden. Remove it.'
    );
    expect(backend.requests).toHaveLength(0);
    expect((await ds.testDatasource()).message).toMatch(/^Settings: Custom query parameters: "query"/);
  });

  it('names the same endpoint when every request of the health check is refused, whichever fails first', async () => {
    // The label request is refused at once, the count queries a moment later: the report still names the
    // query endpoint, the first check in the report's order, not the one the network happened to answer first.
    const refused = (delay: number) => () =>
      new Promise<{ status: number; statusText: string; data: unknown }>((resolve) =>
        setTimeout(() => resolve({ status: 502, statusText: 'Bad Gateway', data: 'dial tcp: ECONNREFUSED' }), delay)
      );
    const { ds } = makeDs((req) => (req.url.includes('/api/v1/label/') ? refused(0)() : refused(20)()));
    const result = await ds.testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toBe('✗ Prometheus API not reachable');
    expect(String(result.details?.message)).toMatch(/HTTP 502 Bad Gateway from \/api\/v1\/query\b/);
  });

  it('plans lock-downs from the series the setting "Recorded series" names, as the matrix counts', async () => {
    const always = makeDs(async () => vector(), { recordedSeries: 'always' });
    await expect(always.ds.lockdownPlans(0, 86400, ['shop'])).rejects.toThrow();
    expect(
      sentQueries(always.backend).some((q) => /sum_over_time\(istio_egress:istio_requests:increase5m\{/.test(q))
    ).toBe(true);
    const never = makeDs(async () => vector(), { recordedSeries: 'never' });
    await expect(never.ds.lockdownPlans(0, 86400, ['shop'])).rejects.toThrow();
    expect(sentQueries(never.backend).some((q) => q.includes('istio_egress:'))).toBe(false);
  });

  it('fault: a failed hourly-tier look-up is said on the matrix, not hidden behind the 5-minute tier', async () => {
    const failing = makeDs(
      async (req) =>
        /timestamp\(/.test(new URLSearchParams(String(req.data)).get('query') ?? '')
          ? { status: 503, data: { status: 'error', errorType: 'unavailable', error: 'store gateway unavailable' } }
          : vector(),
      { recordedSeries: 'always' }
    );
    const res = await runRequest(failing.ds, queryRequest([{ queryType: 'matrix' }], 0, 7 * 86400));
    expect(res.errors).toBeUndefined();
    expect(res.data[0].meta.notices).toContainEqual({
      severity: 'warning',
      text: expect.stringMatching(
        /^The hourly tier could not be looked up \(Prometheus rejected \/api\/v1\/query_range \(unavailable\), HTTP 503: store gateway unavailable\): the range was read from the 5-minute tier/
      ),
    });
    // Answering with no hourly samples: the 5-minute tier, and nothing to warn about.
    const answering = makeDs(
      async (req) =>
        req.url.endsWith('/query_range')
          ? { status: 200, data: { status: 'success', data: { resultType: 'matrix', result: [] } } }
          : vector(),
      { recordedSeries: 'always' }
    );
    const ok = await runRequest(answering.ds, queryRequest([{ queryType: 'matrix' }], 0, 7 * 86400));
    expect(JSON.stringify(ok.data[0].meta.notices)).not.toMatch(/hourly tier could not/);
  });

  it('counts from recorded series where the setting and the recording allow, and says which it used', async () => {
    const always = makeDs(async () => vector(), { recordedSeries: 'always' });
    const a = await runRequest(always.ds, queryRequest([{ queryType: 'matrix', listeners: ['http'] }], 0, 3600));
    expect(sentQueries(always.backend)[0]).toMatch(/sum_over_time\(istio_egress:istio_requests:increase5m\{/);
    expect(a.data[0].meta.notices).toContainEqual({
      severity: 'info',
      text: 'Counted from recorded series istio_egress:*:increase5m (always, by setting).',
    });
    // auto over a week: the recording is asked about at the range start; none there, so raw, and why.
    const auto = makeDs(async () => vector());
    const b = await runRequest(auto.ds, queryRequest([{ queryType: 'matrix', listeners: ['http'] }], 0, 7 * 86400));
    expect(sentQueries(auto.backend)[0]).toMatch(
      /^count\(last_over_time\(istio_egress:istio_requests:increase5m\{\}\[10m\]\)\)/
    );
    // The counts themselves (the hourly tier is looked up beside the check, and not used).
    const counts = sentQueries(auto.backend).filter((q) => q.startsWith('sum by'));
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.every((q) => !q.includes('istio_egress:'))).toBe(true);
    expect(b.data[0].meta.notices).toContainEqual({
      severity: 'info',
      text: expect.stringMatching(/^Counted from raw Istio series: no recorded series at the range start/),
    });
  });

  it('keeps the top N destinations and says so in a notice', async () => {
    const result = ['a.example.com', 'b.example.com', 'c.example.com'].map((d, i) => ({
      metric: {
        source_workload_namespace: 'n',
        source_workload: 'w',
        destination_service: d,
        destination_service_name: 'PassthroughCluster',
        response_code: '200',
      },
      value: [1, String(10 * (i + 1))],
    }));
    const { ds } = makeDs(
      // The catch-all HTTP query only: the dynamic-DNS one (destination_service_namespace) finds nothing.
      async (req) =>
        String(req.data).includes('istio_requests_total') && !String(req.data).includes('destination_service_namespace')
          ? vector(result)
          : vector(),
      { destinationLimit: 2 }
    );
    const frame = (await runRequest(ds, queryRequest([{}], 0, 60))).data[0];
    expect(frame.fields[2].values).toEqual(['b.example.com', 'c.example.com']);
    expect(frame.meta.notices[0].text).toMatch(/top 2 of 3 destinations/);
  });

  it('time series with "Top destinations" read only the busiest destinations of the range, and say so', async () => {
    // h1 also as a client spelled it: one destination, named both ways.
    const requests = [5, 40, 20, 1, 3].map((n, i) => ({
      metric: {
        source_workload_namespace: 'n',
        source_workload: 'w',
        destination_service: i === 4 ? 'H1.example.COM' : `h${i}.example.com`,
        destination_service_name: 'PassthroughCluster',
        response_code: '200',
      },
      value: [1, String(n)],
    }));
    const closed = [
      { ip: '203.0.113.9:443', n: 30 },
      { ip: '198.51.100.7:5432', n: 2 },
    ].map(({ ip, n }) => ({
      metric: {
        source_workload_namespace: 'n',
        source_workload: 'w',
        destination_ip: ip,
        destination_service_name: 'PassthroughCluster',
      },
      value: [1, String(n)],
    }));
    const { ds, backend } = makeDs(async (req) => {
      const query = new URLSearchParams(String(req.data)).get('query') ?? '';
      if (req.url.endsWith('/query_range')) {
        const result = [{ metric: { destination_service: 'h1.example.com' }, values: [[60, '1']] }];
        return { status: 200, data: { status: 'success', data: { resultType: 'matrix', result } } };
      }
      // The matrix's instant increases: HTTP requests, TCP closed connections.
      if (
        query.startsWith('sum by') &&
        query.includes('istio_requests_total') &&
        !query.includes('destination_service_namespace')
      ) {
        return vector(requests);
      }
      return query.includes('istio_tcp_connections_closed_total') && query.startsWith('sum by')
        ? vector(closed)
        : vector();
    });
    const res = await runRequest(
      ds,
      queryRequest(
        [{ queryType: 'series', groupBy: ['destination'], verdicts: ['passthrough'], topDestinations: 3 }],
        0,
        3600,
        {
          intervalMs: 60_000,
        }
      )
    );
    expect(res.errors).toBeUndefined();
    expect(res.data[0].meta.notices).toEqual([
      {
        severity: 'info',
        text: 'Showing the top 3 of 6 destinations by requests and connections in the range ("Top destinations" in the query; 0 shows all).',
      },
    ]);
    const ranged = backend.requests
      .filter((r) => r.url.endsWith('/query_range'))
      .map((r) => new URLSearchParams(String(r.data)).get('query') ?? '');
    // h1 (43), 203.0.113.9 (30), h2 (20): one query per listener, each with its own destinations only, named
    // literally as the matrix's series spelled them (a set Prometheus matches without a regex).
    expect(ranged).toHaveLength(2);
    expect(ranged[0]).toContain(
      'destination_service=~"h1\\\\.example\\\\.com|H1\\\\.example\\\\.COM|h2\\\\.example\\\\.com"'
    );
    expect(ranged[0]).not.toMatch(/h0|h3/);
    expect(ranged[1]).toContain('destination_ip=~"203\\\\.0\\\\.113\\\\.9:443"');
    expect(ranged[1]).not.toContain('198');
    const { ds: bad } = makeDs(async () => vector());
    const wrong = await runRequest(
      bad,
      queryRequest([{ queryType: 'series', groupBy: ['destination'], topDestinations: -2 }], 0, 3600)
    );
    expect(wrong.errors?.[0].message).toMatch(
      /^Top destinations must be a whole number of destinations, 0 or empty for all; the query has -2\./
    );
  });

  it('uses a $__rate_interval-style window for time series', async () => {
    expect(rateInterval(15)).toBe(60);
    expect(rateInterval(120)).toBe(135);
    const { ds, backend } = makeDs(async () => ({
      status: 200,
      data: { status: 'success', data: { resultType: 'matrix', result: [] } },
    }));
    await runRequest(
      ds,
      queryRequest([{ queryType: 'series', groupBy: ['verdict'], listeners: ['http'] }], 0, 3600, {
        intervalMs: 120_000,
      })
    );
    expect(sentQueries(backend)[0]).toBe(
      'sum by (destination_service_name) (rate(istio_requests_total{reporter="source", destination_service_name=~"BlackHoleCluster|PassthroughCluster", destination_workload=~"|unknown", destination_service!~"(?:(?:[^.:u][^.:]*|u[^.:n][^.:]*|u|un[^.:k][^.:]*|un|unk[^.:n][^.:]*|unk|unkn[^.:o][^.:]*|unkn|unkno[^.:w][^.:]*|unkno|unknow[^.:n][^.:]*|unknow|unknown[^.:]+)|.+\\\\.svc|.+\\\\.svc\\\\.cluster\\\\.local)\\\\.?(?::[0-9]+)?"}[135s]))'
    );
    expect(new URLSearchParams(String(backend.requests[0].data)).get('step')).toBe('120');
  });

  it('fits steps and rate windows to the scrape interval setting (timeInterval), as Grafana does', async () => {
    expect(rateInterval(60, 30)).toBe(120);
    const { ds, backend } = makeDs(
      async () => ({ status: 200, data: { status: 'success', data: { resultType: 'matrix', result: [] } } }),
      { timeInterval: '30s' }
    );
    expect(ds.interval).toBe('30s');
    // A panel asking for 10 s steps gets one scrape; the window is 4 scrapes.
    await runRequest(
      ds,
      queryRequest([{ queryType: 'series', groupBy: ['verdict'], listeners: ['http'] }], 0, 3600, {
        intervalMs: 10_000,
      })
    );
    const sent = new URLSearchParams(String(backend.requests[0].data));
    expect(sent.get('step')).toBe('30');
    expect(sent.get('query')).toMatch(/\[2m\]\)\)$/);
  });

  it('a scrape interval that is no duration is an error on every query, naming the setting', async () => {
    const { ds } = makeDs(async () => ({ status: 200, data: {} }), { timeInterval: 'often' });
    const res = await runRequest(ds, queryRequest([{ queryType: 'matrix' }], 0, 3600));
    expect(res.errors?.[0].message).toBe(
      'Data source settings: Scrape interval "often" is not a duration: use e.g. 30m, 1h, 7d.'
    );
  });
});

describe('per-query matchers and verdict variables', () => {
  it('escapes variable values inside matcher text and honours a custom All', async () => {
    const tpl = fakeTemplateSrv([
      { name: 'cluster', current: ['eu"1', 'us.2'], options: [] },
      { name: 'zone', current: '$__all', options: ['a', 'b'], allValue: '.*' },
    ]);
    const { ds, backend } = makeDs(async () => vector(), {}, tpl);
    await runRequest(
      ds,
      queryRequest([{ matchers: 'cluster=~"$cluster", zone=~"$zone"', listeners: ['http'] }], 0, 60)
    );
    expect(sentQueries(backend)[0]).toContain('cluster=~"eu\\"1|us\\\\.2", zone=~".*"');
  });

  it('takes verdicts from a variable and rejects unknown ones', async () => {
    const tpl = fakeTemplateSrv([
      { name: 'verdict', current: ['blackhole'], options: ['blackhole', 'passthrough'] },
      { name: 'bad', current: 'allowed', options: [] },
    ]);
    const { ds, backend } = makeDs(async () => vector(), {}, tpl);
    // Time series (the matrix fetches every verdict once for all its panels, and slices).
    await runRequest(ds, queryRequest([{ queryType: 'series', verdicts: ['$verdict'], listeners: ['http'] }], 0, 60));
    expect(sentQueries(backend)[0]).toContain('destination_service_name="BlackHoleCluster"');
    const res = await runRequest(ds, queryRequest([{ verdicts: ['$bad'] }], 0, 60));
    expect(res.errors?.[0].message).toBe('Unknown verdict "allowed": use blackhole or passthrough.');
  });
});

describe('a dashboard of matrix slices', () => {
  it('asks Prometheus once for panels that slice the same matrix, each panel getting only its slice', async () => {
    const sample = (dsn: string, host: string) => ({
      metric: {
        source_workload_namespace: 'shop',
        source_workload: 'checkout',
        destination_service: host,
        destination_service_name: dsn,
        response_code: '200',
      },
      value: [60, '5'],
    });
    const { ds, backend } = makeDs(async (req) => {
      const query = new URLSearchParams(String(req.data)).get('query') ?? '';
      return vector(
        query.startsWith('sum by') && query.includes('istio_requests_total') && !query.includes('unknown"}')
          ? [sample('BlackHoleCluster', 'blocked.example.com'), sample('PassthroughCluster', 'allowed.example.com')]
          : []
      );
    });
    const panel = (panelId: number, verdicts: Array<'blackhole' | 'passthrough'>) =>
      runRequest(ds, queryRequest([{ queryType: 'matrix', verdicts, listeners: ['http'] }], 0, 60, { panelId }));
    const [blocked, allowed, all] = await Promise.all([
      panel(1, ['blackhole']),
      panel(2, ['passthrough']),
      panel(3, ['blackhole', 'passthrough']),
    ]);
    const dests = (r: typeof blocked) =>
      r.data[0].fields.find((f: { name: string }) => f.name === 'destination').values;
    expect(dests(blocked)).toEqual(['blocked.example.com']);
    expect(dests(allowed)).toEqual(['allowed.example.com']);
    expect(dests(all)).toEqual(['allowed.example.com', 'blocked.example.com']);
    // One matrix's queries, not three: every PromQL text once, under the shared request id.
    const queries = sentQueries(backend);
    expect(new Set(queries).size).toBe(queries.length);
    expect(backend.requests.every((r) => r.requestId?.startsWith('shared-'))).toBe(true);
  });
});
