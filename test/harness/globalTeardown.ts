import { rmSync } from 'node:fs';
import type { TestState } from './state';

export default async function globalTeardown(): Promise<void> {
  const prom = (globalThis as TestState).__istioEgressPrometheus;
  if (prom) {
    await prom.stop();
    rmSync(prom.workDir, { recursive: true, force: true });
  }
}
