import { cellKey, type EgressCell } from '../../src/query/cells';

/**
 * Tolerance for Prometheus' increase(): it extrapolates a series that ends inside the window by up to half
 * a scrape interval (and Prometheus 3 extrapolates the first interval too), so a count may differ from
 * the exact sample delta by up to one scrape's increment. 5% relative or 1 absolute covers that on the
 * demo mesh, whose shortest series spans 170 scrapes.
 */
export function close(got: number, want: number): boolean {
  return Math.abs(got - want) <= Math.max(1, 0.05 * Math.abs(want));
}

type Counts = Pick<EgressCell, 'requests' | 'connections' | 'bytesSent' | 'bytesReceived'>;

/** Exactly equal: for engines that do not extrapolate (VictoriaMetrics). */
export const exactly = (got: number, want: number): boolean => got === want;

/** Compares cells by identity exactly and counts within tolerance; returns readable differences. */
export function diffCells(
  got: readonly EgressCell[],
  want: readonly EgressCell[],
  same: (got: number, want: number) => boolean = close
): string[] {
  const problems: string[] = [];
  const gotByKey = new Map(got.map((c) => [cellKey(c), c]));
  const wantKeys = new Set(want.map(cellKey));
  for (const w of want) {
    const g = gotByKey.get(cellKey(w));
    if (!g) {
      problems.push(`missing ${cellKey(w)}`);
      continue;
    }
    for (const k of ['requests', 'connections', 'bytesSent', 'bytesReceived'] as Array<keyof Counts>) {
      if (!same(g[k], w[k])) {
        problems.push(`${cellKey(w)} ${k}: got ${g[k]}, want ${w[k]}`);
      }
    }
    const codes = new Set([...Object.keys(g.responseCodes ?? {}), ...Object.keys(w.responseCodes ?? {})]);
    for (const code of codes) {
      const gv = g.responseCodes?.[code];
      const wv = w.responseCodes?.[code];
      if (gv === undefined || wv === undefined || !same(gv, wv)) {
        problems.push(`${cellKey(w)} code ${code}: got ${gv}, want ${wv}`);
      }
    }
  }
  for (const g of got) {
    if (!wantKeys.has(cellKey(g))) {
      problems.push(`unexpected ${cellKey(g)}`);
    }
  }
  return problems;
}

/** The health check's summary on the demo cluster (with the IP label), on any engine that serves it. */
/**
 * The checks a health check reports, each as its mark and title: the lines of its verbose details that
 * start with a mark (Grafana shows those with their line breaks; the title and text collapse to one line).
 */
export function checkTitles(r: { details?: { verboseMessage?: string } | unknown }): string[] {
  const verbose = String((r.details as { verboseMessage?: string } | undefined)?.verboseMessage ?? '');
  return verbose.split('\n').filter((line) => /^[✓⚠✗] /.test(line));
}

export const DEMO_HEALTH_LINES = [
  expect.stringMatching(/^✓ Prometheus API reachable/),
  '✓ Istio metrics present',
  '✓ TCP series carry the destination_ip label',
  '✓ Catch-all egress in the last hour',
  '✓ Telemetry from sidecars',
  expect.stringMatching(/^✓ \d+ external destination series/),
];
