import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import type { ObservabilityProfile } from './profile.js';
import { errorLogMessage, sanitizeForLog, scrubSecrets } from './redaction.js';

/** The Switchyard logger: a pino logger whose output is always sanitized. */
export type SwitchyardLogger = Logger;

/** A log level, or `silent`. */
export type LogLevel = LevelWithSilent;

/** Default level per profile: production `warn`, development `debug`, test `error` (quiet; override with `level`). */
export const DEFAULT_LOG_LEVELS: Readonly<Record<ObservabilityProfile, LogLevel>> = {
  production: 'warn',
  development: 'debug',
  test: 'error',
};

/** Whether message content is logged by default: only in development. */
export const DEFAULT_INCLUDE_CONTENT: Readonly<Record<ObservabilityProfile, boolean>> = {
  production: false,
  development: true,
  test: false,
};

/** Options of `createLogger`. */
export interface LoggerOptions {
  profile: ObservabilityProfile;
  /** Overrides the profile's level. */
  level?: LogLevel;
  /** Log prompts, completions and error messages. Default: on in development only. Secrets are redacted either way. */
  includeContent?: boolean;
  /** Where JSON lines go; anything with `write(line)`. Default: stderr (stdout stays free for `--json` output). */
  destination?: DestinationStream;
  /** The `name` field of every line. Default `switchyard`. */
  name?: string;
  /** Extra fields on every line (for example `{ instance }`). */
  base?: Record<string, unknown>;
}

/**
 * Creates the pino logger. Every merged object and child binding passes
 * through `sanitizeForLog`: authorization, x-api-key, apiKey, api_key and any
 * key-like field are redacted, credential-shaped strings are scrubbed, and
 * without `includeContent` message content and error messages stay out.
 * `logger.error(error)` logs the error's code instead of its raw message.
 * Use `logger.child({ requestId })` for per-request loggers.
 */
export function createLogger(options: LoggerOptions): SwitchyardLogger {
  const includeContent = options.includeContent ?? DEFAULT_INCLUDE_CONTENT[options.profile];
  const level = options.level ?? DEFAULT_LOG_LEVELS[options.profile];
  const sanitizeOptions = { includeContent };
  const destination = options.destination ?? pino.destination({ dest: 2, sync: true });
  const logger = pino(
    {
      name: options.name ?? 'switchyard',
      level,
      base: options.base === undefined ? { pid: process.pid } : { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        bindings: (bindings) => sanitizeForLog(bindings, sanitizeOptions) as Record<string, unknown>,
        log: (object) => sanitizeForLog(object, sanitizeOptions) as Record<string, unknown>,
      },
      serializers: {
        // Errors were already turned into safe objects by the log formatter.
        err: (value: unknown) => value,
        // The message itself: scrub credential-shaped text that a caller interpolated.
        msg: (message: unknown) => (typeof message === 'string' ? scrubSecrets(message) : message),
      },
      hooks: {
        logMethod(args, method) {
          const [first, second] = args as unknown[];
          // pino would copy an error's raw message into `msg`; give it a safe message instead.
          if (first instanceof Error) {
            const message = typeof second === 'string' ? second : errorLogMessage(first, includeContent);
            return method.apply(this, [{ err: first }, message, ...args.slice(2)] as Parameters<typeof method>);
          }
          if (typeof first === 'object' && first !== null && typeof second !== 'string') {
            const error = (first as { err?: unknown }).err;
            if (error !== undefined) {
              return method.apply(this, [first, errorLogMessage(error, includeContent), ...args.slice(2)] as Parameters<typeof method>);
            }
          }
          return method.apply(this, args);
        },
      },
    },
    destination,
  );
  // pino formats only the root's bindings; children (created with Object.create, so they
  // inherit this override) get theirs sanitized here.
  const originalChild = logger.child;
  logger.child = function child(this: Logger, bindings, childOptions) {
    return originalChild.call(this, sanitizeForLog(bindings, sanitizeOptions) as typeof bindings, childOptions);
  } as typeof logger.child;
  return logger;
}

/** A destination that keeps each JSON line in memory: for tests and the CLI's captured output. */
export interface MemoryDestination extends DestinationStream {
  /** The raw lines written so far. */
  readonly lines: string[];
  /** The lines parsed as objects. */
  records(): Array<Record<string, unknown>>;
  clear(): void;
}

/** Creates an in-memory log destination. */
export function createMemoryDestination(): MemoryDestination {
  const lines: string[] = [];
  return {
    lines,
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line.length > 0) lines.push(line);
    },
    records() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    clear() {
      lines.length = 0;
    },
  };
}
