import type { FastifyRequest } from 'fastify';
import { resolveTargets } from '../client/model-resolver.js';
import type { Switchyard } from '../client/types.js';
import { SwitchyardError } from '../spec/errors.js';
import type { ChatResponse } from '../spec/response.js';
import { fromOpenAIChatRequest, toOpenAIChatCompletion } from '../wire/openai-wire-convert.js';
import type { OpenAIChatRequest } from '../wire/openai-wire-schemas.js';
import { chatRequestFor } from './route-support.js';

/** The most choices fanned out as separate calls: a bound on what one request may cost upstream. */
export const MAX_FANNED_OUT_CHOICES = 16;

/** True when every target of `model` speaks Chat Completions natively, so `n` reaches it as is. */
export function takesChoiceCount(ai: Switchyard, model: string): boolean {
  return resolveTargets(model, ai.config).every((target) => {
    const type = ai.config.providers[target.provider]?.type;
    return type === 'openai' || type === 'openai-compatible';
  });
}

/** The number of choices to fan out; above {@link MAX_FANNED_OUT_CHOICES} it is refused (400 naming `n`). */
export function checkedChoiceCount(body: OpenAIChatRequest): number {
  const count = body.n ?? 1;
  if (count > MAX_FANNED_OUT_CHOICES) {
    throw new SwitchyardError({ code: 'unsupported', status: 400, param: 'n', message: `n: at most ${MAX_FANNED_OUT_CHOICES} choices on a provider without n (each is a call)` });
  }
  return count;
}

/**
 * `n` > 1 on a provider without it: n calls of the same request (without
 * `n`), answered as one completion with n choices; usage counts the prompt
 * once and every completion. (Streamed: fan-out-stream.ts.)
 */
export async function fanOutChoices(
  ai: Switchyard,
  request: FastifyRequest,
  body: OpenAIChatRequest,
): Promise<{ responses: ChatResponse[]; completion: ReturnType<typeof toOpenAIChatCompletion> }> {
  const count = checkedChoiceCount(body);
  const { n: _n, ...single } = body;
  const settings = fromOpenAIChatRequest(single);
  const responses = await Promise.all(
    Array.from({ length: count }, () => ai.chat(chatRequestFor(request, body.model, { ...settings }), { parent: request.gatewayCall.parent() })),
  );
  const [first] = responses;
  const completion = toOpenAIChatCompletion(first);
  completion.choices = responses.map((response, index) => ({ ...toOpenAIChatCompletion(response).choices[0], index }));
  const completionTokens = responses.reduce((sum, response) => sum + response.usage.outputTokens, 0);
  completion.usage = { prompt_tokens: first.usage.inputTokens, completion_tokens: completionTokens, total_tokens: first.usage.inputTokens + completionTokens };
  return { responses, completion };
}
