import { createSwitchyard } from '../../src/client/create-switchyard.js';
import type { SwitchyardOptions } from '../../src/client/types.js';

/** A client isolated from the machine: empty environment, no config file, in-memory SQLite, quiet. */
export function createTestClient(options: SwitchyardOptions = {}) {
  return createSwitchyard({
    environment: {},
    configFile: '',
    env: 'test',
    databaseUrl: ':memory:',
    ...options,
  });
}

/** A provider entry pointing the OpenAI driver at a fake upstream. */
export function fakeOpenAIProvider(url: string, extra: Record<string, unknown> = {}) {
  return { type: 'openai-compatible' as const, baseURL: url, apiKey: 'test-key', ...extra };
}
