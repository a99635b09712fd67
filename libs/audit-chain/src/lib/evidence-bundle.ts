import type { AuditEntry } from './chain';
import { verifySubjectChain } from './chain-verification';
import { headLeafHash, verifyInclusion } from './merkle';
import { keyIdOf, verifyCheckpointSignature, type CheckpointData } from './signing';

export const EVIDENCE_BUNDLE_FORMAT = 'vigie-evidence-bundle/1';

export interface BundleRecord {
  position: string;
  seq: number;
  canonical: string;
  prevHash: string;
  hash: string;
}

export interface BundleChain {
  subject: string;
  /** Every record of the subject from seq 1, so the chain recomputes from its genesis. */
  records: BundleRecord[];
  /** Inclusion of this chain's head as of the checkpoint (null when the checkpoint predates the chain). */
  proof: { headSeq: number; leafIndex: number; treeSize: number; path: string[] } | null;
}

/**
 * Everything needed to check one case's audit trail offline with only the audit's public key:
 * the case's records, the full chains they belong to, the signed checkpoint that covers them
 * and the Merkle audit path of each chain head in it.
 */
export interface EvidenceBundle {
  format: typeof EVIDENCE_BUNDLE_FORMAT;
  caseId: string;
  tenant: string;
  generatedAt: string;
  /** The records that are about the case (correlation id = case, or the case's ad subject). */
  caseRecords: { subject: string; seq: number; eventId: string; type: string }[];
  chains: BundleChain[];
  checkpoint: { tenant: string; upToPosition: string; data: CheckpointData };
  keyId: string;
}

export interface BundleVerification {
  valid: boolean;
  problems: string[];
  /** Per chain, up to which seq the signed checkpoint vouches for it (0: not covered yet). */
  coverage: { subject: string; records: number; coveredThroughSeq: number }[];
}

/** Verifies an evidence bundle offline: signature, key, every chain, every head's inclusion, the case records' presence. */
export function verifyEvidenceBundle(bundle: EvidenceBundle, publicKeyPem: string): BundleVerification {
  const problems: string[] = [];
  const coverage: BundleVerification['coverage'] = [];
  if (bundle?.format !== EVIDENCE_BUNDLE_FORMAT) {
    return { valid: false, problems: [`not an evidence bundle (format ${JSON.stringify(bundle?.format)})`], coverage };
  }
  const checkpoint = bundle.checkpoint?.data;
  let keyId: string | undefined;
  try {
    keyId = keyIdOf(publicKeyPem);
  } catch (error) {
    problems.push(`the public key cannot be read: ${(error as Error).message}`);
  }
  if (!checkpoint) {
    problems.push('the bundle carries no checkpoint');
  } else {
    if (keyId && checkpoint.keyId !== keyId) problems.push(`the checkpoint was signed with key ${checkpoint.keyId}, not with the given public key (${keyId})`);
    if (bundle.keyId !== checkpoint.keyId) problems.push('the bundle names another key than its checkpoint');
    if (!verifyCheckpointSignature(checkpoint, publicKeyPem)) problems.push('the checkpoint signature is not valid for the given public key');
  }

  const bySubjectSeq = new Map<string, AuditEntry>();
  for (const chain of bundle.chains ?? []) {
    const records = chain.records ?? [];
    for (const finding of verifySubjectChain(chain.subject, records.map((r) => ({ ...r, subject: chain.subject })))) {
      problems.push(`${chain.subject} seq ${finding.seq}: ${finding.kind} (${finding.detail})`);
    }
    for (const record of records) {
      try {
        bySubjectSeq.set(`${chain.subject}\n${record.seq}`, JSON.parse(record.canonical) as AuditEntry);
      } catch {
        // already reported as edited
      }
    }
    let coveredThroughSeq = 0;
    if (chain.proof && checkpoint) {
      const head = records.find((record) => record.seq === chain.proof?.headSeq);
      if (!head) {
        problems.push(`${chain.subject}: the checkpointed head seq ${chain.proof.headSeq} is not in the bundle`);
      } else if (chain.proof.treeSize !== checkpoint.chainCount) {
        problems.push(`${chain.subject}: the proof is for a tree of ${chain.proof.treeSize} chains, the checkpoint has ${checkpoint.chainCount}`);
      } else if (
        !verifyInclusion(headLeafHash({ subject: chain.subject, seq: head.seq, hash: head.hash }), chain.proof.leafIndex, chain.proof.treeSize, chain.proof.path, checkpoint.root)
      ) {
        problems.push(`${chain.subject}: head seq ${head.seq} is not included in the checkpoint's Merkle tree`);
      } else {
        coveredThroughSeq = head.seq;
      }
    }
    coverage.push({ subject: chain.subject, records: records.length, coveredThroughSeq });
  }
  for (const reference of bundle.caseRecords ?? []) {
    const entry = bySubjectSeq.get(`${reference.subject}\n${reference.seq}`);
    if (!entry || entry.event.id !== reference.eventId || entry.event.type !== reference.type) {
      problems.push(`case record ${reference.eventId} (${reference.subject} seq ${reference.seq}) is not in its chain`);
    } else if (entry.event.correlationId !== bundle.caseId && !bundle.chains.some((c) => c.subject === entry.event.subject)) {
      problems.push(`case record ${reference.eventId} does not belong to case ${bundle.caseId}`);
    }
  }
  if (!coverage.some((chain) => chain.coveredThroughSeq > 0)) problems.push('no chain of the bundle is covered by the checkpoint');
  return { valid: problems.length === 0, problems, coverage };
}
