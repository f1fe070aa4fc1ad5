import { pairQueries } from './explore';
import { promqlErrors } from '../test/promqlParser';

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
