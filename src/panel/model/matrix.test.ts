import fc from 'fast-check';
import type { EgressCell } from '../../query';
import { cellPixels, type CellPixels, packPixel, paintCells, stripSize } from './draw';
import { CLASS_INDEX } from './colors';
import {
  buildMatrix,
  fitGrid,
  type GridGeometry,
  hitTest,
  intensityLevel,
  type MatrixCell,
  naturalCompare,
} from './matrix';
import { readFrames } from './readFrame';
import { createDataFrame, FieldType, transformDataFrame } from '@grafana/data';
import { lastValueFrom } from 'rxjs';
import { registerStandardTransformers } from '../../../test/fakes/grafanaTransformers';
import { PASSTHROUGH, SKIP, verdictAt } from './cellTable';

/**
 * The palette index a cell object should have, derived from its own fields: the oracle for the model's
 * fast path (paletteOf reads flags and sums without building cells).
 */
function paletteIndex(c: MatrixCell, maxVolume: number, levels: number): number {
  const external = c.sources.some((s) => s.category === 'external');
  const cls = !external
    ? c.seenBlocked
      ? CLASS_INDEX.blockedInMesh
      : CLASS_INDEX.notExternal
    : c.seenBlocked && c.seenAllowed
      ? CLASS_INDEX.both
      : c.seenBlocked
        ? CLASS_INDEX.blackhole
        : CLASS_INDEX.passthrough;
  const volume = c.blocked + c.allowed;
  // Bytes alone (a long-lived connection) is the faintest fill, never the "no traffic" outline.
  const level = volume === 0 && c.bytes > 0 ? 1 : intensityLevel(volume, maxVolume, levels);
  return cls * (levels + 1) + level;
}

const cell = (
  ns: string,
  wl: string,
  dest: string,
  verdict: EgressCell['verdict'],
  requests: number,
  listener: EgressCell['listener'] = 'http'
): EgressCell => ({
  sourceNamespace: ns,
  sourceWorkload: wl,
  destination: dest,
  verdict,
  listener,
  requests,
  connections: 0,
  bytesSent: 0,
  bytesReceived: 0,
  category: 'external',
});
const opts = {
  transpose: false,
  sortRows: 'name' as const,
  sortColumns: 'name' as const,
  rowFilter: '',
  columnFilter: '',
};

const cells = [
  cell('shop', 'web', 'a.com', 'passthrough', 100),
  cell('shop', 'web', 'a.com', 'blackhole', 5),
  cell('shop', 'api', 'b.com', 'blackhole', 50),
  cell('data', 'etl', 'a.com', 'passthrough', 0),
  cell('data', 'etl', '1.2.3.4', 'passthrough', 7, 'tcp'),
];

describe('buildMatrix', () => {
  it('groups rows by namespace, merges verdicts of a pair, and indexes cells', () => {
    const m = buildMatrix(cells, opts);
    expect(m.rows.map((r) => `${r.group}/${r.label}`)).toEqual(['data/etl', 'shop/api', 'shop/web']);
    expect(m.cols.map((c) => c.key)).toEqual(['1.2.3.4', 'a.com', 'b.com']);
    const webA = m.cell(m.indexOf(2, 1));
    expect([webA.blocked, webA.allowed, webA.seenBlocked, webA.seenAllowed]).toEqual([5, 100, true, true]);
    expect(m.indexOf(0, 2)).toBe(-1);
    expect(m.maxVolume).toBe(105);
  });

  it('sorts by volume and blocked share, filters, and transposes', () => {
    expect(buildMatrix(cells, { ...opts, sortColumns: 'volume' }).cols.map((c) => c.key)).toEqual([
      'a.com',
      'b.com',
      '1.2.3.4',
    ]);
    expect(buildMatrix(cells, { ...opts, sortColumns: 'blockedShare' }).cols.map((c) => c.key)).toEqual([
      'b.com',
      'a.com',
      '1.2.3.4',
    ]);
    expect(buildMatrix(cells, { ...opts, rowFilter: 'SHOP', columnFilter: '.com' }).rows.map((r) => r.label)).toEqual([
      'api',
      'web',
    ]);
    const t = buildMatrix(cells, { ...opts, transpose: true });
    expect(t.rows.map((r) => r.key)).toEqual(['1.2.3.4', 'a.com', 'b.com']);
    expect(t.cols.map((c) => c.key)).toEqual(['data/etl', 'shop/api', 'shop/web']);
  });
});

describe('input order', () => {
  it('makes one cell per pair when the input comes back to a workload', () => {
    const m = buildMatrix(
      [
        cell('shop', 'web', 'a.com', 'passthrough', 10),
        cell('shop', 'api', 'a.com', 'blackhole', 3),
        cell('shop', 'web', 'a.com', 'blackhole', 2),
        cell('shop', 'web', 'b.com', 'passthrough', 1),
      ],
      opts
    );
    expect(m.cellCount).toBe(3);
    const webA = m.cell(m.indexOf(1, 0));
    expect([webA.row, webA.col, webA.blocked, webA.allowed, webA.sources.length]).toEqual([1, 0, 2, 10, 2]);
    expect(m.maxVolume).toBe(12);
    expect(m.paletteOf(m.indexOf(1, 0), 6)).toBe(paletteIndex(webA, m.maxVolume, 6));
  });

  it('agrees with a plain per-pair sum whatever the order, grouping, folding or transposition', () => {
    const arbCell = fc
      .record({
        ns: fc.constantFrom('a', 'b'),
        wl: fc.constantFrom('x', 'y', 'z'),
        dest: fc.constantFrom('1.1.1.1', 'h.com', 'k.io'),
        // An in-mesh verdict: the row is skipped, wherever it falls between a pair's rows.
        verdict: fc.constantFrom<string>('blackhole', 'passthrough', 'reviews'),
        // Rates, as the data source's counts are: a largest pair whose volume is no Float32 stays the
        // strongest color.
        requests: fc.oneof(fc.nat(1000), fc.constantFrom(0.7, 0.1, 1 / 3, 1e-3)),
      })
      .map((c) => cell(c.ns, c.wl, c.dest, c.verdict as EgressCell['verdict'], c.requests));
    fc.assert(
      fc.property(
        fc.array(arbCell, { maxLength: 40 }),
        fc.constantFrom('shuffled', 'bySource', 'bySourceAndDestination'),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('', 'h.', '.io'),
        (shuffled, order, transpose, fold, destFilter) => {
          // Sorted by source and destination, as the data source sends it, cells are pairs of adjacent
          // rows (foldPairs); sorted by source only, no workload comes back and the grid is built lazily;
          // shuffled, it is placed up front, merging pairs split across a workload's runs.
          const bySource = (c: EgressCell) => `${c.sourceNamespace}/${c.sourceWorkload}`;
          const key = order === 'bySource' ? bySource : (c: EgressCell) => `${bySource(c)}|${c.destination}`;
          const input = order === 'shuffled' ? shuffled : [...shuffled].sort((a, b) => key(a).localeCompare(key(b)));
          const collapsedGroups = new Set(fold ? ['a'] : []);
          const filters = transpose ? { rowFilter: destFilter } : { columnFilter: destFilter };
          const m = buildMatrix(input, { ...opts, transpose, collapsedGroups, ...filters });
          const expected = new Map<string, { blocked: number; allowed: number; rows: number }>();
          const counted = input.filter((x) => x.verdict === 'blackhole' || x.verdict === 'passthrough');
          for (const c of counted.filter((x) => x.destination.includes(destFilter))) {
            const w = fold && c.sourceNamespace === 'a' ? 'a/*' : `${c.sourceNamespace}/${c.sourceWorkload}`;
            const key = transpose ? `${c.destination}|${w}` : `${w}|${c.destination}`;
            const e = expected.get(key) ?? { blocked: 0, allowed: 0, rows: 0 };
            e[c.verdict === 'blackhole' ? 'blocked' : 'allowed'] += c.requests;
            e.rows++;
            expected.set(key, e);
          }
          const actual = new Map<string, { blocked: number; allowed: number; rows: number }>();
          for (let r = 0; r < m.rows.length; r++) {
            for (let c = 0; c < m.cols.length; c++) {
              const i = m.indexOf(r, c);
              if (i >= 0) {
                const x = m.cell(i);
                expect([x.row, x.col]).toEqual([r, c]);
                actual.set(`${m.rows[r].key}|${m.cols[c].key}`, {
                  blocked: x.blocked,
                  allowed: x.allowed,
                  rows: x.sources.length,
                });
              }
            }
          }
          expect(actual).toEqual(expected);
          // Drawing reads colors a row at a time (paletteRow): each the color paletteOf gives the cell from
          // its own rows, -1 where there is none, also past the last column; from the first column or a later one.
          const levels = 6;
          for (let r = 0; r < m.rows.length; r++) {
            const colors = m.cols.map((_, c) => {
              const i = m.indexOf(r, c);
              return i < 0 ? -1 : m.paletteOf(i, levels);
            });
            for (const col0 of m.cols.length > 0 ? [0, 1] : [0]) {
              const out = new Int32Array(m.cols.length + 1 - col0);
              m.paletteRow(r, col0, levels, out);
              expect(Array.from(out)).toEqual([...colors.slice(col0), -1]);
            }
          }
          expect(m.cellCount).toBe(expected.size);
          expect(m.skipped).toBe(input.length - counted.length);
          // The general fold keeps volumes in Float32 (they only pick a color): exact to its precision.
          const max = Math.max(0, ...[...expected.values()].map((e) => e.blocked + e.allowed));
          expect(Math.abs(m.maxVolume - max)).toBeLessThanOrEqual(max * 1e-6);
        }
      )
    );
  });
});

describe('group ordering', () => {
  it('orders namespace groups by their total when sorting by volume, rows by volume inside', () => {
    const m = buildMatrix([...cells, cell('data', 'etl', 'c.com', 'passthrough', 500)], {
      ...opts,
      sortRows: 'volume',
    });
    expect(m.rows.map((r) => `${r.group}/${r.label}`)).toEqual(['data/etl', 'shop/web', 'shop/api']);
  });
});

describe('intensity', () => {
  it('gives a bytes-only pair (long-lived connection) the faintest fill, not the no-traffic outline', () => {
    const m = buildMatrix(
      [
        { ...cell('d', 'w', '1.1.1.1', 'passthrough', 0, 'tcp'), bytesReceived: 5000 },
        cell('d', 'x', '2.2.2.2', 'passthrough', 0, 'tcp'),
      ],
      opts
    );
    expect([0, 1].map((i) => paletteIndex(m.cell(i), m.maxVolume, 6))).toEqual([7 + 1, 7 + 0]);
    expect([0, 1].map((i) => m.paletteOf(i, 6))).toEqual([7 + 1, 7 + 0]);
  });

  it('keeps zero volume distinct and quantizes on a log scale', () => {
    expect(intensityLevel(0, 100, 6)).toBe(0);
    expect(intensityLevel(1, 1e6, 6)).toBe(1);
    expect(intensityLevel(1e6, 1e6, 6)).toBe(6);
    expect(intensityLevel(1000, 1e6, 6)).toBe(3);
  });
});

describe('hitTest and fitGrid', () => {
  it('finds the cell under the pointer by arithmetic, including paging offsets', () => {
    const m = buildMatrix(cells, opts);
    const { geometry } = fitGrid(m, { x0: 100, y0: 50, width: 300, height: 90 });
    expect(geometry.cellW).toBe(48);
    expect(geometry.cellH).toBe(30);
    expect(hitTest(m, geometry, 100 + 48 * 1 + 2, 50 + 30 * 2 + 2)?.cell?.sources.length).toBe(2);
    expect(hitTest(m, geometry, 100 + 48 * 2 + 1, 50 + 1)).toEqual({ row: 0, col: 2, cell: undefined });
    expect(hitTest(m, geometry, 99, 60)).toBeUndefined();
    expect(hitTest(m, geometry, 100 + 48 * 3 + 1, 60)).toBeUndefined();
  });

  it('pages instead of drawing more cells than pixels', () => {
    const many = Array.from({ length: 1000 }, (_, i) => cell('ns', `w${i}`, `d${i}.com`, 'passthrough', i + 1));
    const m = buildMatrix(many, opts);
    const fit = fitGrid(m, { x0: 0, y0: 0, width: 400, height: 200 });
    expect(fit.truncated).toBe(true);
    expect([fit.geometry.visibleCols, fit.geometry.visibleRows]).toEqual([100, 50]);
  });
});

describe('paintCells', () => {
  const colors = Uint32Array.from({ length: 21 }, (_, i) => 1000 + i);
  const at = (px: { data: Uint32Array; width: number }, x: number, y: number) => px.data[y * px.width + x];
  /**
   * The grid as the canvas gets it (drawCells): every copy puts its line on each of its pixel rows, as
   * drawImage of a one-pixel-high source with smoothing off does. Returns the grid's pixels and how many
   * cells were painted.
   */
  const paintGrid = (m: ReturnType<typeof buildMatrix>, g: GridGeometry, levels: number, dpr: number) => {
    const size = cellPixels(g, dpr)!;
    const strip = stripSize(g, dpr)!;
    const lines: CellPixels = { data: new Uint32Array(strip.width * strip.height), ...strip };
    const { painted, copies } = paintCells(lines, m, g, colors, levels, dpr);
    const px: CellPixels = { data: new Uint32Array(size.width * size.height), ...size };
    for (let k = 0; k < copies.length; k += 3) {
      const [line, y, height] = [copies[k], copies[k + 1], copies[k + 2]];
      expect(y + height).toBeLessThanOrEqual(size.height);
      for (let row = y; row < y + height; row++) {
        px.data.set(lines.data.subarray(line * size.width, (line + 1) * size.width), row * size.width);
      }
    }
    return { px, painted };
  };

  it('fills each cell with its palette color, leaves the gaps and empty cells transparent', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      cell('ns', `w${i % 20}`, `d${Math.floor(i / 20)}.com`, i % 3 ? 'passthrough' : 'blackhole', 10)
    );
    const m = buildMatrix(many, opts);
    const { geometry: g } = fitGrid(m, { x0: 0, y0: 0, width: 400, height: 400 });
    const { px, painted } = paintGrid(m, g, 6, 1);
    expect(painted).toBe(400);
    // Every cell has volume 10 = max: level 6. Blocked-only pairs are class 0, passthrough-only class 1.
    const counts = new Map<number, number>();
    for (let r = 0; r < g.visibleRows; r++) {
      for (let c = 0; c < g.visibleCols; c++) {
        const v = at(px, Math.floor((c + 0.5) * g.cellW), Math.floor((r + 0.5) * g.cellH));
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(counts)).toEqual({ [colors[6]]: 134, [colors[13]]: 266 });
    // The last pixel column of the first cell is the gap (cells wider than 6 px keep a 1 px gap).
    expect(at(px, Math.round(g.cellW) - 1, 1)).toBe(0);
  });

  it('outlines a pair seen with no traffic (level 0) and fills the others, at device pixels', () => {
    const m = buildMatrix(
      [cell('ns', 'a', 'idle.com', 'passthrough', 0), cell('ns', 'a', 'busy.com', 'passthrough', 5)],
      {
        ...opts,
        sortColumns: 'name',
      }
    );
    const g = { x0: 0, y0: 0, cellW: 10, cellH: 10, rowOffset: 0, colOffset: 0, visibleRows: 1, visibleCols: 2 };
    expect(cellPixels(g, 2)).toEqual({ width: 40, height: 20 });
    const { px } = paintGrid(m, g, 4, 2);
    // busy.com (column 0, level 4 of class passthrough: 5 + 4) is filled; idle.com (column 1, level 0: 5) is
    // an outline two device pixels wide with a transparent middle; the 2-pixel gap after each stays empty.
    expect([at(px, 0, 0), at(px, 9, 9), at(px, 17, 17)]).toEqual([colors[9], colors[9], colors[9]]);
    expect([at(px, 18, 5), at(px, 19, 5)]).toEqual([0, 0]);
    expect([at(px, 20, 0), at(px, 21, 9), at(px, 37, 9)]).toEqual([colors[5], colors[5], colors[5]]);
    expect([
      at(px, 28, 0),
      at(px, 28, 1),
      at(px, 28, 2),
      at(px, 28, 9),
      at(px, 28, 15),
      at(px, 28, 16),
      at(px, 28, 17),
    ]).toEqual([colors[5], colors[5], 0, 0, 0, colors[5], colors[5]]);
  });

  it('packs a color as ImageData reads it: R, G, B, A bytes', () => {
    const bytes = new Uint8Array(new Uint32Array([packPixel([1, 2, 3])]).buffer);
    expect(Array.from(bytes)).toEqual([1, 2, 3, 255]);
  });
});

describe('readFrames', () => {
  it('says which frame and row each table row came from, past frames it cannot read', () => {
    const frame = (n: number) => ({
      fields: [
        { name: 'sourceWorkload', values: Array.from({ length: n }, (_, i) => `w${i}`) },
        { name: 'destination', values: Array.from({ length: n }, () => 'a.com') },
        { name: 'verdict', values: Array.from({ length: n }, () => 'passthrough') },
        { name: 'requests', values: Array.from({ length: n }, () => 1) },
      ],
    });
    const unreadable = { fields: [{ name: 'Time', values: [1] }] };
    const r = readFrames([frame(2), unreadable, frame(3)]);
    if (!('table' in r)) {
      throw new Error('expected a table');
    }
    expect([0, 1, 2, 4].map(r.origin)).toEqual([
      { frame: 0, row: 0 },
      { frame: 0, row: 1 },
      { frame: 2, row: 0 },
      { frame: 2, row: 2 },
    ]);
  });

  it('joins several frames and keeps every field of the data source frame', () => {
    const native = (wl: string) => ({
      fields: [
        { name: 'sourceNamespace', values: ['shop'] },
        { name: 'sourceWorkload', values: [wl] },
        { name: 'destination', values: ['52.216.1.1'] },
        { name: 'destinationName', values: ['S3'] },
        { name: 'verdict', values: ['passthrough'] },
        { name: 'listener', values: ['tcp'] },
        { name: 'requests', values: [0] },
        { name: 'connections', values: [4] },
        { name: 'bytesSent', values: [10] },
        { name: 'bytesReceived', values: [20] },
        { name: 'port', values: [443] },
        { name: 'responseCodes', values: [''] },
      ],
    });
    const r = readFrames([native('a'), native('b')]);
    if (!('table' in r)) {
      throw new Error('expected a table');
    }
    expect(
      [r.table.cell(0), r.table.cell(1)].map((c) => [
        c.sourceWorkload,
        c.destinationName,
        c.port,
        c.connections,
        c.bytesReceived,
      ])
    ).toEqual([
      ['a', 'S3', 443, 4, 20],
      ['b', 'S3', 443, 4, 20],
    ]);
  });

  it("reads enum label columns (Grafana's Convert field type → Enum) through their dictionaries", async () => {
    const cellsIn = [
      cell('shop', 'web', 'b.com', 'passthrough', 3),
      cell('shop', 'web', 'a.com', 'blackhole', 2),
      { ...cell('shop', 'api', '52.216.1.1', 'passthrough', 0, 'tcp'), connections: 4, port: 443 },
    ];
    const strings = createDataFrame({
      fields: [
        { name: 'sourceNamespace', type: FieldType.string, values: cellsIn.map((c) => c.sourceNamespace) },
        { name: 'sourceWorkload', type: FieldType.string, values: cellsIn.map((c) => c.sourceWorkload) },
        { name: 'destination', type: FieldType.string, values: cellsIn.map((c) => c.destination) },
        { name: 'verdict', type: FieldType.string, values: cellsIn.map((c) => c.verdict) },
        { name: 'listener', type: FieldType.string, values: cellsIn.map((c) => c.listener) },
        { name: 'requests', type: FieldType.number, values: cellsIn.map((c) => c.requests) },
        { name: 'connections', type: FieldType.number, values: cellsIn.map((c) => c.connections) },
        { name: 'port', type: FieldType.number, values: cellsIn.map((c) => c.port ?? null) },
      ],
    });
    const toEnum = (targetField: string, text: string[]) => ({
      targetField,
      destinationType: FieldType.enum,
      enumConfig: { text },
    });
    // Through Grafana's transformDataFrame and registry, as a panel's transformation runs.
    registerStandardTransformers();
    const [frame] = await lastValueFrom(
      transformDataFrame(
        [
          {
            id: 'convertFieldType',
            options: {
              conversions: [
                toEnum('sourceWorkload', ['api', 'web']),
                toEnum('destination', ['52.216.1.1', 'a.com', 'b.com']),
                toEnum('verdict', ['passthrough', 'blackhole']),
                toEnum('listener', ['tcp', 'http']),
              ],
            },
          },
        ],
        [strings]
      )
    );
    expect(frame.fields[2]).toMatchObject({ type: FieldType.enum, values: [2, 1, 0] });
    const read = readFrames([frame]);
    if (!('table' in read)) {
      throw new Error('expected a table');
    }
    const pairs = (m: ReturnType<typeof buildMatrix>) =>
      m.rows.flatMap((r, i) =>
        m.cols.map((c, j) => {
          const k = m.indexOf(i, j);
          return k < 0 ? '' : `${r.key}>${c.key}:${m.cell(k).blocked}/${m.cell(k).allowed}:${m.paletteOf(k, 6)}`;
        })
      );
    const viaEnum = buildMatrix(read.table, opts);
    expect(pairs(viaEnum)).toEqual(pairs(buildMatrix(cellsIn, opts)));
    expect(viaEnum.cell(viaEnum.indexOf(0, 0)).sources).toEqual([cellsIn[2]]);
    // Joined with a frame of plain strings: each frame's dictionary decodes its own rows.
    const both = readFrames([frame, strings]);
    if (!('table' in both)) {
      throw new Error('expected a table');
    }
    expect(Array.from({ length: both.table.length }, (_, r) => both.table.cell(r).destination)).toEqual([
      'b.com',
      'a.com',
      '52.216.1.1',
      'b.com',
      'a.com',
      '52.216.1.1',
    ]);
  });

  it('reads a plain Prometheus table through the field mapping and names missing fields', () => {
    const frame = {
      fields: [
        { name: 'source_workload', values: ['web', 'web'] },
        { name: 'destination_service', values: ['a.com', 'b.com'] },
        { name: 'destination_service_name', values: ['PassthroughCluster', 'reviews'] },
        { name: 'Value', values: [3, 4] },
      ],
    };
    const r = readFrames([frame]);
    if (!('table' in r)) {
      throw new Error('expected a table');
    }
    // The in-mesh row stays in the columns and is counted; it never becomes a cell.
    expect([0, 1].map((row) => verdictAt(r.table, row))).toEqual([PASSTHROUGH, SKIP]);
    const m = buildMatrix(r.table, opts);
    expect(m.cellCount).toBe(1);
    expect(m.skipped).toBe(1);
    expect(r.table.cell(0)).toEqual({
      sourceNamespace: 'unknown',
      sourceWorkload: 'web',
      destination: 'a.com',
      verdict: 'passthrough',
      listener: 'http',
      requests: 3,
      connections: 0,
      bytesSent: 0,
      bytesReceived: 0,
      category: 'external',
    });
    expect(readFrames([{ fields: [{ name: 'x', values: [1] }] }])).toEqual({
      missing: ['sourceWorkload', 'destination', 'verdict'],
    });
  });
});

describe('cells that are not external (query/categories.ts)', () => {
  const levels = 4;
  const classOf = (m: ReturnType<typeof buildMatrix>, i: number) => Math.floor(m.paletteOf(i, levels) / (levels + 1));
  const inMesh = (over: Partial<EgressCell>): EgressCell => ({
    ...cell('web', 'frontend', 'reviews.shop', 'blackhole', 3),
    category: 'in-mesh',
    reason: 'blocked in-mesh call',
    ...over,
  });

  it('are muted, red where blocked, and external traffic in the same cell decides its color', () => {
    const m = buildMatrix(
      [
        inMesh({}),
        inMesh({ destination: '10.244.3.17', verdict: 'passthrough', reason: 'reached workload kafka/broker by IP' }),
        cell('web', 'frontend', 'api.github.com', 'passthrough', 9),
        inMesh({ destination: 'api.github.com', verdict: 'blackhole' }),
      ],
      opts
    );
    expect(m.hasNotExternal).toBe(true);
    const byDest = (d: string) => {
      for (let i = 0; i < m.cellCount; i++) {
        if (m.cols[m.cell(i).col].key === d) {
          return i;
        }
      }
      throw new Error(d);
    };
    expect(classOf(m, byDest('reviews.shop'))).toBe(4);
    expect(classOf(m, byDest('10.244.3.17'))).toBe(3);
    expect(classOf(m, byDest('api.github.com'))).toBe(2);
    for (const d of ['reviews.shop', '10.244.3.17', 'api.github.com']) {
      const c = m.cell(byDest(d));
      expect(paletteIndex(c, m.maxVolume, levels)).toBe(m.paletteOf(byDest(d), levels));
    }
    expect(buildMatrix([cell('web', 'frontend', 'x.com', 'passthrough', 1)], opts).hasNotExternal).toBe(false);
  });
});

describe('values that are no counts', () => {
  it('are drawn as 0 and counted, so one +Inf or 1e39 cannot make every other cell fade', () => {
    const good = cell('shop', 'web', 'a.com', 'passthrough', 100);
    const m = buildMatrix(
      [
        good,
        cell('shop', 'web', 'b.com', 'passthrough', Infinity),
        cell('shop', 'api', 'c.com', 'blackhole', 1e39),
        cell('shop', 'api', 'd.com', 'blackhole', -5),
        cell('shop', 'api', 'e.com', 'blackhole', NaN),
      ],
      opts
    );
    expect(m.invalid).toBe(4);
    expect(m.maxVolume).toBe(100);
    const levels = 4;
    const a = Array.from({ length: m.cellCount }, (_, i) => i).find((i) => m.cols[m.cell(i).col].key === 'a.com')!;
    expect(m.paletteOf(a, levels) % (levels + 1)).toBe(levels);
    expect(buildMatrix([good], opts).invalid).toBe(0);
    // The tooltip reads the same rule as the color: what is drawn as 0 sums as 0, never Infinity or -5.
    const tooltips = Array.from({ length: m.cellCount }, (_, i) => m.cell(i)).filter(
      (c) => c.sources[0].destination !== 'a.com'
    );
    expect(tooltips.map((c) => [c.sources[0].destination, c.blocked + c.allowed])).toEqual(
      expect.arrayContaining([
        ['b.com', 0],
        ['c.com', 0],
        ['d.com', 0],
        ['e.com', 0],
      ])
    );
  });
});

describe('name order', () => {
  it('is natural, as people read names: api-2 before api-10 (text otherwise by code unit)', () => {
    const m = buildMatrix(
      ['api-10', 'api-2', 'api-1', 'Api-3'].map((wl) => cell('shop', wl, 'x.example.com', 'passthrough', 1)),
      opts
    );
    expect(m.rows.map((r) => r.label)).toEqual(['Api-3', 'api-1', 'api-2', 'api-10']);
    expect(naturalCompare('pod-9x', 'pod-10a')).toBeLessThan(0);
    expect(naturalCompare('a', 'a')).toBe(0);
  });
});
