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

/** One part of a message's content. */
export type ContentPart = TextPart | ImagePart;

/** A tool call made by the assistant; `arguments` is a JSON string, as providers send it. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
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
}

/** How the model may use tools: freely, never, at least one, or one named tool. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** Structured output: free text, any JSON object, or JSON matching a schema. */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json' }
  | { type: 'json_schema'; name?: string; schema: Record<string, unknown>; strict?: boolean };
