import type { ContentPart, Message, ResponseFormat, Tool, ToolChoice } from '../spec/messages.js';
import type { GenerationSettings } from '../spec/request.js';
import { SwitchyardError } from '../spec/errors.js';
import { refuseUnconvertibleFields, unsupportedField } from './openai-responses-fields.js';
import type { ResponsesInputContent, ResponsesInputItem, ResponsesRequest } from './openai-responses-schemas.js';

/*
 * A Responses API request served by the chat pipeline: the input items (and
 * the stored conversation before them) become neutral messages, tools and
 * `text.format` become the neutral settings. What has no neutral meaning is
 * refused with a 400 naming the field and the provider, never dropped.
 */

type Item = ResponsesInputItem;
type ContentList = string | ResponsesInputContent[];

/** Where an item came from, for error messages: the request's `input`, or the stored conversation. */
interface ItemSource {
  /** The param an error names for a path inside the items (`3.content.0.type`): `input.3.content.0.type`, or `previous_response_id` for history. */
  field(path: string): string;
  provider: string;
}

function inputParts(parts: ResponsesInputContent[], at: string, source: ItemSource): ContentPart[] {
  return parts.map((part, index): ContentPart => {
    if (part.type === 'input_text') return { type: 'text', text: part.text };
    if (part.type === 'input_image' && part.image_url) return { type: 'image', url: part.image_url };
    if (part.type === 'input_image') throw unsupportedField(source.field(`${at}.${index}.file_id`), source.provider, 'uploaded files');
    throw unsupportedField(source.field(`${at}.${index}.type`), source.provider, `content of type "${part.type}"`);
  });
}

function textOnly(content: ContentList, at: string, source: ItemSource): string {
  if (typeof content === 'string') return content;
  return inputParts(content, at, source)
    .map((part, index) => {
      if (part.type !== 'text') throw unsupportedField(source.field(`${at}.${index}.type`), source.provider, 'only text in system messages and tool outputs');
      return part.text;
    })
    .join('');
}

/** Appends one input item to `messages`: function calls join the assistant message before them. */
function appendItem(messages: Message[], item: Item, index: number, source: ItemSource): void {
  const at = String(index);
  switch (item.type) {
    case 'message': {
      if (item.role === 'assistant') {
        const text = typeof item.content === 'string' ? item.content : item.content.map((part) => (part.type === 'refusal' ? part.refusal : part.text)).join('');
        messages.push({ role: 'assistant', content: text });
      } else if (item.role === 'user') {
        messages.push({ role: 'user', content: typeof item.content === 'string' ? item.content : inputParts(item.content, `${at}.content`, source) });
      } else {
        messages.push({ role: 'system', content: textOnly(item.content, `${at}.content`, source) });
      }
      return;
    }
    case 'function_call': {
      const call = { id: item.call_id, name: item.name, arguments: item.arguments };
      const last = messages[messages.length - 1];
      if (last?.role === 'assistant') last.toolCalls = [...(last.toolCalls ?? []), call];
      else messages.push({ role: 'assistant', content: null, toolCalls: [call] });
      return;
    }
    case 'function_call_output':
      messages.push({ role: 'tool', toolCallId: item.call_id, content: textOnly(item.output, `${at}.output`, source) });
      return;
    case 'item_reference':
      throw unsupportedField(source.field(`${at}.id`), source.provider, `a reference to item "${item.id}", which this gateway did not store`);
    case 'other':
      throw unsupportedField(source.field(`${at}.type`), source.provider, `input items of type "${item.itemType}"`);
  }
}

function toTools(tools: NonNullable<ResponsesRequest['tools']>, provider: string): Tool[] {
  return tools.map((tool, index): Tool => {
    if (tool.type === 'other') throw unsupportedField(`tools.${index}.type`, provider, `built-in tool "${tool.itemType}"`);
    for (const field of Object.keys(tool)) {
      if (!['type', 'name', 'description', 'parameters', 'strict'].includes(field)) throw unsupportedField(`tools.${index}.${field}`, provider);
    }
    if (tool.strict === true) throw unsupportedField(`tools.${index}.strict`, provider, 'strict function schemas');
    return {
      name: tool.name,
      ...(tool.description != null ? { description: tool.description } : {}),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
    };
  });
}

function toToolChoice(choice: NonNullable<ResponsesRequest['tool_choice']>, provider: string): ToolChoice {
  if (typeof choice === 'string') return choice;
  if (choice.type === 'other') throw unsupportedField('tool_choice.type', provider, `tool choice "${choice.itemType}"`);
  return { name: choice.name };
}

function toResponseFormat(text: NonNullable<ResponsesRequest['text']>, provider: string): ResponseFormat | undefined {
  if (text.verbosity != null) throw unsupportedField('text.verbosity', provider);
  const format = text.format;
  if (format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json' };
  return { type: 'json_schema', name: format.name, schema: format.schema, ...(format.strict != null ? { strict: format.strict } : {}) };
}

/** The conversation a Responses request continues, as stored: its items, already validated once. */
export interface ResponsesHistory {
  items: ResponsesInputItem[];
}

/**
 * Maps a validated Responses request (plus the stored conversation of its
 * `previous_response_id`) onto neutral generation settings for `provider`.
 * `raw` is the body as sent, whose every top-level field is checked against
 * the field table. Throws a 400 naming the first field it cannot honour.
 */
export function fromResponsesRequest(body: ResponsesRequest, raw: Record<string, unknown>, history: ResponsesHistory, provider: string): GenerationSettings {
  refuseUnconvertibleFields(raw, provider);
  const messages: Message[] = [];
  if (body.instructions != null && body.instructions !== '') messages.push({ role: 'system', content: body.instructions });
  const stored: ItemSource = { field: () => 'previous_response_id', provider };
  history.items.forEach((item, index) => appendItem(messages, item, index, stored));
  const input = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input } as Item] : (body.input ?? []);
  const fromInput: ItemSource = { field: (path) => (typeof body.input === 'string' ? 'input' : `input.${path}`), provider };
  input.forEach((item, index) => appendItem(messages, item, index, fromInput));
  if (!messages.some((message) => message.role !== 'system')) {
    throw new SwitchyardError({ code: 'invalid_request', status: 400, param: 'input', message: 'input: at least one message or item is required' });
  }

  const settings: GenerationSettings = { messages };
  if (body.temperature != null) settings.temperature = body.temperature;
  if (body.top_p != null) settings.topP = body.top_p;
  if (body.max_output_tokens != null) settings.maxTokens = body.max_output_tokens;
  if (body.tools && body.tools.length > 0) settings.tools = toTools(body.tools, provider);
  if (body.tool_choice !== undefined) settings.toolChoice = toToolChoice(body.tool_choice, provider);
  const responseFormat = body.text ? toResponseFormat(body.text, provider) : undefined;
  if (responseFormat) settings.responseFormat = responseFormat;
  if (body.user !== undefined) settings.user = body.user;
  return settings;
}
