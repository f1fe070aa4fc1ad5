import { type EgressCell, roundCounts } from '../query/cells';

/** The `--format json` cell, fields in the documented order; port and responseCodes only where known. */
export function jsonCell(cell: EgressCell): Record<string, unknown> {
  const c = roundCounts(cell);
  const out: Record<string, unknown> = {
    ...(c.sourceCluster === undefined ? {} : { sourceCluster: c.sourceCluster }),
    sourceNamespace: c.sourceNamespace,
    sourceWorkload: c.sourceWorkload,
    destination: c.destination,
    verdict: c.verdict,
    listener: c.listener,
    requests: c.requests,
    connections: c.connections,
    bytesSent: c.bytesSent,
    bytesReceived: c.bytesReceived,
  };
  if (c.port !== undefined) {
    out.port = c.port;
  }
  if (c.responseCodes) {
    out.responseCodes = c.responseCodes;
  }
  out.category = c.category;
  if (c.reason !== undefined) {
    out.reason = c.reason;
  }
  return out;
}

/**
 * Columns a terminal gives a string: East Asian wide and fullwidth characters and emoji take two, combining
 * marks and zero-width joiners none (Unicode East_Asian_Width W/F, the ranges wcwidth implementations use).
 */
export function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (/\p{Mn}|\p{Me}|\u200d|[\ufe00-\ufe0f]/u.test(ch)) {
      continue;
    }
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x1f300 && cp <= 0x1f64f) ||
      (cp >= 0x1f900 && cp <= 0x1f9ff) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

/** Control characters would corrupt a terminal table: show them escaped. */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (ch) => JSON.stringify(ch).slice(1, -1));
}

export function table(cells: readonly EgressCell[]): string {
  // A cluster column only when the cells are per cluster (--by-cluster).
  const byCluster = cells.some((c) => c.sourceCluster !== undefined);
  const header = [
    ...(byCluster ? ['CLUSTER'] : []),
    'NAMESPACE',
    'WORKLOAD',
    'DESTINATION',
    'PORT',
    'VERDICT',
    'LISTENER',
    'REQUESTS',
    'CONNECTIONS',
    'SENT',
    'RECEIVED',
    'CODES',
    'CATEGORY',
  ];
  const num = (v: number) => String(Math.round(v));
  const rows = cells.map((cell) => {
    const c = roundCounts(cell);
    const codes = c.responseCodes
      ? Object.entries(c.responseCodes)
          .map(([k, v]) => `${k}:${num(v)}`)
          .join(',')
      : '';
    return [
      ...(byCluster ? [c.sourceCluster ?? 'unknown'] : []),
      c.sourceNamespace,
      c.sourceWorkload,
      c.destination,
      c.port === undefined ? '-' : String(c.port),
      c.verdict,
      c.listener,
      num(c.requests),
      num(c.connections),
      num(c.bytesSent),
      num(c.bytesReceived),
      codes || '-',
      c.category,
    ].map(printable);
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => displayWidth(r[i]))));
  const line = (r: string[]) =>
    r
      .map((v, i) => v + ' '.repeat(Math.max(0, widths[i] - displayWidth(v))))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
