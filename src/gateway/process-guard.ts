import type { SwitchyardLogger } from '../observability/logger.js';
import { sanitizeForLog } from '../observability/redaction.js';

/** A process-level guard: what it has caught, and how to take it off. */
export interface ProcessGuard {
  /** Errors caught since it was installed (uncaught exceptions plus unhandled rejections). */
  caught(): number;
  /** Removes the process listeners. Idempotent. */
  remove(): void;
}

/**
 * Keeps one request's bug from ending the process: an uncaught exception or
 * an unhandled promise rejection is logged (as an error, secrets scrubbed,
 * message content left out) and counted through `onCaught`, and the process
 * goes on serving. Without it Node exits on either. The gateway's own
 * routes already turn thrown errors into API errors; this is the net under
 * timers, stream callbacks and other code outside a request's promise chain.
 */
export function installProcessGuard(logger: SwitchyardLogger, onCaught: (kind: 'exception' | 'rejection') => void = () => undefined): ProcessGuard {
  let count = 0;
  const record = (kind: 'exception' | 'rejection', error: unknown): void => {
    count++;
    onCaught(kind);
    try {
      logger.error({ err: sanitizeForLog(error, { includeContent: false }), kind }, `process guard: uncaught ${kind} (the gateway keeps running)`);
    } catch {
      process.stderr.write(`switchyard: process guard: uncaught ${kind}\n`);
    }
  };
  const onException = (error: unknown): void => record('exception', error);
  const onRejection = (reason: unknown): void => record('rejection', reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  let removed = false;
  return {
    caught: () => count,
    remove() {
      if (removed) return;
      removed = true;
      process.off('uncaughtException', onException);
      process.off('unhandledRejection', onRejection);
    },
  };
}
