import { TEST_END } from '../../harness/synthetic/mesh';
import { startDemoPrometheus } from '../../harness/demoMesh';
import { ENV_URL, type TestState } from './state';

/** One real Prometheus, loaded with the demo mesh ending at TEST_END, for every integration test. */
export default async function globalSetup(): Promise<void> {
  const prom = await startDemoPrometheus(TEST_END);
  process.env[ENV_URL] = prom.url;
  (globalThis as TestState).__istioEgressPrometheus = prom;
}
