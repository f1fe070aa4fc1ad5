import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * kubectl's YAML reading: test/tools/kubectl-yaml is apimachinery's YAMLReader and sigs.k8s.io/yaml
 * (go-yaml, YAML 1.1), built from the Go module registry. Call `build()` in beforeAll, `close()` after.
 */
export function kubectlYaml() {
  let dir = '';
  let bin = '';
  return {
    async build(): Promise<void> {
      dir = mkdtempSync(path.join(os.tmpdir(), 'kubectl-yaml-'));
      bin = path.join(dir, 'kubectl-yaml');
      try {
        await promisify(execFile)('go', ['build', '-o', bin, '.'], {
          cwd: path.join(__dirname, '..', 'tools', 'kubectl-yaml'),
          timeout: 240_000,
        });
      } catch (err) {
        throw new Error(`Could not build test/tools/kubectl-yaml (needs Go and the Go module proxy): ${String(err)}`);
      }
    },
    /** The documents of a YAML stream as kubectl reads them, as JSON values. */
    parse<T = unknown>(yamlText: string): T[] {
      return JSON.parse(execFileSync(bin, { input: yamlText }).toString());
    },
    close(): void {
      if (dir) {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
