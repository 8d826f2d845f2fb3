import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/errors.js';
import { createTransport } from './transport.js';

describe('createTransport', () => {
  it('creates no agent before first use and reports zero stats', () => {
    const transport = createTransport();
    expect(transport.stats()).toEqual({ connected: 0, free: 0, pending: 0, queued: 0, running: 0, size: 0 });
  });

  it('reuses one dispatcher until close, then creates a new one', async () => {
    const transport = createTransport({ maxConnections: 2 });
    const first = transport.dispatcher();
    expect(transport.dispatcher()).toBe(first);
    await transport.close();
    const second = transport.dispatcher();
    expect(second).not.toBe(first);
    await transport.close();
    await transport.close();
  });

  it.each([
    [{ maxConnections: 0 }, 'maxConnections'],
    [{ maxConnections: 1.5 }, 'maxConnections'],
    [{ connectTimeoutMs: -1 }, 'connectTimeoutMs'],
    [{ headersTimeoutMs: Number.NaN }, 'headersTimeoutMs'],
    [{ keepAliveTimeoutMs: 0 }, 'keepAliveTimeoutMs'],
  ])('rejects %o naming the option', (options, name) => {
    let caught: unknown;
    try {
      createTransport(options);
    } catch (error) {
      caught = error;
    }
    expect(SwitchyardError.is(caught) && caught.code).toBe('invalid_config');
    expect((caught as SwitchyardError).param).toBe(name);
  });
});
