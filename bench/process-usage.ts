import { readFile } from 'node:fs/promises';

/*
 * CPU time and peak memory of a child process, read from /proc (Linux). The
 * gateway suite divides CPU time by requests served: a figure that holds even
 * when the machine is shared, unlike req/s.
 */

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) used so far by `pid`, or undefined when /proc is not there. */
export async function cpuSeconds(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const userTicks = Number(fields[11]);
    const systemTicks = Number(fields[12]);
    return (userTicks + systemTicks) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Peak resident set size of `pid` in bytes (VmHWM), or undefined when /proc is not there. */
export async function peakRssBytes(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
