import { healthResponse } from './healthResponse';

describe("the health check as Grafana's data source page shows it", () => {
  const ok = { status: 'ok' as const, title: 'Prometheus API reachable', detail: 'version 3.16.0' };
  const warn = {
    status: 'warning' as const,
    title: 'TCP series have no destination_ip label',
    detail: 'Apply this Telemetry resource:\n\napiVersion: telemetry.istio.io/v1\nkind: Telemetry',
  };
  const err = { status: 'error' as const, title: 'No Istio metrics', detail: 'Neither series has samples.\nCheck it.' };

  it('titles a passing check with the count, and lists the checks in one line of text', () => {
    const r = healthResponse([ok, { status: 'ok', title: 'Istio metrics present' }]);
    expect(r).toEqual({
      status: 'success',
      message: '✓ 2 setup checks passed',
      details: {
        message: 'Prometheus API reachable · Istio metrics present',
        verboseMessage: '✓ Prometheus API reachable\nversion 3.16.0\n\n✓ Istio metrics present',
      },
    });
  });

  it('titles the worst finding (errors before warnings), says how many more, and keeps line breaks for the verbose part only', () => {
    const r = healthResponse([ok, warn, err]);
    expect(r.status).toBe('error');
    expect(r.message).toBe('✗ No Istio metrics (and 1 more below)');
    // Alert text collapses whitespace: one line, the detail's first paragraph.
    expect(r.details?.message).toBe('Neither series has samples. Check it.');
    expect(
      String(r.details?.verboseMessage)
        .split('\n')
        .filter((l) => /^[✓⚠✗] /.test(l))
    ).toEqual(['✓ Prometheus API reachable', '⚠ TCP series have no destination_ip label', '✗ No Istio metrics']);
    expect(String(r.details?.verboseMessage)).toContain('kind: Telemetry');
    const w = healthResponse([ok, warn]);
    expect([w.status, w.message, w.details?.message]).toEqual([
      'warning',
      '⚠ TCP series have no destination_ip label',
      'Apply this Telemetry resource:',
    ]);
  });
});
