import type { ContentPart, Message, ReasoningSettings, ResponseFormat, Tool, ToolChoice } from '../spec/messages.js';
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

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** An input_file as a document: inline data (a data URL, or base64 with a PDF file name) or a URL; a file_id only OpenAI can read. */
function documentOf(part: Extract<ResponsesInputContent, { type: 'input_file' }>, at: string, source: ItemSource): ContentPart | undefined {
  const title = part.filename ? { title: part.filename } : {};
  if (part.file_data !== undefined) {
    const dataUrl = DATA_URL.exec(part.file_data);
    if (dataUrl) return { type: 'document', data: dataUrl[2], mediaType: dataUrl[1], ...title };
    if (part.filename?.toLowerCase().endsWith('.pdf')) return { type: 'document', data: part.file_data, mediaType: 'application/pdf', ...title };
    return void refuse(source, source.field(`${at}.file_data`), 'file data without a media type (send a data: URL)');
  }
  if (part.file_url !== undefined) return { type: 'document', url: part.file_url, mediaType: 'application/pdf', ...title };
  return void refuse(source, source.field(`${at}.file_id`), 'uploaded files');
}

function inputParts(parts: ResponsesInputContent[], at: string, source: ItemSource): ContentPart[] {
  const converted: ContentPart[] = [];
  parts.forEach((part, index) => {
    if (part.type === 'input_text') converted.push({ type: 'text', text: part.text });
    else if (part.type === 'input_image' && part.image_url) converted.push({ type: 'image', url: part.image_url });
    else if (part.type === 'input_image') refuse(source, source.field(`${at}.${index}.file_id`), 'uploaded files');
    else {
      const document = documentOf(part, `${at}.${index}`, source);
      if (document) converted.push(document);
    }
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

/** The assistant message a reasoning item or function call joins: the last message when it is the assistant's, else a new one. */
function assistantTurn(messages: Message[]): Extract<Message, { role: 'assistant' }> {
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant') return last;
  const turn: Extract<Message, { role: 'assistant' }> = { role: 'assistant', content: null };
  messages.push(turn);
  return turn;
}

/** Adds content parts to an assistant message, keeping a plain string when it is only text. */
function addAssistantParts(turn: Extract<Message, { role: 'assistant' }>, parts: ContentPart[]): void {
  const current: ContentPart[] = turn.content === null ? [] : typeof turn.content === 'string' ? (turn.content === '' ? [] : [{ type: 'text', text: turn.content }]) : turn.content;
  const next = [...current, ...parts];
  turn.content = next.every((part) => part.type === 'text') ? next.map((part) => (part as { text: string }).text).join('') : next;
}

/**
 * Appends one input item to `messages`: reasoning, the assistant's text and
 * function calls of one turn join one assistant message (a new turn begins
 * after a user, system or tool message).
 */
function appendItem(messages: Message[], item: Item, index: number, source: ItemSource): void {
  const at = String(index);
  switch (item.type) {
    case 'message': {
      if (item.role === 'assistant') {
        const text = typeof item.content === 'string' ? item.content : item.content.map((part) => (part.type === 'refusal' ? part.refusal : part.text)).join('');
        const turn = assistantTurn(messages);
        if (turn.toolCalls?.length) messages.push({ role: 'assistant', content: text });
        else addAssistantParts(turn, [{ type: 'text', text }]);
      } else if (item.role === 'user') {
        messages.push({ role: 'user', content: typeof item.content === 'string' ? item.content : inputParts(item.content, `${at}.content`, source) });
      } else {
        messages.push({ role: 'system', content: textOnly(item.content, `${at}.content`, source) });
      }
      return;
    }
    case 'function_call': {
      const turn = assistantTurn(messages);
      turn.toolCalls = [...(turn.toolCalls ?? []), { id: item.call_id, name: item.name, arguments: item.arguments }];
      return;
    }
    case 'reasoning': {
      const text = [...item.summary, ...(item.content ?? [])].map((part) => part.text).join('\n\n');
      const turn = assistantTurn(messages);
      if (turn.toolCalls?.length) messages.push({ role: 'assistant', content: null });
      addAssistantParts(assistantTurn(messages), [{ type: 'reasoning', text, ...(item.encrypted_content ? { signature: item.encrypted_content } : {}) }]);
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
    converted.push({
      name: tool.name,
      ...(tool.description != null ? { description: tool.description } : {}),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
      ...(tool.strict != null ? { strict: tool.strict } : {}),
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

const EFFORTS = new Set(['minimal', 'low', 'medium', 'high']);

/** `reasoning.effort` as the neutral effort (`none`: no reasoning); `summary` needs nothing (reasoning comes back when there is any). */
function toReasoning(reasoning: NonNullable<ResponsesRequest['reasoning']>, conversion: Conversion): ReasoningSettings | undefined {
  for (const field of Object.keys(reasoning)) {
    if (!['effort', 'summary', 'generate_summary'].includes(field) && reasoning[field] != null) refuse(conversion, `reasoning.${field}`);
  }
  const effort = reasoning.effort;
  if (effort == null || effort === 'none') return undefined;
  if (!EFFORTS.has(effort)) return void refuse(conversion, 'reasoning.effort', `effort "${effort}"`);
  return { effort: effort as NonNullable<ReasoningSettings['effort']> };
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
  if (body.parallel_tool_calls != null) settings.parallelToolCalls = body.parallel_tool_calls;
  const reasoning = body.reasoning ? toReasoning(body.reasoning, conversion) : undefined;
  if (reasoning) settings.reasoning = reasoning;
  const topLogprobs = body.top_logprobs ?? 0;
  if (topLogprobs > 0 || body.include?.includes('message.output_text.logprobs')) {
    settings.logprobs = true;
    if (topLogprobs > 0) settings.topLogprobs = topLogprobs;
  }
  return settings;
}
