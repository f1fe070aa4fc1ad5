import { importSeries, startVictoriaMetrics } from '../../harness/victoriaMetrics';
import { demoGrid, demoSeries, TEST_END } from '../../harness/synthetic/mesh';

/** A VictoriaMetrics loaded with the demo mesh (as Prometheus is) for one test file; returns its URL. */
export function loadedVictoriaMetrics(): () => string {
  let vm: Awaited<ReturnType<typeof startVictoriaMetrics>> | undefined;
  beforeAll(async () => {
    vm = await startVictoriaMetrics();
    await importSeries(vm.url, demoSeries(), demoGrid(TEST_END));
  }, 120_000);
  afterAll(async () => {
    await vm?.stop();
  });
  return () => vm!.url;
}
