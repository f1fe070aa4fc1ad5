import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TOOLS_BIN } from '../../harness/victoriaMetrics';

const run = promisify(execFile);

/**
 * Istio's own validation (`istioctl validate -f`, offline: the same validators istiod's webhook runs),
 * from the istioctl that `scripts/setup.sh --tools` builds from the Go module registry.
 */
export function istioctlValidator() {
  const bin = process.env.ISTIOCTL_BIN ?? path.join(TOOLS_BIN, 'istioctl');
  const dir = mkdtempSync(path.join(tmpdir(), 'istioctl-'));
  let n = 0;
  return {
    async validate(yaml: string): Promise<{ ok: boolean; output: string }> {
      if (!existsSync(bin)) {
        throw new Error(
          'istioctl is not built. Run: bash scripts/setup.sh --tools (it go-installs the pinned version)'
        );
      }
      const file = path.join(dir, `doc-${++n}.yaml`);
      writeFileSync(file, yaml);
      try {
        const { stdout, stderr } = await run(bin, ['validate', '-f', file], { env: { HOME: dir, PATH: '' } });
        return { ok: true, output: `${stdout}${stderr}` };
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
      }
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
