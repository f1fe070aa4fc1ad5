import type { RunningPrometheus } from '../../harness/prometheus';

export const ENV_URL = 'ISTIOEGRESS_TEST_PROMETHEUS_URL';

export type TestState = typeof globalThis & { __istioEgressPrometheus?: RunningPrometheus & { workDir: string } };

/** The URL of the Prometheus that globalSetup started. */
export function prometheusUrl(): string {
  const url = process.env[ENV_URL];
  if (!url) {
    throw new Error(`${ENV_URL} is not set: run integration tests through jest's integration project (npm test).`);
  }
  return url;
}
