import { SwitchyardError } from '../spec/errors.js';
import type { ContentPart } from '../spec/messages.js';
import type { CallWarning } from '../spec/response.js';

/** The text of a message's content, images, documents and reasoning left out. */
export function contentText(content: string | ContentPart[] | null): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/**
 * The text of a message whose role carries no media on the provider's wire
 * (system, assistant, tool): image and document parts are dropped with a
 * warning naming the message, never silently. Reasoning parts are left out
 * without one: a provider that cannot take reasoning back has no use for it.
 */
export function textOnlyContent(content: string | ContentPart[], index: number, warnings: CallWarning[]): string {
  if (typeof content !== 'string' && content.some((part) => part.type === 'image' || part.type === 'document')) {
    warnings.push({ type: 'other', message: `messages[${index}]: image and document parts are only sent in user messages; dropped` });
  }
  return contentText(content);
}

/** The 400 for a content part a provider cannot take, naming the message's content and the provider. */
export function unsupportedPart(provider: string, index: number, problem: string): SwitchyardError {
  return new SwitchyardError({
    code: 'unsupported',
    status: 400,
    provider,
    param: `messages[${index}].content`,
    message: `messages[${index}]: ${problem} (provider "${provider}")`,
  });
}
