import { describe, expect, it } from 'vitest';
import { createResponseStore } from '../src/store/stored-responses.js';
import { DIALECTS } from './store-support.js';

describe.each(DIALECTS)('stored responses on $dialect', ({ create }) => {
  it('keeps a response per tenant: another tenant reads, replaces and deletes nothing of it', async () => {
    const { database, dispose } = await create();
    try {
      const store = createResponseStore(database.db);
      const response = { id: 'resp_1', object: 'response', output: [{ type: 'message', content: [{ type: 'output_text', text: 'hi' }] }] };
      await store.save({ id: 'resp_1', tenant: 'alpha', provider: 'anthropic', model: 'anthropic/claude', native: false, input: [{ role: 'user', content: 'hi' }], response });
      expect(await store.get('resp_1', 'alpha')).toMatchObject({ id: 'resp_1', tenant: 'alpha', provider: 'anthropic', native: false, input: [{ role: 'user', content: 'hi' }], response });
      expect(await store.get('resp_1', 'beta')).toBeUndefined();

      await store.save({ id: 'resp_1', tenant: 'beta', provider: 'mock', model: 'mock/echo', native: true, input: [], response: { id: 'resp_1', stolen: true } });
      expect((await store.get('resp_1', 'alpha'))?.response).toEqual(response);
      expect(await store.delete('resp_1', 'beta')).toBe(false);

      await store.save({ id: 'resp_1', tenant: 'alpha', provider: 'openai', model: 'openai/gpt-4o-mini', native: true, input: [], response: { id: 'resp_1', again: true } });
      expect(await store.get('resp_1', 'alpha')).toMatchObject({ provider: 'openai', native: true, response: { again: true } });
      expect(await store.delete('resp_1', 'alpha')).toBe(true);
      expect(await store.get('resp_1', 'alpha')).toBeUndefined();
    } finally {
      await dispose();
    }
  });
});
