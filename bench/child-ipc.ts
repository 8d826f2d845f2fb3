import { parseJson } from '../src/core/safe-json.js';

/*
 * The child side of the launchers' IPC: a ready message, request handlers
 * answered as `<type>:reply` with the same id, and `stop`, which closes
 * cleanly and exits (so `--cpu-prof` gets to write its profile).
 */

type Handler = (message: Record<string, unknown>) => unknown;

/** Sends a message to the parent (no-op without IPC, e.g. run by hand). */
export function sendToParent(message: Record<string, unknown>): void {
  if (process.send) process.send(message);
  else console.log(JSON.stringify(message));
}

/** Answers the parent's requests with `handlers` and runs `close` then exits on `stop` (or SIGTERM). */
export function serveParent(handlers: Record<string, Handler>, close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    close()
      .catch((error: unknown) => console.error('close failed:', error))
      .finally(() => process.exit(0));
  };
  process.on('message', (raw: unknown) => {
    const message = raw as Record<string, unknown> & { type?: string; id?: string };
    if (message.type === 'stop') return stop();
    const handler = message.type ? handlers[message.type] : undefined;
    if (!handler) return;
    Promise.resolve()
      .then(() => handler(message))
      .then(
        (value) => sendToParent({ type: `${message.type}:reply`, id: message.id, value }),
        (error: unknown) => sendToParent({ type: `${message.type}:reply`, id: message.id, error: String(error) }),
      );
  });
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // The parent going away (even by SIGKILL) closes the channel: never outlive it.
  process.once('disconnect', stop);
}

/** The JSON options passed as `argv[2]`, or `{}`. */
export function launcherOptions<T>(): T {
  const text = process.argv[2];
  return (text ? parseJson(text, 'launcher options') : {}) as T;
}
