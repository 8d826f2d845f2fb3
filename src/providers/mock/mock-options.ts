import type { MockConfig } from '../../config/schema.js';

/** Settings of the mock driver; all optional. */
export interface MockDriverSettings extends MockConfig {
  /** Provider name under which the driver answers. Default `mock`. */
  provider?: string;
  /** How long an injected timeout hangs before failing, like a real headers timeout. Default 30000 ms. */
  timeoutMs?: number;
}

/** The models the mock provider serves. */
export const MOCK_MODELS = [
  { modelId: 'echo', name: 'Mock echo (replies with the last user message)' },
  { modelId: 'lorem', name: 'Mock lorem (max tokens words of lorem ipsum)' },
] as const;

/** Trigger phrases that make the mock fail the way a real provider does. */
export const MOCK_ERROR_TRIGGERS = {
  '[mock:429]': '429',
  '[mock:500]': '500',
  '[mock:503]': '503',
  '[mock:timeout]': 'timeout',
} as const;

/** A trigger that makes the mock answer with a tool call to the first tool. */
export const MOCK_TOOL_TRIGGER = '[mock:tool]';

/** The kinds of injected error. */
export type MockErrorKind = (typeof MOCK_ERROR_TRIGGERS)[keyof typeof MOCK_ERROR_TRIGGERS];
