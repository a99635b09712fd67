import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits; shown once to its owner, stored only as a hash. */
export function generateApiKey(): string {
  return `vigie_${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 suffices for high-entropy random keys: there is nothing to guess by brute force. */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

