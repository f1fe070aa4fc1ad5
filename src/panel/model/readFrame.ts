import { type CellTable, columnTable, tableFromCells, type TableColumns, text } from './cellTable';
import { defaultMapping, type FieldMapping } from '../../shared/panelOptions';
import { MATRIX_CLUSTER_FIELD, type MatrixField } from '../../shared/matrixFrame';

/** The minimal view of a data frame the model needs (no Grafana import: tested as plain data). */
export interface FrameLike {
  fields: FieldLike[];
}

interface FieldLike {
  name: string;
  type?: string;
  values: ArrayLike<unknown>;
  config?: { displayName?: string; type?: { enum?: { text?: readonly string[] } } };
}

/** The dictionary of an enum field (rows hold indices into it), as Grafana's display processor reads it. */
function dictOf(f: FieldLike | undefined): readonly string[] | undefined {
  return f?.type === 'enum' ? f.config?.type?.enum?.text : undefined;
}

/** Each role's field names: the data source's own first (shared/matrixFrame.ts), then Prometheus' labels. */
const ROLES: Record<keyof FieldMapping, [MatrixField | 'value', ...string[]]> = {
  sourceNamespace: ['sourceNamespace', 'source_workload_namespace'],
  sourceWorkload: ['sourceWorkload', 'source_workload'],
  destination: ['destination', 'destination_service', 'destination_ip'],
  verdict: ['verdict', 'destination_service_name'],
  value: ['value', 'Value', 'Value #A'],
};

/** Where row r of the table came from: the frame's index in the frames read, and its row there. */
export type RowOrigin = (r: number) => { frame: number; row: number };

export type ReadResult = { table: CellTable; origin: RowOrigin } | { missing: string[] };

/**
 * Columns of several frames laid end to end; a column a frame lacks reads as missing there. Enum columns
 * are decoded, since each frame has its own dictionary.
 */
function concat(
  cols: Array<ArrayLike<unknown> | undefined>,
  lengths: number[],
  dicts: Array<readonly string[] | undefined> = []
): ArrayLike<unknown> | undefined {
  if (cols.every((c) => c === undefined)) {
    return undefined;
  }
  const out: unknown[] = [];
  cols.forEach((c, k) => {
    for (let r = 0; r < lengths[k]; r++) {
      const v = c?.[r];
      out.push(dicts[k] && typeof v === 'number' ? dicts[k]![v] : v);
    }
  });
  return out;
}

/**
 * Reads this data source's matrix frame, or a plain Prometheus table (instant query, format table) through
 * the field mapping, as columns read in place. Rows whose verdict is neither cluster stay in the columns;
 * the matrix counts them. Several frames are laid end to end into one set of columns.
 */
/**
 * The namespace column with each row's source cluster in front (`east-1 · shop`), for frames whose cells
 * are per cluster: the cluster becomes the outer row group, and rows of two clusters never fold together.
 */
function clusterNamespaces(cluster: FieldLike, ns: FieldLike | undefined, n: number): string[] {
  const out = new Array<string>(n);
  const cd = dictOf(cluster);
  const nd = dictOf(ns);
  for (let r = 0; r < n; r++) {
    out[r] = `${text(cluster.values, r, 'unknown', cd)} · ${text(ns?.values, r, 'unknown', nd)}`;
  }
  return out;
}

export function readFrames(
  frames: readonly FrameLike[],
  mapping: FieldMapping = defaultMapping,
  opts: { clusterRows?: boolean } = {}
): ReadResult {
  const parts: TableColumns[] = [];
  const partFrames: number[] = [];
  let missing: string[] | undefined;
  for (const [frameIndex, frame] of frames.entries()) {
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
    const native = frame.fields.some((f) => f.name === ('requests' satisfies MatrixField));
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
    const get = (name: MatrixField) => frame.fields.find((f) => f.name === name)?.values;
    const listenerField = frame.fields.find((f) => f.name === ('listener' satisfies MatrixField));
    const listener = listenerField?.values;
    const listenerDict = dictOf(listenerField);
    const n = dest!.values.length;
    const cluster = opts.clusterRows === false ? undefined : frame.fields.find((f) => f.name === MATRIX_CLUSTER_FIELD);
    let requests = native ? get('requests') : undefined;
    let connections = native ? get('connections') : undefined;
    if (!native) {
      // One value column: requests on the HTTP listener, connections on the TCP one.
      const req = new Float64Array(n);
      const con = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        // Missing reads as 0; anything else as Number() reads it, so the fold reports what is no count.
        const v = value!.values[r];
        (text(listener, r, 'http', listenerDict) === 'tcp' ? con : req)[r] =
          v === null || v === undefined || v === '' ? 0 : Number(v);
      }
      requests = req;
      connections = con;
    }
    parts.push({
      length: n,
      verdict: verdict!.values,
      ns: cluster ? clusterNamespaces(cluster, ns, n) : ns?.values,
      wl: wl!.values,
      dest: dest!.values,
      destName: get('destinationName'),
      listener,
      requests: requests ?? [],
      connections: connections ?? [],
      bytesSent: get('bytesSent'),
      bytesReceived: get('bytesReceived'),
      port: get('port'),
      codes: get('responseCodes'),
      category: get('category'),
      reason: get('reason'),
      dict: {
        ns: cluster ? undefined : dictOf(ns),
        wl: dictOf(wl),
        dest: dictOf(dest),
        listener: listenerDict,
        verdict: dictOf(verdict),
      },
    });
    partFrames.push(frameIndex);
  }
  if (parts.length === 0) {
    return missing ? { missing } : { table: tableFromCells([]), origin: (r) => ({ frame: -1, row: r }) };
  }
  const lengths = parts.map((p) => p.length);
  const origin: RowOrigin = (r) => {
    let part = 0;
    while (part < lengths.length - 1 && r >= lengths[part]) {
      r -= lengths[part++];
    }
    return { frame: partFrames[part], row: r };
  };
  if (parts.length === 1) {
    return { table: columnTable(parts[0]), origin };
  }
  const joined = (key: Exclude<keyof TableColumns, 'length' | 'dict'>) =>
    concat(
      parts.map((p) => p[key]),
      lengths,
      parts.map((p) => (key in p.dict ? p.dict[key as keyof TableColumns['dict']] : undefined))
    );
  return {
    table: columnTable({
      length: lengths.reduce((a, b) => a + b, 0),
      verdict: joined('verdict')!,
      ns: joined('ns'),
      wl: joined('wl')!,
      dest: joined('dest')!,
      destName: joined('destName'),
      listener: joined('listener'),
      requests: joined('requests') ?? [],
      connections: joined('connections') ?? [],
      bytesSent: joined('bytesSent'),
      bytesReceived: joined('bytesReceived'),
      port: joined('port'),
      codes: joined('codes'),
      category: joined('category'),
      reason: joined('reason'),
      dict: {},
    }),
    origin,
  };
}
