/**
 * Two builds of the panel side by side: `BENCH_BASE=<a built panel module.js>` (say, the previous commit's
 * dist/panel/module.js, copied aside) against this tree's dist/panel/module.js, in one browser, renders
 * alternating (which goes first alternates too), BENCH_RUNS each (30) per size in BENCH_SIZES (10000).
 * The panel bench's figures move by a few ms from one invocation to the next on a shared machine; two
 * builds measured in the same minutes by the same browser differ by what the change did. Prints trimmed
 * means (the middle half) of first paint and script per build, and the change's difference.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openBenchPage } from './panel/page';

const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : [10_000];
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const BUDGET_MS = 20_000;

/** The mean of the middle half: a render in a few lands in a collection or slower code. */
function trimmedMean(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const k = Math.floor(sorted.length / 4);
  const middle = sorted.slice(k, sorted.length - k);
  return middle.reduce((a, b) => a + b, 0) / middle.length;
}

export async function benchPanelAb(): Promise<void> {
  const base = process.env.BENCH_BASE;
  if (!base) {
    throw new Error(
      'panel-ab needs BENCH_BASE=<path to a built panel module.js> to compare with dist/panel/module.js, e.g. ' +
        'git stash && npm run build && cp dist/panel/module.js /tmp/base.js && git stash pop && npm run build'
    );
  }
  const root = path.join(__dirname, '..', '..');
  const builds = {
    base: { url: '/ab/base/module.js', body: readFileSync(base, 'utf8') },
    tree: { url: '/ab/tree/module.js', body: readFileSync(path.join(root, 'dist/panel/module.js'), 'utf8') },
  };
  const { render, close } = await openBenchPage(
    Object.fromEntries(Object.values(builds).map((b) => [b.url, { type: 'text/javascript', body: b.body }]))
  );
  try {
    console.log(`panel A/B: ${base} (base) against dist/panel/module.js (tree), ${RUNS} renders each, alternating`);
    for (const n of SIZES) {
      const paint = { base: [] as number[], tree: [] as number[] };
      const script = { base: [] as number[], tree: [] as number[] };
      // One render of each first: loading and compiling the modules is not a render's.
      for (let i = -1; i < RUNS; i++) {
        for (const name of i % 2 === 0 ? (['base', 'tree'] as const) : (['tree', 'base'] as const)) {
          const r = await render(n, 'canvas', BUDGET_MS, builds[name].url);
          if (i >= 0) {
            paint[name].push(r.firstPaintMs);
            script[name].push(r.scriptMs);
          }
        }
      }
      const line = (what: string, xs: { base: number[]; tree: number[] }) => {
        const [b, t] = [trimmedMean(xs.base), trimmedMean(xs.tree)];
        return `${what} ${b.toFixed(1)} → ${t.toFixed(1)} ms (${t - b >= 0 ? '+' : ''}${(t - b).toFixed(1)})`;
      };
      console.log(`  ${n} cells: ${line('first paint', paint)}; ${line('script', script)}`);
    }
  } finally {
    await close();
  }
}
