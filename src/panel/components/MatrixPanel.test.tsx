import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import {
  createDataFrame,
  FieldType,
  getDefaultTimeRange,
  LoadingState,
  type PanelProps,
  type ScopedVars,
} from '@grafana/data';
import { type DataSourceSrv, setDataSourceSrv } from '@grafana/runtime';
import { MatrixPanel } from './MatrixPanel';
import type { GridGeometry } from '../model/matrix';
import type { MatrixLayout } from '../model/layout';
import { defaultOptions, type MatrixOptions } from '../../shared/panelOptions';
import { fakeTemplateSrv } from '../../../test/fakes/grafana';

// jsdom lays nothing out: the panel measures its legend (useMeasuredHeight), and the tooltip container
// observes its size. Give the legend a height, as a browser would.
jest.mock('./useMeasuredHeight', () => ({ useMeasuredHeight: () => [() => {}, 40] }));
beforeAll(() => {
  global.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  // Grafana's Drawer scrolls its content with indicators that watch their edges, as browsers allow.
  global.IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  } as unknown as typeof IntersectionObserver;
});

/** A point in the namespace band beside grid row `row`, and one in the empty corner above the labels. */
function bandPoint(row: number) {
  const layout = JSON.parse(screen.getByTestId('matrix-canvas').getAttribute('data-layout')!) as MatrixLayout;
  return { clientX: layout.nsWidth / 2, clientY: cellPoint(row, 0).clientY };
}
function cornerPoint() {
  const layout = JSON.parse(screen.getByTestId('matrix-canvas').getAttribute('data-layout')!) as MatrixLayout;
  return { clientX: layout.left / 2, clientY: layout.top / 2 };
}

/** The client point at the middle of cell (row, col) of the visible page, from the panel's own geometry. */
function cellPoint(row: number, col: number) {
  const g = JSON.parse(screen.getByTestId('matrix-canvas').getAttribute('data-geometry')!) as GridGeometry;
  return { clientX: g.x0 + (col + 0.5) * g.cellW, clientY: g.y0 + (row + 0.5) * g.cellH };
}

function props(
  fields: Array<{ name: string; values: unknown[] }>,
  over: Partial<MatrixOptions> = {}
): PanelProps<MatrixOptions> {
  const frame = createDataFrame({
    fields: fields.map((f) => ({
      name: f.name,
      type: typeof f.values[0] === 'number' ? FieldType.number : FieldType.string,
      values: f.values,
    })),
  });
  return {
    id: 1,
    data: { series: [frame], state: LoadingState.Done, timeRange: getDefaultTimeRange() },
    timeRange: getDefaultTimeRange(),
    timeZone: 'utc',
    options: { ...defaultOptions, ...over },
    transparent: false,
    width: 600,
    height: 400,
    fieldConfig: { defaults: {}, overrides: [] },
    renderCounter: 0,
    title: 'Matrix',
    eventBus: {} as PanelProps['eventBus'],
    onOptionsChange: jest.fn(),
    onFieldConfigChange: jest.fn(),
    replaceVariables: (s: string) => s,
    onChangeTimeRange: jest.fn(),
  } as PanelProps<MatrixOptions>;
}

const matrixFields = (workload: string) => [
  { name: 'sourceNamespace', values: ['shop', 'shop'] },
  { name: 'sourceWorkload', values: [workload, workload] },
  { name: 'destination', values: ['api.stripe.com', '52.216.10.4'] },
  { name: 'destinationName', values: ['', 'S3'] },
  { name: 'verdict', values: ['passthrough', 'passthrough'] },
  { name: 'listener', values: ['http', 'tcp'] },
  { name: 'requests', values: [42, 0] },
  { name: 'connections', values: [0, 7] },
  { name: 'bytesSent', values: [0, 1000] },
  { name: 'bytesReceived', values: [0, 5000] },
  { name: 'port', values: [null, 443] },
  { name: 'responseCodes', values: ['200:40, 500:2', ''] },
];

describe('MatrixPanel', () => {
  it('names the fields a foreign frame lacks', () => {
    render(
      <MatrixPanel
        {...props([
          { name: 'Time', values: [1] },
          { name: 'Value', values: [1] },
        ])}
      />
    );
    expect(screen.getByTestId('matrix-missing-fields').textContent).toContain(
      'no sourceWorkload, destination, verdict field'
    );
  });

  it('says when there is no egress traffic', () => {
    render(
      <MatrixPanel
        {...props([
          { name: 'sourceWorkload', values: ['w'] },
          { name: 'destination', values: ['d'] },
          { name: 'verdict', values: ['reviews'] },
          { name: 'requests', values: [1] },
        ])}
      />
    );
    expect(screen.getByTestId('matrix-no-data').textContent).toContain('(1 row had another verdict)');
  });

  it('fault: while the first answer is in flight says it is reading, never "no traffic"', () => {
    const p = props([]);
    p.data = { ...p.data, series: [], state: LoadingState.Loading };
    render(<MatrixPanel {...p} />);
    expect(screen.getByTestId('matrix-loading').textContent).toContain('Reading BlackHoleCluster');
    expect(screen.getByRole('status').getAttribute('aria-busy')).toBe('true');
    expect(screen.queryByTestId('matrix-no-data')).toBeNull();
    expect(screen.queryByTestId('matrix-missing-fields')).toBeNull();
  });

  it('on a refresh keeps the previous matrix, dimmed and busy, until the answer comes', () => {
    const p = props(matrixFields('checkout'));
    const { rerender } = render(<MatrixPanel {...p} data={{ ...p.data, state: LoadingState.Loading }} />);
    expect(screen.getByTestId('matrix-canvas')).toBeInTheDocument();
    expect(screen.getByTestId('matrix-layout').getAttribute('aria-busy')).toBe('true');
    expect(screen.getByTestId('matrix-layout').style.opacity).toBe('0.6');
    rerender(<MatrixPanel {...p} />);
    expect(screen.getByTestId('matrix-layout').getAttribute('aria-busy')).toBe('false');
    expect(screen.getByTestId('matrix-layout').style.opacity).toBe('');
  });

  it('an answer with no traffic, once it came, says so', () => {
    const p = props([]);
    p.data = { ...p.data, series: [], state: LoadingState.Done };
    render(<MatrixPanel {...p} />);
    expect(screen.queryByTestId('matrix-loading')).toBeNull();
    expect(screen.getByTestId('matrix-no-data').textContent).toContain(
      'No BlackHoleCluster or PassthroughCluster traffic'
    );
  });

  it('shows a failed query as an error, never as "no traffic"', () => {
    const p = props([]);
    p.data = {
      ...p.data,
      series: [],
      state: LoadingState.Error,
      errors: [{ message: 'HTTP 502 Bad Gateway from /api/v1/query' }],
    };
    render(<MatrixPanel {...p} />);
    expect(screen.getByTestId('matrix-error').textContent).toContain('HTTP 502 Bad Gateway from /api/v1/query');
    expect(screen.queryByTestId('matrix-no-data')).toBeNull();
    expect(screen.queryByText(/No BlackHoleCluster/)).toBeNull();
  });

  it('marks a matrix from a partly failed request as possibly incomplete', () => {
    const p = props(matrixFields('checkout'));
    p.data = { ...p.data, state: LoadingState.Error, errors: [{ message: 'query B: timeout', refId: 'B' }] };
    render(<MatrixPanel {...p} />);
    expect(screen.getByTestId('matrix-canvas')).toBeInTheDocument();
    expect(screen.getByTestId('matrix-partial').textContent).toContain('query B: timeout');
  });

  it('shows a tooltip with the numbers, rendering markup in labels as text', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const { container } = render(<MatrixPanel {...props(matrixFields(evil), { sortColumns: 'name' })} />);
    const canvas = screen.getByTestId('matrix-canvas');
    expect(canvas.getAttribute('aria-label')).toMatch(/^Egress matrix: 1 rows, 2 columns\./);
    // Columns sorted by name: "S3 (52.216.10.4)" then "api.stripe.com"; the first cell sits at the plot origin.
    fireEvent.mouseMove(canvas, cellPoint(0, 0));
    const tip = screen.getByTestId('matrix-tooltip');
    expect(tip.textContent).toContain(`shop / ${evil}`);
    expect(tip.textContent).toContain('S3 (52.216.10.4)');
    // Bytes through the frame field's unit (decbytes).
    expect(tip.textContent).toContain('7 connections, 1 kB sent, 5 kB received');
    expect(container.querySelector('img')).toBeNull();
    expect(document.querySelector('img')).toBeNull();
    fireEvent.mouseMove(canvas, cellPoint(0, 1));
    expect(screen.getByTestId('matrix-tooltip').textContent).toContain('42 requests (codes 200:40, 500:2)');
  });

  it('shows the help button after the grid, opens its Toggletip on the first press and every later one', async () => {
    render(<MatrixPanel {...props(matrixFields('checkout'))} />);
    // Not in the render that draws the grid: it mounts once the page is idle.
    expect(screen.queryByTestId('matrix-help')).toBeNull();
    fireEvent.click(await screen.findByTestId('matrix-help'));
    expect(screen.getByTestId('matrix-help-text').textContent).toMatch(/Shift-click.*pin/);
    fireEvent.click(screen.getByTestId('toggletip-header-close'));
    expect(screen.queryByTestId('matrix-help-text')).toBeNull();
    fireEvent.click(screen.getByTestId('matrix-help'));
    expect(screen.getByTestId('matrix-help-text').textContent).toMatch(/Shift-click.*pin/);
  });

  it('turns selected passthrough cells into ServiceEntry YAML', () => {
    render(<MatrixPanel {...props(matrixFields('checkout'), { sortColumns: 'name' })} />);
    const canvas = screen.getByTestId('matrix-canvas');
    // With nothing selected the pane says how to select, and there is nothing to copy or download.
    fireEvent.click(screen.getByText('ServiceEntry YAML (0)'));
    expect(screen.getByTestId('serviceentry-empty').textContent).toMatch(/Click cells in the matrix/);
    expect(screen.queryByTestId('serviceentry-yaml')).toBeNull();
    expect((screen.getByTestId('serviceentry-download') as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByText('ServiceEntry YAML (0)'));
    expect(screen.queryByTestId('serviceentry-pane')).toBeNull();
    fireEvent.doubleClick(canvas, cellPoint(0, 0));
    fireEvent.click(canvas, cellPoint(0, 1));
    // A click outside the grid selects nothing.
    fireEvent.click(canvas, cornerPoint());
    fireEvent.click(screen.getByText('ServiceEntry YAML (2)'));
    const yaml = screen.getByTestId('serviceentry-yaml').textContent ?? '';
    expect(yaml).toContain('- "api.stripe.com"');
    expect(yaml).toContain('- "52.216.10.4/32"');
    expect(yaml).toContain('number: 443');
    // The download is a blob URL clicked once, not a data: URL in an href (Grafana 13.1+ sanitizes those).
    const blobs: Blob[] = [];
    const clicked: Array<{ download: string; href: string }> = [];
    URL.createObjectURL = jest.fn((b: Blob) => (blobs.push(b), 'blob:test/1'));
    URL.revokeObjectURL = jest.fn();
    const click = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement
    ) {
      clicked.push({ download: this.download, href: this.href });
    });
    fireEvent.click(screen.getByTestId('serviceentry-download'));
    click.mockRestore();
    expect(clicked).toEqual([{ download: 'serviceentries.yaml', href: 'blob:test/1' }]);
    expect(blobs).toHaveLength(1);
    expect(blobs[0].type).toBe('application/yaml');
    expect(blobs[0].size).toBe(new TextEncoder().encode(yaml).length);
    fireEvent.click(screen.getByLabelText('Close ServiceEntry YAML'));
    expect(screen.queryByTestId('serviceentry-yaml')).toBeNull();
  });

  it('counts the entries the YAML will hold, and says why selected blocked cells are not in it', () => {
    const fields = [
      { name: 'sourceNamespace', values: ['shop', 'shop', 'shop'] },
      { name: 'sourceWorkload', values: ['web', 'web', 'web'] },
      { name: 'destination', values: ['a.example.com', 'b.example.com', 'evil.example.net'] },
      { name: 'verdict', values: ['passthrough', 'passthrough', 'blackhole'] },
      { name: 'listener', values: ['http', 'http', 'http'] },
      { name: 'requests', values: [5, 3, 9] },
    ];
    render(<MatrixPanel {...props(fields, { sortColumns: 'name' })} />);
    const canvas = screen.getByTestId('matrix-canvas');
    for (const col of [0, 1, 2]) {
      fireEvent.click(canvas, cellPoint(0, col));
    }
    // Three selected, two entries: the button counts the entries.
    fireEvent.click(screen.getByText('ServiceEntry YAML (2)'));
    expect(screen.getByTestId('serviceentry-title').textContent).toBe('2 ServiceEntries from 2 of 3 selected cells');
    expect(screen.getByTestId('serviceentry-skipped').textContent).toBe(
      'Not written: 1 cell: blocked (BlackHoleCluster): register only what should be allowed.'
    );
    const yaml = screen.getByTestId('serviceentry-yaml').textContent ?? '';
    expect(yaml.match(/^kind: ServiceEntry$/gm)).toHaveLength(2);
    expect(yaml).not.toContain('evil.example.net');
  });

  it('moves with the keyboard, pins details with Enter and offers data links with the cell values', () => {
    const p = props(matrixFields('checkout'), { sortColumns: 'name' });
    p.fieldConfig = {
      defaults: {
        links: [
          { title: 'Drill into ${sourceWorkload}', url: '/d/x?var-dest=${destination}' },
          // Grafana's data link variables, as its link editor suggests them.
          {
            title: 'Host ${__data.fields.destination}',
            url: '/d/y?var-ns=${__data.fields.sourceNamespace}&v=${__data.fields.verdict}',
          },
          // Any field of the row and the link's own value, through Grafana's links supplier.
          {
            title: 'Requests ${__data.fields.requests} to ${__value.raw}',
            url: '/d/z?listener=${__data.fields.listener}',
          },
        ],
      },
      overrides: [],
    };
    // The panel's replaceVariables is Grafana's TemplateSrv.replace with the panel's scopedVars.
    const templateSrv = fakeTemplateSrv();
    p.replaceVariables = (text: string, vars?: ScopedVars, fmt?: string | Function) =>
      templateSrv.replace(text, vars, fmt);
    render(<MatrixPanel {...p} />);
    const canvas = screen.getByTestId('matrix-canvas');
    fireEvent.keyDown(canvas, { key: 'ArrowRight' });
    expect(screen.getByTestId('matrix-tooltip').textContent).toContain('42 requests');
    fireEvent.keyDown(canvas, { key: 'Enter' });
    // Pinned says so, and closes with its own button as with Escape.
    expect(screen.getByTestId('matrix-pinned').textContent).toContain('Pinned');
    const link = screen.getByText('Drill into checkout');
    expect(link.getAttribute('href')).toBe('/d/x?var-dest=api.stripe.com');
    expect(screen.getByText('Host api.stripe.com').getAttribute('href')).toBe('/d/y?var-ns=shop&v=passthrough');
    expect(screen.getByText('Requests 42 to api.stripe.com').getAttribute('href')).toBe('/d/z?listener=http');
    fireEvent.keyDown(canvas, { key: ' ' });
    expect(screen.getByText('ServiceEntry YAML (1)').closest('button')?.disabled).toBe(false);
    fireEvent.keyDown(canvas, { key: 'Escape' });
    expect(screen.queryByText('Drill into checkout')).toBeNull();
  });

  it("offers the cell's PromQL in Explore on a Prometheus data source, for data source frames only", () => {
    setDataSourceSrv({
      getInstanceSettings: (uid: string) => (uid === 'prom-b' ? { uid, type: 'prometheus' } : undefined),
      getList: () => [{ uid: 'prom-a', type: 'prometheus' }],
    } as unknown as DataSourceSrv);
    const p = props(matrixFields('checkout'), { sortColumns: 'name', exploreDatasource: 'prom-b' });
    p.data.series[0].meta = {
      custom: {
        kind: 'istio-egress-matrix',
        scope: { extraMatchers: [{ label: 'cluster', op: '=', value: 'eu' }], ipLabel: 'destination_ip' },
      },
    };
    const { unmount } = render(<MatrixPanel {...p} />);
    const canvas = screen.getByTestId('matrix-canvas');
    fireEvent.keyDown(canvas, { key: 'ArrowRight' });
    fireEvent.keyDown(canvas, { key: 'Enter' });
    const href = screen.getByText('Explore this pair').getAttribute('href')!;
    expect(href.startsWith('/explore?')).toBe(true);
    const panes = JSON.parse(new URLSearchParams(href.split('?')[1]).get('panes')!);
    const [pane] = Object.values(panes) as Array<{ datasource: string; queries: Array<{ expr: string }> }>;
    expect(pane.datasource).toBe('prom-b');
    expect(pane.queries).toHaveLength(1);
    expect(pane.queries[0].expr).toContain('cluster="eu"');
    expect(pane.queries[0].expr).toContain('source_workload="checkout"');
    expect(pane.queries[0].expr).toContain('api\\\\.stripe\\\\.com');
    unmount();
    // A plain Prometheus table carries no scope to write the PromQL from: no link rather than a wrong one.
    const plain = props(matrixFields('checkout'), { sortColumns: 'name' });
    render(<MatrixPanel {...plain} />);
    fireEvent.keyDown(screen.getByTestId('matrix-canvas'), { key: 'ArrowRight' });
    fireEvent.keyDown(screen.getByTestId('matrix-canvas'), { key: 'Enter' });
    expect(screen.getByTestId('matrix-tooltip').textContent).toContain('api.stripe.com');
    expect(screen.queryByText('Explore this pair')).toBeNull();
  });

  it('folds a namespace band into one row when its label is clicked', () => {
    const fields = matrixFields('checkout');
    fields[1] = { name: 'sourceWorkload', values: ['checkout', 'frontend'] };
    render(<MatrixPanel {...props(fields)} />);
    const canvas = screen.getByTestId('matrix-canvas');
    expect(canvas.getAttribute('aria-label')).toMatch(/^Egress matrix: 2 rows/);
    fireEvent.click(canvas, bandPoint(1));
    expect(canvas.getAttribute('aria-label')).toMatch(/^Egress matrix: 1 rows/);
    fireEvent.mouseMove(canvas, cellPoint(0, 0));
    expect(screen.getByTestId('matrix-tooltip').textContent).toMatch(/^shop \/ ▸ 2 workloads/);
  });

  it('pages a matrix larger than its pixels, says so, and scrolls with the wheel', () => {
    const n = 300;
    const fields = [
      { name: 'sourceNamespace', values: Array.from({ length: n }, () => 'ns') },
      { name: 'sourceWorkload', values: Array.from({ length: n }, (_, i) => `w${String(i).padStart(3, '0')}`) },
      { name: 'destination', values: Array.from({ length: n }, (_, i) => `d${String(i).padStart(3, '0')}.com`) },
      { name: 'verdict', values: Array.from({ length: n }, () => 'passthrough') },
      { name: 'requests', values: Array.from({ length: n }, () => 1) },
    ];
    render(<MatrixPanel {...props(fields, { sortColumns: 'name' })} />);
    const note = screen.getByTestId('matrix-truncated');
    // 600×(400 - 40 legend) panel; label areas sized for 4-character rows (132 px with namespace and
    // totals) and 8-character columns (63 px + 14 totals); 4 px cells at the least:
    // (600 - 132 - 8) / 4 = 115 columns, (360 - 77 - 8) / 4 = 68 rows.
    expect(note.textContent).toBe('rows 1–68 of 300, columns 1–115 of 300: wheel scrolls (shift: columns), or filter');
    fireEvent.wheel(screen.getByTestId('matrix-canvas'), { deltaY: 400 });
    expect(screen.getByTestId('matrix-truncated').textContent).toMatch(/^rows 11–78 of 300/);
  });
});
