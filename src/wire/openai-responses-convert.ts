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

/** How one request is converted: for which provider, and whether what cannot be converted is refused or left out. */
interface Conversion {
  provider: string;
  /** Leave out what has no neutral form instead of refusing it (the request itself goes to a native upstream). */
  lenient: boolean;
}

/** Where an item came from, for error messages: the request's `input`, or the stored conversation. */
interface ItemSource extends Conversion {
  /** The param an error names for a path inside the items (`3.content.0.type`): `input.3.content.0.type`, or `previous_response_id` for history. */
  field(path: string): string;
}

/** Refuses what `conversion` cannot honour, with a 400 naming `param` and the provider; returns (to leave it out) when lenient. */
function refuse(conversion: Conversion, param: string, detail?: string): void {
  if (!conversion.lenient) throw unsupportedField(param, conversion.provider, detail);
}

function inputParts(parts: ResponsesInputContent[], at: string, source: ItemSource): ContentPart[] {
  const converted: ContentPart[] = [];
  parts.forEach((part, index) => {
    if (part.type === 'input_text') converted.push({ type: 'text', text: part.text });
    else if (part.type === 'input_image' && part.image_url) converted.push({ type: 'image', url: part.image_url });
    else if (part.type === 'input_image') refuse(source, source.field(`${at}.${index}.file_id`), 'uploaded files');
    else refuse(source, source.field(`${at}.${index}.type`), `content of type "${part.type}"`);
  });
  return converted;
}

function textOnly(content: ContentList, at: string, source: ItemSource): string {
  if (typeof content === 'string') return content;
  let text = '';
  content.forEach((part, index) => {
    if (part.type === 'input_text') text += part.text;
    else refuse(source, source.field(`${at}.${index}.type`), 'only text in system messages and tool outputs');
  });
  return text;
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
      return refuse(source, source.field(`${at}.id`), `a reference to item "${item.id}", which this gateway did not store`);
    case 'other':
      return refuse(source, source.field(`${at}.type`), `input items of type "${item.itemType}"`);
  }
}

const FUNCTION_TOOL_FIELDS = new Set(['type', 'name', 'description', 'parameters', 'strict']);

function toTools(tools: NonNullable<ResponsesRequest['tools']>, conversion: Conversion): Tool[] {
  const converted: Tool[] = [];
  tools.forEach((tool, index) => {
    if (tool.type === 'other') return refuse(conversion, `tools.${index}.type`, `built-in tool "${tool.itemType}"`);
    for (const field of Object.keys(tool)) if (!FUNCTION_TOOL_FIELDS.has(field)) refuse(conversion, `tools.${index}.${field}`);
    if (tool.strict === true) refuse(conversion, `tools.${index}.strict`, 'strict function schemas');
    converted.push({
      name: tool.name,
      ...(tool.description != null ? { description: tool.description } : {}),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
    });
  });
  return converted;
}

function toToolChoice(choice: NonNullable<ResponsesRequest['tool_choice']>, conversion: Conversion): ToolChoice | undefined {
  if (typeof choice === 'string') return choice;
  if (choice.type === 'other') return void refuse(conversion, 'tool_choice.type', `tool choice "${choice.itemType}"`);
  return { name: choice.name };
}

function toResponseFormat(text: NonNullable<ResponsesRequest['text']>, conversion: Conversion): ResponseFormat | undefined {
  if (text.verbosity != null) refuse(conversion, 'text.verbosity');
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
 * the field table. Throws a 400 naming the first field it cannot honour,
 * unless `lenient`: for a request that goes to a native upstream verbatim,
 * the settings only describe it (tracking, token estimates), and what has no
 * neutral form is left out of them.
 */
export function fromResponsesRequest(
  body: ResponsesRequest,
  raw: Record<string, unknown>,
  history: ResponsesHistory,
  provider: string,
  options: { lenient?: boolean } = {},
): GenerationSettings {
  const conversion: Conversion = { provider, lenient: options.lenient === true };
  if (!conversion.lenient) refuseUnconvertibleFields(raw, provider);
  const messages: Message[] = [];
  if (body.instructions != null && body.instructions !== '') messages.push({ role: 'system', content: body.instructions });
  const stored: ItemSource = { ...conversion, field: () => 'previous_response_id' };
  history.items.forEach((item, index) => appendItem(messages, item, index, stored));
  const input = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input } as Item] : (body.input ?? []);
  const fromInput: ItemSource = { ...conversion, field: (path) => (typeof body.input === 'string' ? 'input' : `input.${path}`) };
  input.forEach((item, index) => appendItem(messages, item, index, fromInput));
  if (!messages.some((message) => message.role !== 'system')) {
    // A native upstream may continue a conversation it keeps from items alone; the description needs one message.
    if (conversion.lenient) messages.push({ role: 'user', content: '' });
    else throw new SwitchyardError({ code: 'invalid_request', status: 400, param: 'input', message: 'input: at least one message or item is required' });
  }

  const settings: GenerationSettings = { messages };
  if (body.temperature != null) settings.temperature = body.temperature;
  if (body.top_p != null) settings.topP = body.top_p;
  if (body.max_output_tokens != null) settings.maxTokens = body.max_output_tokens;
  const tools = body.tools && body.tools.length > 0 ? toTools(body.tools, conversion) : [];
  if (tools.length > 0) settings.tools = tools;
  const toolChoice = body.tool_choice !== undefined ? toToolChoice(body.tool_choice, conversion) : undefined;
  if (toolChoice !== undefined) settings.toolChoice = toolChoice;
  const responseFormat = body.text ? toResponseFormat(body.text, conversion) : undefined;
  if (responseFormat) settings.responseFormat = responseFormat;
  if (body.user !== undefined) settings.user = body.user;
  return settings;
}
