import { type CellTable, columnTable, tableFromCells, type TableColumns } from './cellTable';
import { defaultMapping, type FieldMapping } from '../types';

/** The minimal view of a data frame the model needs (no Grafana import: tested as plain data). */
export interface FrameLike {
  fields: Array<{ name: string; values: ArrayLike<unknown>; config?: { displayName?: string } }>;
}

const ROLES: Record<keyof FieldMapping, string[]> = {
  sourceNamespace: ['sourceNamespace', 'source_workload_namespace'],
  sourceWorkload: ['sourceWorkload', 'source_workload'],
  destination: ['destination', 'destination_service', 'destination_ip'],
  verdict: ['verdict', 'destination_service_name'],
  value: ['Value', 'Value #A', 'value'],
};

export type ReadResult = { table: CellTable; skipped: number } | { missing: string[] };

function verdictCode(v: unknown): number {
  if (v === 'passthrough' || v === 'PassthroughCluster') {
    return 1;
  }
  if (v === 'blackhole' || v === 'BlackHoleCluster') {
    return 0;
  }
  return -1;
}

/**
 * Reads this data source's matrix frame, or a plain Prometheus table (instant query, format table) through
 * the field mapping, as columns. Rows whose verdict is neither cluster are counted in `skipped`, not
 * hidden. Several frames are joined into one set of columns.
 */
export function readFrames(frames: readonly FrameLike[], mapping: FieldMapping = defaultMapping): ReadResult {
  const tables: TableColumns[] = [];
  let skipped = 0;
  let missing: string[] | undefined;
  for (const frame of frames) {
    const find = (role: keyof FieldMapping) => {
      const names = mapping[role] ? [mapping[role]] : ROLES[role];
      return frame.fields.find(
        (f) => names.includes(f.name) || (f.config?.displayName !== undefined && names.includes(f.config.displayName))
      );
    };
    const ns = find('sourceNamespace');
    const wl = find('sourceWorkload');
    const dest = find('destination');
    const verdict = find('verdict');
    const native = frame.fields.some((f) => f.name === 'requests');
    const value = native
      ? undefined
      : (find('value') ?? frame.fields.find((f) => f.name !== 'Time' && typeof f.values[0] === 'number'));
    const need: Array<[string, unknown]> = [
      [mapping.sourceWorkload || 'sourceWorkload', wl],
      [mapping.destination || 'destination', dest],
      [mapping.verdict || 'verdict', verdict],
    ];
    if (!native) {
      need.push([mapping.value || 'value', value]);
    }
    const absent = need.filter(([, f]) => !f).map(([n]) => n);
    if (absent.length) {
      missing = absent;
      continue;
    }
    const get = (name: string) => frame.fields.find((f) => f.name === name)?.values;
    const listener = get('listener');
    const n = dest!.values.length;
    const rows = new Int32Array(n);
    const codes = new Uint8Array(n);
    const vcol = verdict!.values;
    let kept = 0;
    for (let r = 0; r < n; r++) {
      const v = verdictCode(vcol[r]);
      if (v < 0) {
        skipped++;
        continue;
      }
      rows[kept] = r;
      codes[kept++] = v;
    }
    const keptRows = rows.subarray(0, kept);
    const requests = new Float64Array(kept);
    const connections = new Float64Array(kept);
    const req = native ? get('requests') : undefined;
    const con = native ? get('connections') : undefined;
    for (let i = 0; i < kept; i++) {
      const r = keptRows[i];
      if (native) {
        requests[i] = Number(req?.[r]) || 0;
        connections[i] = Number(con?.[r]) || 0;
      } else if ((listener?.[r] ?? 'http') === 'tcp') {
        connections[i] = Number(value!.values[r]) || 0;
      } else {
        requests[i] = Number(value!.values[r]) || 0;
      }
    }
    tables.push({
      rows: keptRows,
      verdict: codes.subarray(0, kept),
      ns: ns?.values,
      wl: wl!.values,
      dest: dest!.values,
      destName: get('destinationName'),
      listener,
      requests,
      connections,
      bytesSent: get('bytesSent'),
      bytesReceived: get('bytesReceived'),
      port: get('port'),
      codes: get('responseCodes'),
    });
  }
  if (tables.length === 0) {
    return missing ? { missing } : { table: tableFromCells([]), skipped };
  }
  if (tables.length === 1) {
    return { table: columnTable(tables[0]), skipped };
  }
  const all = tables.map(columnTable).flatMap((t) => Array.from({ length: t.length }, (_, i) => t.cell(i)));
  return { table: tableFromCells(all), skipped };
}
