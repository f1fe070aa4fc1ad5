/** `npm run bench`: every benchmark, each printing its figures as ratios against a baseline run in the same process. */
import { benchDashboard } from './dashboard';
import { benchPanel } from './panel';
import { benchPanelAb } from './panelAb';
import { benchQueries } from './queries';
import { benchSoak } from './soak';
import { benchViewers } from './viewers';

const only = process.argv[2];
const benches: Record<string, () => Promise<void>> = {
  panel: benchPanel,
  queries: benchQueries,
  dashboard: benchDashboard,
  viewers: benchViewers,
  soak: benchSoak,
};

/** Run by name only: two builds of the panel side by side (panelAb.ts), for judging a change. */
const byNameOnly: Record<string, () => Promise<void>> = { 'panel-ab': benchPanelAb };

(async () => {
  if (only && byNameOnly[only]) {
    await byNameOnly[only]();
    return;
  }
  for (const [name, run] of Object.entries(benches)) {
    if (!only || only === name) {
      await run();
    }
  }
})().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
