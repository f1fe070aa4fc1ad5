/**
 * In-page half of the panel benchmark: renders N matrix cells with the built panel (dist/, loaded by
 * SystemJS as Grafana does) and with a one-element-per-cell DOM baseline, and times first paint and
 * hover-to-tooltip.
 */
import React, { useState } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import {
  createTheme,
  type DataFrame,
  getDefaultTimeRange,
  LoadingState,
  type PanelPlugin,
  type PanelProps,
  ThemeContext,
} from '@grafana/data';
import { registerShared, systemJS } from '../../../harness/host/client/sharedModules';
import { matrixFrame } from '../../../src/datasource/frames';
import { cellQueries, shapeCells, type VectorSample } from '../../../src/query';

const theme = createTheme({ colors: { mode: 'dark' } });
const WIDTH = 1200;
const HEIGHT = 700;

/**
 * The matrix frame for side × side cells (every pair present; verdicts and volumes varying
 * deterministically), made the way the data source makes it: a Prometheus instant-query answer, parsed
 * from JSON and folded by shapeCells() and matrixFrame(). Built once per size: the panel keeps nothing
 * between mounts, so every run starts from the same frame.
 */
const frames = new Map<number, DataFrame>();
function frameFor(n: number): DataFrame {
  const side = Math.round(Math.sqrt(n));
  let frame = frames.get(side);
  if (!frame) {
    const result = [];
    for (let i = 0; i < side * side; i++) {
      const r = Math.floor(i / side);
      const c = i % side;
      result.push({
        metric: {
          source_workload_namespace: `ns-${r % 20}`,
          source_workload: `wl-${r}`,
          destination_service: `api-${c}.example.com`,
          destination_service_name: (r * 31 + c * 17) % 7 === 0 ? 'BlackHoleCluster' : 'PassthroughCluster',
          response_code: (r * 31 + c * 17) % 7 === 0 ? '502' : '200',
        },
        value: [0, String(((r * 131 + c * 71) % 1000) + 1)],
      });
    }
    const samples: VectorSample[] = JSON.parse(JSON.stringify(result));
    const http = cellQueries({}, 3600).find((q) => q.listener === 'http' && q.measure === 'requests')!;
    const { cells } = shapeCells([{ query: http, samples }]);
    frame = matrixFrame('A', cells, () => undefined, [http], []);
    frames.clear();
    frames.set(side, frame);
  }
  return frame;
}

/** The baseline: one absolutely positioned element per cell, a React tooltip on mouseenter. */
function DomMatrix({ frame }: { frame: DataFrame }) {
  const [hover, setHover] = useState<number>();
  const side = Math.round(Math.sqrt(frame.length));
  const size = Math.max(1, Math.min(WIDTH, HEIGHT) / side);
  const col = (name: string) => frame.fields.find((f) => f.name === name)!.values;
  const verdict = col('verdict');
  const wl = col('sourceWorkload');
  const dest = col('destination');
  const req = col('requests');
  const cells = [];
  for (let i = 0; i < frame.length; i++) {
    cells.push(
      <div
        key={i}
        onMouseEnter={() => setHover(i)}
        style={{
          position: 'absolute',
          left: (i % side) * size,
          top: Math.floor(i / side) * size,
          width: size,
          height: size,
          background: verdict[i] === 'blackhole' ? '#ff9830' : '#5794f2',
          opacity: 0.3 + (0.7 * req[i]) / 1000,
        }}
      />
    );
  }
  return (
    <div style={{ position: 'relative', width: WIDTH, height: HEIGHT, overflow: 'hidden' }}>
      {cells}
      {hover !== undefined && (
        <div
          data-testid="matrix-tooltip"
          style={{ position: 'absolute', left: 10, top: 10, background: '#222', color: '#fff' }}
        >
          {wl[hover]} → {dest[hover]}: {req[hover]} requests
        </div>
      )}
    </div>
  );
}

/**
 * Resolves right after the next frame is painted: a rAF callback runs just before the paint, and a
 * message posted from it is delivered just after (a second rAF would wait a whole extra frame).
 */
const nextPaint = () =>
  new Promise<void>((resolve) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(undefined);
    })
  );

/** Resolves with the time `check` first holds after a DOM change below `root`, or NaN after `budgetMs`. */
function whenInDom(root: Node, check: () => unknown, budgetMs: number): Promise<number> {
  return new Promise((resolve) => {
    const done = (t: number) => {
      observer.disconnect();
      clearTimeout(timer);
      resolve(t);
    };
    const observer = new MutationObserver(() => check() && done(performance.now()));
    observer.observe(root, { childList: true, subtree: true });
    const timer = setTimeout(() => done(NaN), budgetMs);
    if (check()) {
      done(performance.now());
    }
  });
}

/** The matrix canvas has cells on it: some pixel of its plot area (from the panel's geometry) is drawn. */
function gridDrawn(container: HTMLElement): boolean {
  const canvas = container.querySelector<HTMLCanvasElement>('[data-testid="matrix-canvas"]');
  const geometry = canvas?.getAttribute('data-geometry');
  const ctx = canvas?.getContext('2d');
  if (!canvas || !geometry || !ctx || canvas.width === 0) {
    return false;
  }
  const g = JSON.parse(geometry) as {
    x0: number;
    y0: number;
    cellW: number;
    cellH: number;
    visibleRows: number;
    visibleCols: number;
  };
  const dpr = canvas.width / canvas.getBoundingClientRect().width;
  const w = Math.max(1, Math.floor(g.visibleCols * g.cellW * dpr));
  const h = Math.max(1, Math.floor(g.visibleRows * g.cellH * dpr));
  const pixels = ctx.getImageData(Math.floor(g.x0 * dpr), Math.floor(g.y0 * dpr), w, h).data;
  for (let i = 3; i < pixels.length; i += 4) {
    if (pixels[i] > 64) {
      return true;
    }
  }
  return false;
}

/** The panel modules loaded so far, by URL: the A/B bench (panelAb.ts) loads two builds in one page. */
const plugins = new Map<string, PanelPlugin>();

async function run(
  n: number,
  mode: 'canvas' | 'dom',
  budgetMs: number,
  moduleUrl = '/public/plugins/meshlens-istioegress-app/panel/module.js'
) {
  let panelPlugin = plugins.get(moduleUrl);
  if (!panelPlugin) {
    panelPlugin = ((await systemJS().import(moduleUrl)) as { plugin: PanelPlugin }).plugin;
    plugins.set(moduleUrl, panelPlugin);
  }
  // The frame as the data source builds it, for both the panel and the baseline.
  const frame = frameFor(n);
  const container = document.createElement('div');
  document.body.replaceChildren(container);
  const root = createRoot(container);
  const Panel = panelPlugin.panel as React.ComponentType<PanelProps>;
  const range = getDefaultTimeRange();
  const props = {
    id: 1,
    data: { series: [frame], state: LoadingState.Done, timeRange: range },
    timeRange: range,
    timeZone: 'utc',
    options: {
      transpose: false,
      sortRows: 'name',
      sortColumns: 'name',
      rowFilter: '',
      columnFilter: '',
      showTotals: true,
      levels: 4,
      serviceEntryScope: 'namespace',
    },
    fieldConfig: { defaults: {}, overrides: [] },
    width: WIDTH,
    height: HEIGHT,
    replaceVariables: (s: string) => s,
  } as unknown as PanelProps;
  // Start from a collected heap: the garbage of building the frame here is the harness's, not the panel's.
  (window as unknown as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 500));
  const t0 = performance.now();
  flushSync(() =>
    root.render(
      <ThemeContext.Provider value={theme}>
        {mode === 'canvas' ? <Panel {...props} /> : <DomMatrix frame={frame} />}
      </ThemeContext.Provider>
    )
  );
  // flushSync commits and runs the effects of the first render; the rest is the browser painting it, and
  // whatever renders a layout pass (a legend measured late) asks for after it.
  const scriptMs = performance.now() - t0;
  // First paint is the first painted frame that holds the grid, checked on the canvas, not just a frame.
  let frames = 0;
  let firstPaintMs = NaN;
  while (frames < 60) {
    await nextPaint();
    frames++;
    const painted = performance.now() - t0;
    if (mode === 'dom' ? (container.firstChild?.childNodes.length ?? 0) > 0 : gridDrawn(container)) {
      firstPaintMs = painted;
      break;
    }
  }
  if (firstPaintMs > budgetMs) {
    root.unmount();
    return { cells: frame.length, firstPaintMs, frames, hoverMs: NaN, hoverPaintMs: NaN, scriptMs };
  }
  // Hover once the page has settled, as a user would: the first paint's raster work is not the hover's.
  await new Promise((r) => setTimeout(r, 100));
  // Hover a cell near the middle of what is drawn.
  const target =
    mode === 'canvas'
      ? container.querySelector('canvas')!
      : (container.firstChild!.childNodes[Math.floor(frame.length / 2)] as HTMLElement);
  const rect = target.getBoundingClientRect();
  const x = mode === 'canvas' ? rect.left + 180 + 100 : rect.left + 1;
  const y = mode === 'canvas' ? rect.top + 110 + 100 : rect.top + 1;
  const tooltip = () => document.querySelector('[data-testid="matrix-tooltip"]');
  const h0 = performance.now();
  const inDom = whenInDom(document.body, tooltip, budgetMs);
  target.dispatchEvent(
    new MouseEvent(mode === 'canvas' ? 'mousemove' : 'mouseover', { clientX: x, clientY: y, bubbles: true })
  );
  // In the DOM: the event handled, React rendered and committed. Painted: the browser's next frame too,
  // which the 60 Hz frame clock quantizes, whatever the panel does.
  const hoverMs = (await inDom) - h0;
  await nextPaint();
  const hoverPaintMs = Number.isNaN(hoverMs) ? NaN : performance.now() - h0;
  root.unmount();
  return { cells: frame.length, firstPaintMs, frames, hoverMs, hoverPaintMs, scriptMs };
}

registerShared();
(window as unknown as { __bench: unknown }).__bench = { run };
