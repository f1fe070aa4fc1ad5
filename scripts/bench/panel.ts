/**
 * Panel speed in headless Chromium on this machine: frame-to-first-paint and hover-to-tooltip for
 * 10k, 100k and 1M cells, the built canvas panel against a one-DOM-element-per-cell baseline, side by
 * side in one run (ratios against the canvas panel). Also the built panel module's gzipped size.
 *
 * Frames are built in the page by the data source's own matrixFrame(). Each render starts from a
 * collected heap (Chromium runs with --expose-gc), so the garbage of building the frame is not billed
 * to the panel; first paint is timed to just after the first painted frame whose canvas holds the grid
 * (checked on its pixels: a panel that measures its legend late draws the grid a frame after it), and
 * the number of frames that took is printed. Medians (RUNS): V8 tiers a function up while it runs, and
 * one render in a few lands in slower code. The collection also drops the panel's compiled code, so
 * every render runs as a panel does the first time after one: cold.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { openBenchPage, type RenderResult } from './panel/page';

const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : [10_000, 100_000, 1_000_000];
const BUDGET_MS = 20_000;
/**
 * Renders per size: the canvas panel's first paint varies by a few ms between renders (where its task
 * ends relative to the compositor's next frame, collections), so its median takes 9; the DOM baseline,
 * seconds a render at 1M, takes 5.
 */
const RUNS = { canvas: 9, dom: 5 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchPanel(): Promise<void> {
  const root = path.join(__dirname, '..', '..');
  const module = readFileSync(path.join(root, 'dist/panel/module.js'));
  console.log(
    `panel bench: dist/panel/module.js ${(module.length / 1024).toFixed(1)} KiB, gzipped ${(gzipSync(module).length / 1024).toFixed(1)} KiB`
  );
  const { browser, tab, render, close } = await openBenchPage();
  try {
    const measure = async (n: number, mode: 'canvas' | 'dom'): Promise<RenderResult | undefined> => {
      const runs: RenderResult[] = [];
      for (let i = 0; i < RUNS[mode]; i++) {
        try {
          // BENCH_TRACE=<dir>: a Chromium trace of each size's last canvas run (open it in chrome://tracing or
          // Perfetto): where first paint goes between script, React's passes, raster and the frame.
          const trace = process.env.BENCH_TRACE && mode === 'canvas' && i === RUNS.canvas - 1;
          if (trace) {
            await browser.startTracing(tab, {
              path: path.join(process.env.BENCH_TRACE!, `panel-${n}.json`),
              categories: [
                'devtools.timeline',
                'disabled-by-default-devtools.timeline',
                'disabled-by-default-v8.cpu_profiler',
              ],
            });
          }
          const r = await render(n, mode, BUDGET_MS);
          if (trace) {
            await browser.stopTracing();
          }
          runs.push(r);
          if (process.env.BENCH_VERBOSE) {
            console.log(
              `    ${mode} ${n} run ${i + 1}: paint ${r.firstPaintMs.toFixed(1)} ms (script ${r.scriptMs.toFixed(1)}, ${r.frames} frames), hover ${r.hoverMs.toFixed(1)} ms (painted ${r.hoverPaintMs.toFixed(1)})`
            );
          }
          if (r.firstPaintMs > BUDGET_MS) {
            break;
          }
        } catch (err) {
          console.log(
            `  ${mode} ${n}: the page failed (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`
          );
          return undefined;
        }
      }
      return {
        cells: runs[0].cells,
        firstPaintMs: median(runs.map((r) => r.firstPaintMs)),
        frames: median(runs.map((r) => r.frames)),
        hoverMs: median(runs.map((r) => r.hoverMs)),
        hoverPaintMs: median(runs.map((r) => r.hoverPaintMs)),
        scriptMs: median(runs.map((r) => r.scriptMs)),
      };
    };
    console.log(
      `  median of ${RUNS.canvas} renders (DOM: ${RUNS.dom}); targets: 1M cells first paint < 250 ms, hover < 16 ms; budget per run ${BUDGET_MS / 1000} s`
    );
    console.log(
      '  hover: mouse event to tooltip in the DOM (painted: to the next frame, which the 60 Hz frame clock quantizes)'
    );
    console.log(
      '  cells      canvas paint (script, frames)  canvas hover (painted)  DOM paint     DOM hover (painted)  paint DOM/canvas  painted hover DOM/canvas'
    );
    let domGaveUp = false;
    for (const n of SIZES) {
      const canvas = await measure(n, 'canvas');
      const dom = domGaveUp ? undefined : await measure(n, 'dom');
      if (!dom || dom.firstPaintMs > BUDGET_MS || Number.isNaN(dom.hoverMs)) {
        domGaveUp = true;
      }
      const ms = (v: number | undefined) =>
        v === undefined || Number.isNaN(v) ? 'over budget'.padStart(12) : `${v.toFixed(1)} ms`.padStart(12);
      const ratio = (a?: number, b?: number) =>
        a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b)
          ? '-'.padStart(16)
          : `x${(a / b).toFixed(1)}`.padStart(16);
      console.log(
        `  ${String(canvas?.cells ?? n).padEnd(9)} ${ms(canvas?.firstPaintMs)} ${canvas ? `(${canvas.scriptMs.toFixed(0)}, ${canvas.frames}f)`.padStart(16) : ''.padStart(16)}  ${ms(canvas?.hoverMs)} ${canvas ? `(${canvas.hoverPaintMs.toFixed(0)})`.padStart(8) : ''.padStart(8)}  ${dom ? ms(dom.firstPaintMs) : 'not run'.padStart(12)}  ${dom ? ms(dom.hoverMs) : 'not run'.padStart(12)} ${dom && !Number.isNaN(dom.hoverPaintMs) ? `(${dom.hoverPaintMs.toFixed(0)})`.padStart(8) : ''.padStart(8)}  ${ratio(dom?.firstPaintMs, canvas?.firstPaintMs)}  ${ratio(dom?.hoverPaintMs, canvas?.hoverPaintMs)}`
      );
    }
  } finally {
    await close();
  }
}
