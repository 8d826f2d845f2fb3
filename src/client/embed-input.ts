import type { DriverEmbedOptions, DriverV1 } from '../spec/driver.js';
import { SwitchyardError } from '../spec/errors.js';
import type { EmbedRequest } from '../spec/request.js';

const isTokenId = (value: unknown): boolean => Number.isInteger(value) && (value as number) >= 0;

function invalid(message: string): SwitchyardError {
  return new SwitchyardError({ code: 'invalid_request', status: 400, param: 'input', message: `input: ${message}` });
}

/**
 * An embeddings request's input as a driver takes it: texts, or token ids
 * (one array of ids is one input), checked for shape; plus its passthrough
 * fields. Token ids and passthrough fields need a driver that speaks
 * OpenAI's embeddings wire: any other refuses them here, with a 400 naming
 * the field and the provider, before any request.
 */
export function embedInputFor(request: EmbedRequest, driver: DriverV1, provider: string): Pick<DriverEmbedOptions, 'input' | 'tokenInput' | 'passthrough'> {
  const { input } = request;
  let texts: string[] = [];
  let tokenInput: number[][] | undefined;
  if (typeof input === 'string') texts = [input];
  else if (!Array.isArray(input) || input.length === 0) throw invalid('must be a string or a non-empty array of strings or of token ids');
  else if (input.every((item) => typeof item === 'string')) texts = input as string[];
  else if (input.every(isTokenId)) tokenInput = [input as number[]];
  else if (input.every((item) => Array.isArray(item) && item.length > 0 && item.every(isTokenId))) tokenInput = input as number[][];
  else throw invalid('must be strings, an array of token ids (non-negative integers), or arrays of them, not a mix');
  const passthrough = request.passthrough !== undefined && Object.keys(request.passthrough).length > 0 ? request.passthrough : undefined;
  if (driver.embedWire !== 'openai') {
    const field = tokenInput !== undefined ? 'input' : passthrough !== undefined ? Object.keys(passthrough)[0] : undefined;
    if (field !== undefined) {
      const what = field === 'input' ? 'token ids as input' : `the field "${field}"`;
      throw new SwitchyardError({ code: 'unsupported', status: 400, provider, param: field, message: `provider "${provider}" cannot embed with ${what}: only OpenAI-type providers take it` });
    }
  }
  return { input: texts, ...(tokenInput !== undefined ? { tokenInput } : {}), ...(passthrough !== undefined ? { passthrough } : {}) };
}
