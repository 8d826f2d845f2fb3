import { SwitchyardError } from '../spec/errors.js';
import { parseJson } from './safe-json.js';

/**
 * Tool-call arguments (the JSON string of the spec) as the object that
 * Anthropic, Gemini and Ollama want; an empty string means `{}`. Anything but
 * a JSON object is an `invalid_request` naming `param`.
 */
export function parseToolArguments(text: string, param: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = parseJson(text, param);
  } catch {
    throw new SwitchyardError({ code: 'invalid_request', status: 400, message: `${param} is not valid JSON, got ${JSON.stringify(text.slice(0, 80))}`, param });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SwitchyardError({ code: 'invalid_request', status: 400, message: `${param} must be a JSON object, got ${JSON.stringify(text.slice(0, 80))}`, param });
  }
  return value as Record<string, unknown>;
}
