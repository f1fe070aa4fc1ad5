/**
 * `npm run bench -- soak`: the overview dashboard on auto-refresh every 5 s for 10 minutes in Chromium, on
 * the 10k-series mesh over the last 24 h (a range users leave on a wall screen), the range moving on with
 * the clock as a relative range does. Every refresh must complete (none failed, none still running beyond
 * the next one: no queue of runs grows), and the JS heap after a garbage collection at the end must stay
 * within 1.2x of its size after the first minute. BENCH_SOAK_MINUTES shortens it for a quick look.
 */
import type { Page } from 'playwright-core';
import { startHost } from '../../harness/host/server';
import { TEST_END } from '../../harness/synthetic/mesh';
import { onBenchMesh } from './benchMesh';

const INTERVAL = 30;
const REFRESH_SECONDS = 5;
const MINUTES = Number(process.env.BENCH_SOAK_MINUTES ?? 10);

type Soak = { started: number; completed: number; failed: number; inFlight: number; lastError: string };

/** The page's JS heap after a full garbage collection (Chrome DevTools Protocol), in MB. */
async function heapMb(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return usedSize / 1e6;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchSoak(): Promise<void> {
  await onBenchMesh({ series: 10_000, days: 2, intervalSeconds: INTERVAL }, async ({ prom, browser }) => {
    // The range ends MINUTES before the data does, so every refresh still reads a full day of it.
    const to = TEST_END - MINUTES * 60;
    const host = await startHost({
      prometheusUrl: prom.url,
      range: { from: to - 86400, to },
      jsonData: { timeInterval: `${INTERVAL}s` },
    });
    const page = await browser.newPage({ viewport: { width: 1220, height: 1250 } });
    try {
      await page.goto(`${host.url}/dashboard.html?from=${to - 86400}&to=${to}&refresh=${REFRESH_SECONDS}`);
      await page.waitForFunction(() => window.__dash?.ready === true, null, { timeout: 120_000 });
      const soak = () => page.evaluate(() => window.__soak as Soak);
      await sleep(60_000);
      const firstMinute = await heapMb(page);
      let mostInFlight = 0;
      const until = Date.now() + (MINUTES - 1) * 60_000;
      while (Date.now() < until) {
        await sleep(REFRESH_SECONDS * 1000);
        mostInFlight = Math.max(mostInFlight, (await soak()).inFlight);
      }
      // Let the last refresh finish before counting.
      await page.waitForFunction(() => (window.__soak?.inFlight ?? 1) === 0, null, { timeout: 60_000 });
      const end = await soak();
      const last = await heapMb(page);
      console.log(
        `soak bench: ${MINUTES} min at a ${REFRESH_SECONDS} s refresh, 10k series over 24 h: ${end.started} refreshes, ${end.completed} completed, ${end.failed} failed${end.lastError ? ` (${end.lastError})` : ''}; at most ${mostInFlight} running at once`
      );
      console.log(
        `  JS heap after GC: ${firstMinute.toFixed(1)} MB after the first minute, ${last.toFixed(1)} MB at the end (x${(last / firstMinute).toFixed(2)})`
      );
      // The clock keeps refreshing while this reads: a run just started is still running, not lost.
      const ok =
        end.failed === 0 &&
        end.completed + end.inFlight === end.started &&
        mostInFlight <= 2 &&
        last <= 1.2 * firstMinute;
      console.log(
        `bench soak ${ok ? 'ok' : 'FAILED'}: ${end.completed}/${end.started} refreshes completed, at most ${mostInFlight} at once, heap x${(last / firstMinute).toFixed(2)} (limit 1.2)`
      );
      if (!ok) {
        process.exitCode = 1;
      }
    } finally {
      await page.close();
      await host.close();
    }
  });
}
