import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';

/*
 * Child processes of the benchmarks: the fake upstream, the gateways and the
 * memory workers each get their own process (and event loop), so the load
 * generator never shares one with what it measures. Every child is tracked and
 * killed when the runner exits, however it exits.
 */

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of live) child.kill('SIGKILL');
      process.exit(130);
    });
  }
}

/** The absolute path of a file in bench/. */
export function benchFile(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

/** Options of `spawnChild`. */
export interface SpawnChildOptions {
  /** A label for error messages. */
  name: string;
  /** Arguments after `node` (flags, script, script arguments). */
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Open an IPC channel (for our own launchers). */
  ipc?: boolean;
}

/** A running child with its captured output tail. */
export interface RunningChild {
  process: ChildProcess;
  /** The last few KB of stdout and stderr, for error messages. */
  output(): string;
  /** Resolves with the exit code once the child has exited. */
  exited: Promise<number | null>;
  /** Sends a message over IPC and waits for the reply with the same id. */
  request<T>(message: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Waits for the first IPC message of `type`. */
  waitForMessage<T>(type: string, timeoutMs: number): Promise<T>;
  /** Asks politely (`stop` over IPC, else SIGTERM), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_TAIL = 8 * 1024;

/** Spawns `node ...args`, tracked for cleanup. */
export function spawnChild(options: SpawnChildOptions): RunningChild {
  installExitHook();
  const child = spawn(process.execPath, options.args, {
    env: { ...process.env, ...options.env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
  });

  function waitForMessage<T>(type: string, timeoutMs: number, id?: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        const candidate = message as { type?: string; id?: string; error?: string };
        if (candidate.type !== type || (id !== undefined && candidate.id !== id)) return;
        cleanup();
        if (candidate.error) reject(new Error(`${options.name}: ${candidate.error}`));
        else resolve(message as T);
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`${options.name} exited (code ${code}) before sending "${type}"\n${tail}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${options.name}: no "${type}" message within ${timeoutMs} ms\n${tail}`));
      }, timeoutMs);
      timer.unref();
      const cleanup = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  return {
    process: child,
    output: () => tail,
    exited,
    waitForMessage: (type, timeoutMs) => waitForMessage(type, timeoutMs),
    request<T>(message: Record<string, unknown>, timeoutMs = 10_000) {
      const id = randomUUID();
      const reply = waitForMessage<T>(`${String(message.type)}:reply`, timeoutMs, id);
      child.send({ ...message, id });
      return reply;
    },
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (options.ipc && child.connected) child.send({ type: 'stop' });
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      timer.unref();
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A free TCP port on 127.0.0.1 (for servers that must be told their port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until 127.0.0.1:`port` accepts a TCP connection, or fails after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, child?: RunningChild): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (child && child.process.exitCode !== null) throw new Error(`child exited before listening on ${port}\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms\n${child?.output() ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
