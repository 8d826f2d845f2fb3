import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../spec/errors.js';
import { createDatabase, parseDatabaseUrl } from './database.js';

describe('parseDatabaseUrl', () => {
  it.each([
    ['./.switchyard/switchyard.db', { dialect: 'sqlite', path: './.switchyard/switchyard.db' }],
    ['/var/data/app.db', { dialect: 'sqlite', path: '/var/data/app.db' }],
    ['sqlite:///var/data/app.db', { dialect: 'sqlite', path: '/var/data/app.db' }],
    ['sqlite://relative/app.db', { dialect: 'sqlite', path: 'relative/app.db' }],
    ['sqlite::memory:', { dialect: 'sqlite', path: ':memory:' }],
    [':memory:', { dialect: 'sqlite', path: ':memory:' }],
    ['postgres://user@host:5432/db', { dialect: 'postgres', connectionString: 'postgres://user@host:5432/db' }],
    ['postgresql://user@host/db', { dialect: 'postgres', connectionString: 'postgresql://user@host/db' }],
  ])('reads %s', (url, expected) => {
    expect(parseDatabaseUrl(url)).toEqual(expected);
  });

  it.each(['', 'mysql://host/db', 'sqlite://'])('rejects %j with an invalid_config error', (url) => {
    try {
      parseDatabaseUrl(url);
      expect.unreachable();
    } catch (error) {
      expect(SwitchyardError.is(error)).toBe(true);
      expect((error as SwitchyardError).code).toBe('invalid_config');
    }
  });

  it('rejects a schema name that is not a plain identifier', () => {
    expect(() => createDatabase('postgres://127.0.0.1/test', { schema: 'x; drop table y' })).toThrow(/schema/);
  });
});
