import type { RunningPrometheus } from '../../harness/prometheus';

export const ENV_URL = 'ISTIOEGRESS_TEST_PROMETHEUS_URL';
/** Debian's Prometheus 2.42 on the same blocks: the oldest version the product supports. */
export const ENV_LEGACY_URL = 'ISTIOEGRESS_TEST_PROMETHEUS2_URL';

export type TestState = typeof globalThis & { __istioEgressPrometheus?: RunningPrometheus & { workDir: string } };

/** The URL of Prometheus 2.42 (Debian's) that globalSetup started beside the main one. */
export function legacyPrometheusUrl(): string {
  const url = process.env[ENV_LEGACY_URL];
  if (!url) {
    throw new Error(
      `${ENV_LEGACY_URL} is not set: run integration tests through jest's integration project (npm test).`
    );
  }
  return url;
}

/** The URL of the Prometheus that globalSetup started: Prometheus 3, built by setup.sh --tools. */
export function prometheusUrl(): string {
  const url = process.env[ENV_URL];
  if (!url) {
    throw new Error(`${ENV_URL} is not set: run integration tests through jest's integration project (npm test).`);
  }
  return url;
}
