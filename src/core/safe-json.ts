import { SwitchyardError } from '../spec/errors.js';

/** How much of a bad payload is quoted in an error message. */
const SNIPPET_LENGTH = 120;

/**
 * Parses JSON received from the network. A syntax error becomes a
 * SwitchyardError with code `invalid_response` naming `context` (for example
 * "openai chat completion") and quoting the start of the payload, so a bad
 * upstream never surfaces as a bare `SyntaxError`.
 */
export function parseJson(text: string, context: string, provider?: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SwitchyardError({
      code: 'invalid_response',
      message: `Invalid JSON in ${context}: ${(error as Error).message} (received: ${quote(text)})`,
      provider,
      cause: error,
    });
  }
}

/** Quotes the start of a payload for an error message, marking truncation. */
export function quote(text: string, length = SNIPPET_LENGTH): string {
  const shown = text.length > length ? `${text.slice(0, length)}…` : text;
  return JSON.stringify(shown);
}
