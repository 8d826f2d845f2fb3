import { SwitchyardError } from '../spec/errors.js';

/** Writes one line to stdout. */
export function printLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Writes a JSON document to stdout as the only output. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A CLI failure message: the error's own words, with its code; never a stack trace. */
export function describeError(error: unknown): string {
  if (SwitchyardError.is(error)) return `${error.message} [${error.code}]`;
  return error instanceof Error ? error.message : String(error);
}
