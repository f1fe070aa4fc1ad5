import type { EgressCell, Listener, Verdict } from '../../query';
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

function verdictOf(v: unknown): Verdict | undefined {
  const s = String(v ?? '');
  if (s === 'blackhole' || s === 'BlackHoleCluster') {
    return 'blackhole';
  }
  if (s === 'passthrough' || s === 'PassthroughCluster') {
    return 'passthrough';
  }
  return undefined;
}

export type ReadResult = { cells: EgressCell[]; skipped: number } | { missing: string[] };

/**
 * Reads this data source's matrix frame, or a plain Prometheus table (instant query, format table) through
 * the field mapping. Rows whose verdict is neither cluster are counted in `skipped`, not hidden.
 */
export function readFrames(frames: readonly FrameLike[], mapping: FieldMapping = defaultMapping): ReadResult {
  const cells: EgressCell[] = [];
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
    const num = (vals: ArrayLike<unknown> | undefined, i: number) => (vals ? Number(vals[i] ?? 0) || 0 : 0);
    const requests = get('requests');
    const connections = get('connections');
    const bytesSent = get('bytesSent');
    const bytesReceived = get('bytesReceived');
    const port = get('port');
    const codes = get('responseCodes');
    const names = get('destinationName');
    for (let i = 0; i < dest!.values.length; i++) {
      const v = verdictOf(verdict!.values[i]);
      if (!v) {
        skipped++;
        continue;
      }
      const l = (listener ? String(listener[i]) : 'http') as Listener;
      const cell: EgressCell & { destinationName?: string; codesText?: string } = {
        sourceNamespace: ns ? String(ns.values[i] ?? 'unknown') : 'unknown',
        sourceWorkload: String(wl!.values[i] ?? 'unknown'),
        destination: String(dest!.values[i] ?? 'unknown'),
        verdict: v,
        listener: l,
        requests: native ? num(requests, i) : l === 'http' ? num(value!.values, i) : 0,
        connections: native ? num(connections, i) : l === 'tcp' ? num(value!.values, i) : 0,
        bytesSent: num(bytesSent, i),
        bytesReceived: num(bytesReceived, i),
      };
      if (port && port[i] !== null && port[i] !== undefined) {
        cell.port = Number(port[i]);
      }
      if (names && names[i]) {
        cell.destinationName = String(names[i]);
      }
      if (codes && codes[i]) {
        cell.codesText = String(codes[i]);
      }
      cells.push(cell);
    }
  }
  if (cells.length === 0 && missing) {
    return { missing };
  }
  return { cells, skipped };
}
