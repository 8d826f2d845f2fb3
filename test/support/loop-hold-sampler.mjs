// Loaded into a gateway process under test (NODE_OPTIONS=--import): measures how long the event
// loop is held by the process's own work. A timer ticks every 5 ms; when a tick comes late, the
// main thread's CPU time since the previous tick (capped by the delay) is the hold. Time spent
// descheduled on a loaded machine is not CPU time, so it does not count. The main thread's CPU
// time comes from /proc/self/task/PID/schedstat (nanoseconds, that thread only, not the GC and
// compiler threads); where that file is missing, from process.cpuUsage() (every thread: an
// overestimate). Holds over 20 ms are written to LOOP_HOLD_FILE.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const hasSchedstat = existsSync(SCHEDSTAT);
/** CPU time of the main thread (or the process), in milliseconds. */
function cpuNowMs() {
  if (hasSchedstat) return Number(readFileSync(SCHEDSTAT, 'latin1').split(' ')[0]) / 1e6;
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

const file = process.env.LOOP_HOLD_FILE;
const TICK_MS = 5;
let last = performance.now();
let lastCpu = cpuNowMs();
let maxHoldMs = 0;
/** Holds over 20 ms, with when they ended (epoch ms), for finding their cause. */
const holds = [];
const timer = setInterval(() => {
  const now = performance.now();
  const cpu = cpuNowMs();
  const lateMs = now - last - TICK_MS;
  const cpuMs = cpu - lastCpu;
  const holdMs = Math.max(0, Math.min(lateMs, cpuMs));
  if (holdMs > 20) holds.push({ at: performance.timeOrigin + now, holdMs, lateMs, cpuMs });
  if (holdMs > maxHoldMs || holdMs > 20) {
    maxHoldMs = Math.max(maxHoldMs, holdMs);
    if (file) writeFileSync(file, JSON.stringify({ maxHoldMs, holds }));
  }
  last = now;
  lastCpu = cpu;
}, TICK_MS);
timer.unref();
if (file) writeFileSync(file, JSON.stringify({ maxHoldMs: 0 }));
