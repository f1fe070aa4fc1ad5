import { matrixFrameCustom, readMatrixFrameCustom } from './matrixFrame';

describe("the matrix frame's meta.custom", () => {
  const scope = { extraMatchers: [{ label: 'cluster', op: '=' as const, value: 'eu-1' }], ipLabel: 'upstream_ip' };
  const alertRule = { expr: 'sum(x) > 0', datasourceUid: 'prom', title: 'Blocked egress' };
  const frame = (custom: object) => ({ meta: { custom: { ...custom } } });

  it('is read by the panel as the data source wrote it, from the first matrix frame', () => {
    const written = matrixFrameCustom({ queries: [{ id: 'http.requests', expr: 'x' }], scope, alertRule });
    expect(readMatrixFrameCustom([{}, frame({ kind: 'other' }), frame(written)])).toEqual({
      kind: 'istio-egress-matrix',
      scope,
      alertRule,
    });
  });

  it('reads a plain table as none, and a broken alert rule as no rule', () => {
    expect(readMatrixFrameCustom([{}])).toBeUndefined();
    expect(readMatrixFrameCustom([frame({ kind: 'istio-egress-matrix', alertRule: { expr: 1 } })])).toEqual({
      kind: 'istio-egress-matrix',
      scope: {},
      alertRule: undefined,
    });
  });
});
