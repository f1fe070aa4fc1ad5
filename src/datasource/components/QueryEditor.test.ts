import { createDataFrame } from '@grafana/data';
import { promqlPreview } from './QueryEditor';

describe('Show PromQL', () => {
  const scopeFor = () => ({ ipLabel: 'destination_ip', extraMatchers: [] });
  const frame = (refId: string, executed: string) =>
    createDataFrame({ refId, fields: [], meta: { executedQueryString: executed } });

  it("shows what ran for this query, from its own frames' executedQueryString, each query once", () => {
    const series = [
      frame('A', 'http.requests: sum(increase(istio_egress:istio_requests:increase1h[7d]))\ntcp.connections: sum(x)'),
      // A time series query answers with a frame per line, each with the same queries.
      frame('A', 'http.requests: sum(increase(istio_egress:istio_requests:increase1h[7d]))\ntcp.connections: sum(x)'),
      frame('B', 'other: up'),
    ];
    expect(promqlPreview({ refId: 'A' }, 'A', { scopeFor } as never, undefined, series)).toBe(
      '# http.requests\nsum(increase(istio_egress:istio_requests:increase1h[7d]))\n\n# tcp.connections\nsum(x)'
    );
  });

  it('before a run, says the templates are only where the query starts', () => {
    const text = promqlPreview({ refId: 'A', queryType: 'matrix' }, 'A', { scopeFor } as never, undefined, []);
    expect(text).toMatch(/^# Not run yet: /);
    expect(text).toContain('istio_requests_total');
  });
});
