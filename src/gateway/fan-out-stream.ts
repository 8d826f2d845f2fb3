import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Switchyard } from '../client/types.js';
import type { FinishPart, StreamPart } from '../spec/stream.js';
import { openAIErrorBody } from '../wire/error-mapping.js';
import { createOpenAIChunkBuilder, fromOpenAIChatRequest } from '../wire/openai-wire-convert.js';
import type { OpenAIChatRequest } from '../wire/openai-wire-schemas.js';
import { checkedChoiceCount } from './fan-out-choices.js';
import { openModelStream, type OpenedModelStream } from './model-stream.js';
import { chatRequestFor } from './route-support.js';
import { sseEvent } from './sse-writer.js';
import { sendModelStream } from './stream-response.js';

/*
 * A streamed `n` > 1 on a provider without `n`: n streams of the same
 * request (without `n`), merged into one `chat.completion.chunk` stream
 * whose chunks carry each choice's `index`.
 */

/** n opened streams read as one: parts as they arrive, each tagged with its choice, and one finish part for all. */
interface MergedChoices {
  opened: OpenedModelStream;
  /** The choice of the part most recently handed out. */
  current(): number;
  /** Each choice's own finish part, once the merged stream has ended. */
  finishes(): FinishPart[];
}

/**
 * Merges choice streams: parts are handed out as they arrive (one read
 * ahead per choice); each choice's finish part is kept, and once every
 * choice has ended, one finish part follows: the first choice's reason,
 * provider and cache status, the prompt counted once and every completion's
 * tokens and cost summed. An error in any choice ends the others (their
 * upstreams released) and is thrown; `return()` ends them all.
 */
function mergeChoices(streams: OpenedModelStream[]): MergedChoices {
  const finishes: Array<FinishPart | undefined> = streams.map(() => undefined);
  const pending = new Map<number, Promise<{ index: number; step: IteratorResult<StreamPart> }>>();
  let current = 0;
  let finished = false;
  const read = (index: number) => {
    const next = streams[index].parts.next().then((step) => ({ index, step }));
    next.catch(() => undefined); // raced by the next `next()`; never an unhandled rejection meanwhile
    pending.set(index, next);
  };
  const endAll = () => {
    for (const index of pending.keys()) void streams[index].parts.return?.(undefined)?.catch(() => undefined);
    pending.clear();
  };
  streams.forEach((_, index) => read(index));

  function merged(): FinishPart {
    const all = finishes as FinishPart[];
    const [first] = all;
    const outputTokens = all.reduce((sum, part) => sum + part.usage.outputTokens, 0);
    const costs = all.map((part) => part.cost);
    return {
      ...first,
      usage: { inputTokens: first.usage.inputTokens, outputTokens, totalTokens: first.usage.inputTokens + outputTokens },
      cost: costs.every((cost) => typeof cost === 'number') ? (costs as number[]).reduce((sum, cost) => sum + cost, 0) : null,
      toolCalls: undefined,
      content: undefined,
    };
  }

  const parts: AsyncIterator<StreamPart> = {
    async next() {
      while (pending.size > 0) {
        let settled: { index: number; step: IteratorResult<StreamPart> };
        try {
          settled = await Promise.race(pending.values());
        } catch (error) {
          endAll();
          throw error;
        }
        const { index, step } = settled;
        if (step.done) {
          pending.delete(index);
          continue;
        }
        read(index);
        if (step.value.type === 'finish') finishes[index] = step.value;
        else if (step.value.type !== 'stream-start') {
          current = index;
          return { done: false, value: step.value };
        }
      }
      if (finished) return { done: true, value: undefined };
      finished = true;
      if (finishes.some((part) => part === undefined)) throw new Error('a choice stream ended without a finish part');
      return { done: false, value: merged() };
    },
    async return() {
      endAll();
      return { done: true, value: undefined };
    },
  };
  const opened: OpenedModelStream = {
    start: streams[0].start,
    firstPartWaitMs: Math.max(...streams.map((stream) => stream.firstPartWaitMs)),
    parts,
  };
  return { opened, current: () => current, finishes: () => finishes as FinishPart[] };
}

/** Opens n streams of the request; if one cannot open, those that did are ended and its error is thrown. */
async function openChoices(ai: Switchyard, request: FastifyRequest, body: OpenAIChatRequest, count: number): Promise<OpenedModelStream[]> {
  const { n: _n, ...single } = body;
  const settings = fromOpenAIChatRequest(single);
  const attempts = await Promise.allSettled(
    Array.from({ length: count }, () => openModelStream(ai, chatRequestFor(request, body.model, { ...settings }), { parent: request.gatewayCall.parent() })),
  );
  const failed = attempts.find((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
  if (failed === undefined) return attempts.map((attempt) => (attempt as PromiseFulfilledResult<OpenedModelStream>).value);
  for (const attempt of attempts) if (attempt.status === 'fulfilled') await attempt.value.parts.return?.(undefined)?.catch(() => undefined);
  throw failed.reason;
}

/**
 * Answers a streamed `n` > 1 on a provider without `n`: the role chunk of
 * every choice, each choice's deltas under its `index` as they arrive, each
 * choice's finish chunk, the usage chunk (when asked) with every choice's
 * completion tokens summed, then `[DONE]`.
 */
export async function sendFannedOutStream(ai: Switchyard, request: FastifyRequest, reply: FastifyReply, body: OpenAIChatRequest): Promise<void> {
  const count = checkedChoiceCount(body);
  const choices = mergeChoices(await openChoices(ai, request, body, count));
  const includeUsage = body.stream_options?.include_usage === true;
  return sendModelStream(request, reply, choices.opened, (identity) => {
    const builders = Array.from({ length: count }, (_, choice) => createOpenAIChunkBuilder({ id: `chatcmpl-${request.id}`, model: identity.model, includeUsage, choice }));
    return {
      start: () => builders.map((builder) => sseEvent(builder.start())).join(''),
      part: (part) => sseEvent(builders[choices.current()].delta(part)),
      finish: (part) =>
        choices
          .finishes()
          .map((own, choice) => sseEvent(builders[choice].finish(own)))
          .join('') +
        (includeUsage ? sseEvent(builders[0].usage(part)) : '') +
        sseEvent('[DONE]'),
      nativeEnd: () => sseEvent('[DONE]'),
      error: (error) => sseEvent(openAIErrorBody(error)),
    };
  });
}
