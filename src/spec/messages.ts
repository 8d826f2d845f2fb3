/** A text part of a message's content. */
export interface TextPart {
  type: 'text';
  text: string;
}

/** An image part: either a URL (http(s) or data:) or base64 `data` with its `mediaType`. */
export interface ImagePart {
  type: 'image';
  url?: string;
  data?: string;
  mediaType?: string;
}

/** A document (a PDF, or plain text): a URL, or base64 `data`, with its `mediaType` (`application/pdf`, `text/plain`). */
export interface DocumentPart {
  type: 'document';
  url?: string;
  data?: string;
  mediaType: string;
  /** A name for the document (a file name), sent where the provider takes one. */
  title?: string;
}

/**
 * The model's own reasoning in an assistant turn (Anthropic's thinking
 * block, with the `signature` that lets it be replayed; `redacted` holds an
 * encrypted redacted_thinking block). Replayed to providers that take it back,
 * left out for the others (reasoning is output, never an instruction).
 */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  signature?: string;
  redacted?: string;
}

/** One part of a message's content: reasoning only in assistant messages. */
export type ContentPart = TextPart | ImagePart | DocumentPart | ReasoningPart;

/** A tool call made by the assistant; `arguments` is a JSON string, as providers send it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
  /**
   * The provider's opaque signature of the reasoning that led to this call
   * (Gemini's `thoughtSignature`). Kept in history, it goes back with the
   * call on the next turn, so the model continues its reasoning.
   */
  signature?: string;
}

/** The provider-neutral chat message. */
export type Message =
  | { role: 'system'; content: string | ContentPart[] }
  | { role: 'user'; content: string | ContentPart[] }
  | { role: 'assistant'; content: string | ContentPart[] | null; toolCalls?: ToolCall[] }
  | { role: 'tool'; content: string | ContentPart[]; toolCallId: string };

/** The role of a message. */
export type Role = Message['role'];

/** A function tool the model may call; `parameters` is a JSON Schema object. */
export interface Tool {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
  /** Ask the provider to follow `parameters` exactly (OpenAI's and Anthropic's `strict`). */
  strict?: boolean;
}

/**
 * How much the model may think before answering: an effort level (OpenAI's
 * `reasoning_effort`) or a token budget (Anthropic's and Gemini's thinking
 * budget). Each provider gets the one it takes, converted by a fixed table.
 */
export interface ReasoningSettings {
  effort?: 'minimal' | 'low' | 'medium' | 'high';
  budgetTokens?: number;
}

/** How the model may use tools: freely, never, at least one, or one named tool. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** Structured output: free text, any JSON object, or JSON matching a schema. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json' }
  | { type: 'json_schema'; name?: string; schema: Record<string, unknown>; strict?: boolean };
