import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { bundleBrowserScript, startHost } from '../../../harness/host/server';
import { CHROMIUM_ARGS } from '../../../test/integration/browser';

/**
 * What a panel bench page's `run` returns (client.tsx). scriptMs: the part of first paint spent in script
 * (render, model, drawing calls), before the browser paints. hoverMs: mouse event to tooltip in the DOM;
 * hoverPaintMs: to the frame that shows it.
 */
export interface RenderResult {
  cells: number;
  firstPaintMs: number;
  /** Painted frames up to and including the first that holds the grid (1: the grid is in the first frame). */
  frames: number;
  hoverMs: number;
  hoverPaintMs: number;
  scriptMs: number;
}

/**
 * The panel bench's page in headless Chromium (collections allowed, client.tsx loaded), served with
 * `extraRoutes` beside it (a second build of the panel, for the A/B bench). `render` runs one render in
 * the page; `close` stops the browser and the host.
 */
export async function openBenchPage(extraRoutes: Record<string, { type: string; body: string }> = {}): Promise<{
  browser: Browser;
  tab: Page;
  render: (cells: number, mode: 'canvas' | 'dom', budgetMs: number, moduleUrl?: string) => Promise<RenderResult>;
  close: () => Promise<void>;
}> {
  const script = await bundleBrowserScript(path.join(__dirname, 'client.tsx'));
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title><script src="/vendor/system.min.js"></script>
<script>window.grafanaBootData = { settings: { buildInfo: { version: '12.4.10' }, featureToggles: {} }, user: {}, navTree: [] };</script></head>
<body><script src="/bench.js"></script><script src="/vendor/amd.min.js"></script></body></html>`;
  const host = await startHost({
    prometheusUrl: 'http://127.0.0.1:9',
    range: { from: 0, to: 1 },
    extraRoutes: {
      ...extraRoutes,
      '/bench': { type: 'text/html', body: page },
      '/bench.js': { type: 'text/javascript', body: script },
    },
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--js-flags=--expose-gc', ...CHROMIUM_ARGS],
  });
  const tab = await browser.newPage({ viewport: { width: 1300, height: 800 } });
  tab.on('pageerror', (e) => console.log(`  page error: ${e.message}`));
  await tab.goto(`${host.url}/bench`);
  await tab.waitForFunction(() => 'run' in ((window as unknown as { __bench?: object }).__bench ?? {}));
  type Run = (a: number, b: string, c: number, d?: string) => Promise<RenderResult>;
  return {
    browser,
    tab,
    render: (cells, mode, budgetMs, moduleUrl) =>
      tab.evaluate(
        ([n, m, budget, url]) =>
          (window as unknown as { __bench: { run: Run } }).__bench.run(
            n as number,
            m as string,
            budget as number,
            (url as string | null) ?? undefined
          ),
        [cells, mode, budgetMs, moduleUrl ?? null] as const
      ),
    close: async () => {
      await browser.close();
      await host.close();
    },
  };
}
