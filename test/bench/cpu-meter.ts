import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** CPU time, in milliseconds, that the watched processes have used so far. */
export type CpuMeter = () => number;

/** Clock ticks per second of /proc/<pid>/stat on Linux (USER_HZ, 100 on every architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/** utime + stime of one process (its threads included), in ticks; 0 when it is gone. */
function ticksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at state: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** PostgreSQL backends serving `database` on this machine (their title names the database). */
function backendsOf(database: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (title.startsWith('postgres: ') && title.includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      // The process ended while the directory was read.
    }
  }
  return pids;
}

/**
 * A meter of the CPU the servers under test use: the given child processes (every thread, the libuv
 * pool's too) and, on PostgreSQL, the backends of the bench's database, which are found anew at each
 * reading since connections come and go. The bench reads it before and after each measured run; one side
 * runs at a time, so the difference is that side's. Null where there is no /proc (not Linux).
 */
export function createCpuMeter(pids: () => readonly number[], database: string | null): CpuMeter | null {
  if (!existsSync('/proc/self/stat')) return null;
  return () => {
    const watched = [...pids(), ...(database ? backendsOf(database) : [])];
    return (watched.reduce((total, pid) => total + ticksOf(pid), 0) * 1000) / TICKS_PER_SECOND;
  };
}
