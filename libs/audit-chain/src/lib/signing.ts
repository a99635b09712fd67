import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { sha256Hex } from './hashing';

/** The `data` of an `audit.checkpoint` event (contract `audit.checkpoints.v1`). */
export interface CheckpointData {
  sequence: number;
  issuedAt: string;
  coversUntil: string;
  chainCount: number;
  recordCount: number;
  root: string;
  previousRoot: string | null;
  algorithm: 'ed25519';
  keyId: string;
  signature: string;
}

export type UnsignedCheckpoint = Omit<CheckpointData, 'signature'>;

/** What is signed: the canonical JSON of every field but the signature (as the contract says). */
export function checkpointSigningText(checkpoint: UnsignedCheckpoint | CheckpointData): string {
  const { signature: _signature, ...fields } = checkpoint as CheckpointData;
  return canonicalJson(fields);
}

/** Key id: SHA-256 hex of the public key's SubjectPublicKeyInfo (DER), so it names the key itself. */
export function keyIdOf(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  return sha256Hex(key.export({ type: 'spki', format: 'der' }));
}

export interface SigningKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  keyId: string;
}

export function generateSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

/** Reads an Ed25519 private key (PEM); throws when it is anything else. */
export function loadSigningKey(privateKeyPem: string): SigningKeyPair & { privateKey: KeyObject } {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`the signing key must be Ed25519, got ${privateKey.asymmetricKeyType}`);
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    privateKeyPem,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

export function signCheckpoint(unsigned: UnsignedCheckpoint, privateKey: KeyObject): CheckpointData {
  const signature = sign(null, Buffer.from(checkpointSigningText(unsigned), 'utf8'), privateKey).toString('base64');
  return { ...unsigned, signature };
}

export function verifyCheckpointSignature(checkpoint: CheckpointData, publicKeyPem: string): boolean {
  try {
    const publicKey = createPublicKey(publicKeyPem);
    if (publicKey.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, Buffer.from(checkpointSigningText(checkpoint), 'utf8'), publicKey, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    return false;
  }
}
