import { type EgressCell, roundCounts } from '../query/cells';

/** The `--format json` cell, fields in the documented order; port and responseCodes only where known. */
export function jsonCell(cell: EgressCell): Record<string, unknown> {
  const c = roundCounts(cell);
  const out: Record<string, unknown> = {
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

/** Control characters would corrupt a terminal table: show them escaped. */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (ch) => JSON.stringify(ch).slice(1, -1));
}

export function table(cells: readonly EgressCell[]): string {
  const header = [
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
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
