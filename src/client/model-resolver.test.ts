import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/errors.js';
import { resolveTargets } from './model-resolver.js';

const config = {
  defaultProvider: 'openai',
  providers: { mock: {}, openai: {} } as never,
  routes: { smart: ['openai/gpt-4o-mini', 'mock/echo'] },
};

describe('resolveTargets', () => {
  it('expands a route into its members in order', () => {
    expect(resolveTargets('smart', config).map((target) => target.model)).toEqual(['openai/gpt-4o-mini', 'mock/echo']);
  });

  it('sends a bare model name to the default provider', () => {
    expect(resolveTargets('gpt-4o-mini', config)).toEqual([{ provider: 'openai', modelId: 'gpt-4o-mini', model: 'openai/gpt-4o-mini' }]);
  });

  it('keeps slashes inside the model id', () => {
    expect(resolveTargets('openai/org/model', config)[0].modelId).toBe('org/model');
  });

  it('finds nothing in names that are Object members', () => {
    for (const model of ['constructor/x', '__proto__/x', 'toString/x', 'hasOwnProperty']) {
      const targets = (() => {
        try {
          return resolveTargets(model, config);
        } catch (error) {
          return error;
        }
      })();
      if (model === 'hasOwnProperty') expect(targets).toEqual([{ provider: 'openai', modelId: 'hasOwnProperty', model: 'openai/hasOwnProperty' }]);
      else expect(targets).toMatchObject({ code: 'model_not_found' });
    }
  });

  it('rejects an unknown provider with model_not_found', () => {
    try {
      resolveTargets('nowhere/model', config);
      expect.unreachable();
    } catch (error) {
      expect(SwitchyardError.is(error) && error.code).toBe('model_not_found');
      expect((error as Error).message).toContain('nowhere');
    }
  });
});
