import type { FinishPart, NativeEventPart, StreamPart } from '../spec/stream.js';
import type { GatewayError } from './error-mapping.js';
import {
  outputItemId,
  responsesObject,
  responsesStatus,
  toResponsesLogprobs,
  type ResponsesIdentity,
  type ResponsesLogprob,
  type ResponsesObject,
  type ResponsesOutputItem,
} from './openai-responses-output.js';

/*
 * The Responses API's streaming events for a chat stream, in the documented
 * order: response.created, response.in_progress; per output item
 * output_item.added, then (for reasoning) reasoning_summary_part.added and
 * reasoning_summary_text.delta, (for the message) content_part.added and
 * output_text.delta, (for a function call) function_call_arguments.delta;
 * at the end each item's *.done events and output_item.done, then
 * response.completed (response.incomplete when cut). Every event carries a
 * `sequence_number` from 0.
 */

/** One streaming event: its `type` is also the SSE event name. */
export type ResponsesEvent = { type: string; sequence_number: number } & Record<string, unknown>;

/** What the writer returns when the stream finished: its closing events and the final response. */
export interface ResponsesStreamEnd {
  events: ResponsesEvent[];
  response: ResponsesObject;
}

/** Turns one chat stream into Responses events; keeps the items built so far. */
export interface ResponsesEventWriter {
  /** response.created and response.in_progress. */
  start(): ResponsesEvent[];
  /** The events of one reasoning, text or tool-call delta (none for other parts). */
  part(part: Exclude<StreamPart, FinishPart | NativeEventPart>): ResponsesEvent[];
  /** Closes every item and completes the response. */
  finish(part: FinishPart): ResponsesStreamEnd;
  /** An `error` event then response.failed, for an error after the stream began. */
  error(error: GatewayError): ResponsesEvent[];
}

type MessageItem = Extract<ResponsesOutputItem, { type: 'message' }>;
type CallItem = Extract<ResponsesOutputItem, { type: 'function_call' }>;
type ReasoningItem = Extract<ResponsesOutputItem, { type: 'reasoning' }>;

/** Creates the event writer of one streamed response. */
export function createResponsesEventWriter(identity: ResponsesIdentity): ResponsesEventWriter {
  let sequence = 0;
  const items: ResponsesOutputItem[] = [];
  const callsByIndex = new Map<number, CallItem>();
  const event = (type: string, fields: Record<string, unknown>): ResponsesEvent => ({ type, sequence_number: sequence++, ...fields });

  function openMessage(events: ResponsesEvent[]): MessageItem {
    const last = items[items.length - 1];
    if (last?.type === 'message') return last;
    const item: MessageItem = { id: outputItemId(identity.id, 'msg', items.length), type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    items.push(item);
    const outputIndex = items.length - 1;
    events.push(event('response.output_item.added', { output_index: outputIndex, item: { ...item, content: [] } }));
    item.content.push({ type: 'output_text', text: '', annotations: [], logprobs: [] });
    events.push(event('response.content_part.added', { item_id: item.id, output_index: outputIndex, content_index: 0, part: { ...item.content[0] } }));
    return item;
  }

  function openReasoning(events: ResponsesEvent[]): ReasoningItem {
    const last = items[items.length - 1];
    if (last?.type === 'reasoning') return last;
    const item: ReasoningItem = { id: outputItemId(identity.id, 'rs', items.length), type: 'reasoning', summary: [], encrypted_content: null };
    items.push(item);
    const outputIndex = items.length - 1;
    events.push(event('response.output_item.added', { output_index: outputIndex, item: { ...item, summary: [] } }));
    item.summary.push({ type: 'summary_text', text: '' });
    events.push(event('response.reasoning_summary_part.added', { item_id: item.id, output_index: outputIndex, summary_index: 0, part: { ...item.summary[0] } }));
    return item;
  }

  function closeItems(status: 'completed' | 'incomplete', logprobs: ResponsesLogprob[]): ResponsesEvent[] {
    const events: ResponsesEvent[] = [];
    items.forEach((item, outputIndex) => {
      if (item.type === 'message') {
        item.status = status;
        const part = item.content[0];
        part.logprobs = logprobs;
        events.push(event('response.output_text.done', { item_id: item.id, output_index: outputIndex, content_index: 0, text: part.text, logprobs }));
        events.push(event('response.content_part.done', { item_id: item.id, output_index: outputIndex, content_index: 0, part: { ...part } }));
      } else if (item.type === 'reasoning') {
        const part = item.summary[0];
        events.push(event('response.reasoning_summary_text.done', { item_id: item.id, output_index: outputIndex, summary_index: 0, text: part.text }));
        events.push(event('response.reasoning_summary_part.done', { item_id: item.id, output_index: outputIndex, summary_index: 0, part: { ...part } }));
      } else {
        item.status = 'completed';
        events.push(event('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, name: item.name, arguments: item.arguments }));
      }
      events.push(event('response.output_item.done', { output_index: outputIndex, item: structuredClone(item) }));
    });
    return events;
  }

  return {
    start: () => [
      event('response.created', { response: responsesObject(identity, { status: 'in_progress' }) }),
      event('response.in_progress', { response: responsesObject(identity, { status: 'in_progress' }) }),
    ],
    part(part) {
      const events: ResponsesEvent[] = [];
      if (part.type === 'text-delta') {
        if (part.text === '') return events;
        const item = openMessage(events);
        item.content[0].text += part.text;
        events.push(event('response.output_text.delta', { item_id: item.id, output_index: items.indexOf(item), content_index: 0, delta: part.text, logprobs: [] }));
        return events;
      }
      if (part.type === 'reasoning-delta') {
        const item = openReasoning(events);
        if (part.signature !== undefined) item.encrypted_content = part.signature;
        if (part.text === '') return events;
        item.summary[0].text += part.text;
        events.push(event('response.reasoning_summary_text.delta', { item_id: item.id, output_index: items.indexOf(item), summary_index: 0, delta: part.text }));
        return events;
      }
      if (part.type !== 'tool-call-delta') return events;
      let call = callsByIndex.get(part.index);
      if (!call) {
        call = { id: outputItemId(identity.id, 'fc', items.length), type: 'function_call', status: 'in_progress', call_id: part.id, name: part.name ?? '', arguments: '' };
        callsByIndex.set(part.index, call);
        items.push(call);
        events.push(event('response.output_item.added', { output_index: items.length - 1, item: { ...call } }));
      }
      if (part.argumentsDelta !== '') {
        call.arguments += part.argumentsDelta;
        events.push(event('response.function_call_arguments.delta', { item_id: call.id, output_index: items.indexOf(call), delta: part.argumentsDelta }));
      }
      return events;
    },
    finish(part) {
      const outcome = responsesStatus(part.finishReason);
      const events = closeItems(outcome.status, toResponsesLogprobs(part.logprobs));
      const response = responsesObject({ ...identity, model: part.model ?? identity.model }, { ...outcome, output: items, usage: part.usage });
      events.push(event(outcome.status === 'completed' ? 'response.completed' : 'response.incomplete', { response }));
      return { events, response };
    },
    error(error) {
      const failure = { code: error.code, message: error.message };
      return [
        event('error', { code: error.code, message: error.message, param: error.param }),
        event('response.failed', { response: responsesObject(identity, { status: 'failed', error: failure, output: items }) }),
      ];
    },
  };
}
