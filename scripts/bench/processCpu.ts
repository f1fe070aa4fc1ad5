import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Linux's USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on every architecture Linux supports
 * (`man 5 proc`, "clock ticks"; sysconf(_SC_CLK_TCK)).
 */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user and system) the processes have used so far, from /proc: the same for Prometheus and
 * each Thanos component, and read without a request that would itself cost the process CPU.
 */
export function cpuSecondsOf(pids: ReadonlyArray<number | undefined>): number {
  let ticks = 0;
  for (const pid of pids) {
    if (pid === undefined) {
      continue;
    }
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, in parentheses): utime and stime are the 14th
    // and 15th of the whole line, the 12th and 13th after ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** The cores this machine has: CPU seconds over them are the least wall time they can take. */
export const CORES = os.cpus().length;
