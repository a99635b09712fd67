import { Injectable } from '@nestjs/common';
import {
  EVIDENCE_BUNDLE_FORMAT,
  headLeafHash,
  inclusionProof,
  type BundleChain,
  type CheckpointData,
  type EvidenceBundle,
} from '@vigie/audit-chain';
import type { Caller } from '@vigie/service-kit';
import { DataSource } from 'typeorm';
import { CheckpointIssuer } from '../../checkpoints/services/checkpoint-issuer.service';
import { VerificationException, VerificationExceptionCode } from '../exceptions/verification.exception';

interface RecordRow {
  position: string;
  seq: string;
  canonical: string;
  prev_hash: string;
  hash: string;
  event_id: string;
  type: string;
  correlation_id: string | null;
}

/**
 * Evidence bundles: one case's records with their whole chains, the signed checkpoint that
 * covers them and Merkle proofs of the chain heads, checkable offline with the public key
 * (`verifyEvidenceBundle`). When the latest checkpoint does not cover the case's newest
 * records yet, one is issued first.
 */
@Injectable()
export class EvidenceBundles {
  constructor(
    private readonly dataSource: DataSource,
    private readonly issuer: CheckpointIssuer,
  ) {}

  async forCase(caseId: string, caller: Caller): Promise<EvidenceBundle> {
    const subjectsRows: { subject: string; tenant: string }[] = await this.dataSource.query(
      'SELECT DISTINCT subject, tenant FROM audit.log WHERE correlation_id = $1 ORDER BY subject',
      [caseId],
    );
    const tenant = subjectsRows[0]?.tenant;
    // Another platform's case is answered exactly like a case that does not exist.
    if (!tenant || (caller.platformId !== null && caller.platformId !== tenant)) {
      throw new VerificationException(VerificationExceptionCode.CASE_NOT_FOUND, `no audit records for case ${caseId}`);
    }
    const subjects = subjectsRows.filter((row) => row.tenant === tenant).map((row) => row.subject);

    let checkpoint = await this.latestCheckpoint(tenant);
    const [{ newest }] = await this.dataSource.query('SELECT max(position)::text AS newest FROM audit.log WHERE subject = ANY($1::text[])', [subjects]);
    if (!checkpoint || BigInt(checkpoint.upToPosition) < BigInt(newest)) {
      await this.issuer.issue({ tenants: [tenant] });
      checkpoint = await this.latestCheckpoint(tenant);
    }
    if (!checkpoint) throw new VerificationException(VerificationExceptionCode.NO_CHECKPOINT, `no checkpoint could be issued for ${tenant}`);

    // The tree as the checkpoint saw it: every chain's last record at or before the cut.
    const leafRows: { subject: string; seq: string; hash: string }[] = await this.dataSource.query(
      `SELECT h.subject, l.seq::text, l.hash FROM audit.chain_heads h
         CROSS JOIN LATERAL (SELECT seq, hash FROM audit.log WHERE subject = h.subject AND position <= $2 ORDER BY seq DESC LIMIT 1) l
        WHERE h.tenant = $1 ORDER BY h.subject`,
      [tenant, checkpoint.upToPosition],
    );
    const leaves = leafRows.map((row) => headLeafHash({ subject: row.subject, seq: Number(row.seq), hash: row.hash.trim() }));
    const indexBySubject = new Map(leafRows.map((row, index) => [row.subject, index]));

    const chains: BundleChain[] = [];
    const caseRecords: EvidenceBundle['caseRecords'] = [];
    for (const subject of subjects) {
      const rows: RecordRow[] = await this.dataSource.query(
        // `l.seq`, qualified: a bare `seq` in ORDER BY names the text output column (10 before 2).
        `SELECT l.position::text, l.seq::text, l.canonical, l.prev_hash, l.hash, l.event_id::text, l.type, l.correlation_id
           FROM audit.log l WHERE l.subject = $1 ORDER BY l.seq`,
        [subject],
      );
      const leafIndex = indexBySubject.get(subject);
      chains.push({
        subject,
        records: rows.map((row) => ({ position: row.position, seq: Number(row.seq), canonical: row.canonical, prevHash: row.prev_hash, hash: row.hash })),
        proof:
          leafIndex === undefined
            ? null
            : { headSeq: Number(leafRows[leafIndex].seq), leafIndex, treeSize: leaves.length, path: inclusionProof(leaves, leafIndex) },
      });
      for (const row of rows) caseRecords.push({ subject, seq: Number(row.seq), eventId: row.event_id, type: row.type });
    }
    return {
      format: EVIDENCE_BUNDLE_FORMAT,
      caseId,
      tenant,
      generatedAt: new Date().toISOString(),
      caseRecords,
      chains,
      checkpoint: { tenant, upToPosition: checkpoint.upToPosition, data: checkpoint.data },
      keyId: checkpoint.data.keyId,
    };
  }

  private async latestCheckpoint(tenant: string): Promise<{ upToPosition: string; data: CheckpointData } | undefined> {
    const [row] = await this.dataSource.query(
      'SELECT up_to_position::text, data FROM audit.checkpoints WHERE tenant = $1 ORDER BY sequence DESC LIMIT 1',
      [tenant],
    );
    return row ? { upToPosition: row.up_to_position, data: row.data } : undefined;
  }
}
