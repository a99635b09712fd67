export { canonicalJson } from './lib/canonical-json';
export {
  AUDIT_ENTRY_VERSION,
  chainHash,
  extendChain,
  extendChainPrepared,
  genesisHash,
  prepareEntry,
  type AuditEntry,
  type ChainedRecord,
  type PreparedEntry,
} from './lib/chain';
export {
  verifySubjectChain,
  type RecordColumns,
  type StoredRecord,
  type TamperFinding,
  type TamperKind,
} from './lib/chain-verification';
export {
  EVIDENCE_BUNDLE_FORMAT,
  verifyEvidenceBundle,
  type BundleChain,
  type BundleRecord,
  type BundleVerification,
  type EvidenceBundle,
} from './lib/evidence-bundle';
export { sha256Hex } from './lib/hashing';
export { headLeafHash, inclusionProof, inclusionProofs, MerkleRootBuilder, merkleRoot, sortHeads, verifyInclusion, type ChainHead } from './lib/merkle';
export {
  checkpointSigningText,
  generateSigningKeyPair,
  keyIdOf,
  loadSigningKey,
  signCheckpoint,
  verifyCheckpointSignature,
  type CheckpointData,
  type SigningKeyPair,
  type UnsignedCheckpoint,
} from './lib/signing';
