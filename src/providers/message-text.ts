import type { ContentPart } from '../spec/messages.js';
import type { CallWarning } from '../spec/response.js';

/** The text of a message's content, images left out. */
export function contentText(content: string | ContentPart[] | null): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/**
 * The text of a message whose role carries no images on the provider's wire
 * (system, assistant, tool): image parts are dropped with a warning naming
 * the message, never silently.
 */
export function textOnlyContent(content: string | ContentPart[], index: number, warnings: CallWarning[]): string {
  if (typeof content !== 'string' && content.some((part) => part.type !== 'text')) {
    warnings.push({ type: 'other', message: `messages[${index}]: image parts are only sent in user messages; dropped` });
  }
  return contentText(content);
}
