import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const BIN = path.join(__dirname, '..', '..', 'bin', 'istio-egress.js');
const run = promisify(execFile);

/** Runs the built CLI as a user would; a non-zero exit is a result, not a throw. */
export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliWithEnv({}, ...args);
}

/** The CLI with extra environment variables (credentials), the rest of the environment left out. */
export async function cliWithEnv(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
