/**
 * `npm run screenshots`: the catalog screenshots (src/img/, listed in src/plugin.json), taken from the
 * built plugin on the local host over the demo mesh, in Debian chromium. Look at them before committing.
 */
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startDemoPrometheus } from '../harness/demoMesh';
import { startHost } from '../harness/host/server';
import { CHROMIUM_ARGS } from '../test/integration/browser';
import type { GridGeometry } from '../src/panel/model/matrix';
import { TEST_END } from '../harness/synthetic/mesh';

const OUT = path.join(__dirname, '..', 'src', 'img');

(async () => {
  const prom = await startDemoPrometheus(TEST_END, { fixtures: false });
  const host = await startHost({ prometheusUrl: prom.url, range: { from: TEST_END - 3600, to: TEST_END } });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    for (const theme of ['dark', 'light']) {
      const page = await browser.newPage({ viewport: { width: 1000, height: 560 }, deviceScaleFactor: 1 });
      const vars = 'var-cluster=demo-1&var-namespace=shop&var-namespace=data&var-namespace=legacy';
      await page.goto(`${host.url}/?theme=${theme}&width=960&height=470&${vars}`);
      await page.waitForFunction(() => window.__host?.ready === true, null, { timeout: 30_000 });
      const box = (await page.locator('[data-testid="matrix-canvas"]').boundingBox())!;
      // The blocked pair legacy/batch → evil.example.net (third column, third row) with its tooltip.
      const canvas = page.locator('[data-testid="matrix-canvas"]');
      const g = JSON.parse((await canvas.getAttribute('data-geometry')) ?? '{}') as GridGeometry;
      await page.mouse.move(box.x + g.x0 + g.cellW * 2.5, box.y + g.y0 + g.cellH * 2.5);
      // The hover tooltip is in the picture: wait for it, not for a time.
      await page.getByTestId('matrix-tooltip-hover').waitFor({ timeout: 10_000 });
      const file = path.join(OUT, `screenshot-matrix-${theme}.png`);
      await page.locator('#panel-chrome').screenshot({ path: file });
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
      await page.close();
    }
  } finally {
    await browser.close();
    await host.close();
    await prom.stop();
  }
})().catch((err: unknown) => {
  console.error(`screenshots failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
