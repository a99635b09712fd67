import { createHash, hash } from 'node:crypto';

/** One-shot `crypto.hash` (Node ≥ 20.12): no Hash object per call, about a third cheaper for a record. */
export function sha256Hex(data: string | Buffer): string {
  return hash('sha256', data, 'hex');
}

export function sha256(...parts: (string | Buffer)[]): Buffer {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}
