import { createHash, randomBytes } from 'node:crypto';

/** The prefix of every key Switchyard makes: easy to recognise in a secret scanner. */
export const KEY_PREFIX = 'sk-sy-';

/** A new key (32 random bytes, base64url) and its id; the key is shown once and only its hash is kept. */
export function generateKey(): { id: string; key: string } {
  return { id: `key_${randomBytes(8).toString('hex')}`, key: `${KEY_PREFIX}${randomBytes(32).toString('base64url')}` };
}

/** The SHA-256 hex digest under which a key is stored and looked up. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
