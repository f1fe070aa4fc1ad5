import { TEST_END } from '../../harness/synthetic/mesh';
import { startDemoPrometheus } from '../../harness/demoMesh';
import { ENV_PROMETHEUS_BIN, requireBinary, requirePrometheus3 } from '../../harness/prometheus';
import { ENV_LEGACY_URL, ENV_URL, type TestState } from './state';

/**
 * The integration tests' Prometheus, loaded with the demo mesh ending at TEST_END: Prometheus 3 (what
 * users run; every Prometheus a test starts is this one), and Debian's 2.42 on a copy of the same blocks
 * for the tests that prove the oldest supported version still works.
 */
export default async function globalSetup(): Promise<void> {
  const legacy = requireBinary('prometheus');
  const prometheus3 = requirePrometheus3();
  process.env[ENV_PROMETHEUS_BIN] = prometheus3;
  const prom = await startDemoPrometheus(TEST_END, { binary: prometheus3, alsoBinary: legacy });
  process.env[ENV_URL] = prom.url;
  process.env[ENV_LEGACY_URL] = prom.also!.url;
  (globalThis as TestState).__istioEgressPrometheus = prom;
}
