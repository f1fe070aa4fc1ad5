import { activitySpan, activityStep, pairActivityQueries, pairQueries } from './explore';
import { promqlErrors } from '../../test/promqlParser';

describe('pairQueries', () => {
  it("writes one cell's PromQL with the frame's matchers, split by verdict", () => {
    const qs = pairQueries(
      [{ sourceNamespace: 'shop', sourceWorkload: 'web', destination: 'api.stripe.com', listener: 'http' }],
      { extraMatchers: [{ label: 'cluster', op: '=', value: 'eu "1"' }] },
      120
    );
    expect(qs).toHaveLength(1);
    const [q] = qs;
    expect(q.listener).toBe('http');
    expect(promqlErrors(q.expr)).toEqual([]);
    expect(q.expr).toMatch(/^sum by \(destination_service_name\) \(rate\(istio_requests_total\{/);
    expect(q.expr).toContain('cluster="eu \\"1\\""');
    expect(q.expr).toContain('source_workload_namespace="shop"');
    expect(q.expr).toContain('source_workload="web"');
    expect(q.expr).toContain('[2m]');
  });

  it('covers every workload of a folded cell and both listeners, with the configured IP label', () => {
    const qs = pairQueries(
      [
        { sourceNamespace: 'shop', sourceWorkload: 'web', destination: '52.216.1.1', listener: 'tcp' },
        { sourceNamespace: 'shop', sourceWorkload: 'a.b|c', destination: '52.216.1.1', listener: 'http' },
      ],
      { ipLabel: 'dst_ip' }
    );
    expect(qs.map((q) => q.listener)).toEqual(['http', 'tcp']);
    for (const q of qs) {
      expect(promqlErrors(q.expr)).toEqual([]);
      // Values are quoted as literals: a workload named a.b|c matches only itself.
      expect(q.expr).toContain('source_workload=~"a\\\\.b\\\\|c|web"');
    }
    expect(qs[1].expr).toContain('dst_ip=~');
    expect(pairQueries([], {})).toEqual([]);
  });
});

describe('pair activity', () => {
  const src = [
    { sourceNamespace: 'shop', sourceWorkload: 'checkout', destination: 'api.stripe.com', listener: 'http' as const },
  ];

  it('asks whether the series exist and whether the counters changed, per step', () => {
    const { present, changes } = pairActivityQueries(src, { ipLabel: 'destination_ip' }, 60);
    expect(present.map((q) => q.expr)).toEqual([
      expect.stringMatching(/^count\(istio_requests_total\{.*source_workload="checkout"/),
    ]);
    expect(changes.map((q) => q.expr)).toEqual([
      expect.stringMatching(/^sum\(changes\(istio_requests_total\{.*\}\[2m\]\)\)$/),
    ]);
    expect(activityStep(0, 3600)).toBe(60);
    expect(activityStep(0, 30 * 86400)).toBe(8640);
  });

  const series = (points: Array<[number, number]>) => [{ values: points.map(([t, v]) => [t, String(v)] as const) }];

  it('first seen is when the series appeared, last seen when the counter last changed', () => {
    const present = [
      series([
        [1200, 1],
        [1260, 1],
        [1320, 1],
        [1380, 1],
      ]),
    ];
    const changes = [
      series([
        [1260, 2],
        [1320, 0],
        [1380, 0],
      ]),
    ];
    expect(activitySpan(present, changes, 1000, 60)).toEqual({
      first: 1200,
      last: 1260,
      before: false,
      stepSeconds: 60,
    });
  });

  it('a pair whose series existed at the range start started before it', () => {
    const present = [
      series([
        [1000, 1],
        [1060, 1],
      ]),
    ];
    const changes = [series([[1060, 1]])];
    expect(activitySpan(present, changes, 1000, 60)).toMatchObject({ first: 1000, last: 1060, before: true });
  });

  it('a series that never changed was last seen when it appeared; no series, no activity', () => {
    expect(activitySpan([series([[1120, 1]])], [[]], 1000, 60)).toMatchObject({ first: 1120, last: 1120 });
    expect(activitySpan([[]], [[]], 1000, 60)).toEqual({
      first: undefined,
      last: undefined,
      before: false,
      stepSeconds: 60,
    });
  });

  it('takes the earliest and latest over both listeners', () => {
    const present = [series([[1300, 1]]), series([[1180, 1]])];
    const changes = [
      series([
        [1300, 1],
        [1500, 3],
      ]),
      series([[1240, 1]]),
    ];
    expect(activitySpan(present, changes, 1000, 60)).toMatchObject({ first: 1180, last: 1500 });
  });
});
