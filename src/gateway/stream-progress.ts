import type { CacheStatus, Usage } from '../spec/response.js';
import type { DeltaPart } from '../spec/stream.js';

/**
 * What a stream has sent its client so far: enough to estimate the usage of
 * a stream the client left before its finish part (which carries the real
 * usage). Kept as two counters, so following a stream costs an addition per
 * part.
 */
export interface StreamProgress {
  /** The model that answers, from the stream's first part. */
  model: string;
  cache: CacheStatus;
  /** Characters of generated text, reasoning and tool arguments sent. */
  outputChars: number;
  /** Upstream events passed on verbatim (a same-wire passthrough stream). */
  nativeEvents: number;
}

/** Characters per token of the estimate (the gateway's rough rule elsewhere too). */
const CHARACTERS_PER_TOKEN = 4;

/** Counts one sent part. */
export function countSentPart(progress: StreamProgress, part: DeltaPart): void {
  if (part.type === 'tool-call-delta') progress.outputChars += part.argumentsDelta.length + (part.name?.length ?? 0);
  else progress.outputChars += part.text.length;
}

/**
 * The usage of a stream cut short: `inputTokens` as estimated for the
 * prompt, output from what was sent (four characters a token; a passthrough
 * stream's upstream sends about a token per event).
 */
export function estimatedUsage(progress: StreamProgress, inputTokens: number): Usage {
  const outputTokens = Math.ceil(progress.outputChars / CHARACTERS_PER_TOKEN) + progress.nativeEvents;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}
