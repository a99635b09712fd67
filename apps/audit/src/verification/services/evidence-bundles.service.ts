import { Injectable } from '@nestjs/common';
import {
  EVIDENCE_BUNDLE_FORMAT,
  headLeafHash,
  inclusionProofs,
  type BundleChain,
  type CheckpointData,
  type EvidenceBundle,
} from '@vigie/audit-chain';
import type { Caller } from '@vigie/service-kit';
import { DataSource } from 'typeorm';
import { chainHeadPages } from '../../checkpoints/services/chain-head-pages';
import { CheckpointIssuer } from '../../checkpoints/services/checkpoint-issuer.service';
import { VerificationException, VerificationExceptionCode } from '../exceptions/verification.exception';
import { OneAtATime, TooManyWaitingError } from './one-at-a-time';

/** Bundle requests allowed to wait while another one's tree is built. */
export const MAX_WAITING_BUILDS = 4;
/** What a request turned away is told to wait, in seconds. */
const BUSY_RETRY_AFTER_SECONDS = 5;

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
  /**
   * One tree build at a time: a build holds 32 bytes per chain of the platform (380 MB peak RSS
   * measured at 2,000,000 chains), so concurrent ones would add up. Past MAX_WAITING_BUILDS
   * waiting, a request is turned away at once rather than queued.
   */
  private readonly treeBuilds = new OneAtATime(MAX_WAITING_BUILDS);

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

    const cut = checkpoint.upToPosition;
    const chainCount = checkpoint.data.chainCount;
    const { tree, paths } = await this.treeBuilds
      .run(async () => {
        const built = await this.treeAtCut(tenant, cut, new Set(subjects), chainCount);
        return { tree: built, paths: inclusionProofs(built.leaves, built.size, [...built.proved.values()].map((head) => head.leafIndex)) };
      })
      .catch((error: unknown) => {
        if (!(error instanceof TooManyWaitingError)) throw error;
        throw new VerificationException(
          VerificationExceptionCode.BUSY,
          `${error.waiting} evidence bundles are already waiting to be built: retry in ${BUSY_RETRY_AFTER_SECONDS} s`,
          BUSY_RETRY_AFTER_SECONDS,
        );
      });
    const proofOf = new Map([...tree.proved].map(([subject, head], k) => [subject, { ...head, treeSize: tree.size, path: paths[k] }]));

    const chains: BundleChain[] = [];
    const caseRecords: EvidenceBundle['caseRecords'] = [];
    for (const subject of subjects) {
      const rows: RecordRow[] = await this.dataSource.query(
        // `l.seq`, qualified: a bare `seq` in ORDER BY names the text output column (10 before 2).
        `SELECT l.position::text, l.seq::text, l.canonical, l.prev_hash, l.hash, l.event_id::text, l.type, l.correlation_id
           FROM audit.log l WHERE l.subject = $1 ORDER BY l.seq`,
        [subject],
      );
      chains.push({
        subject,
        records: rows.map((row) => ({ position: row.position, seq: Number(row.seq), canonical: row.canonical, prevHash: row.prev_hash, hash: row.hash })),
        proof: proofOf.get(subject) ?? null,
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

  /**
   * The tree as the checkpoint saw it: every chain's last record at or before the cut, in leaf
   * order, read a page of heads at a time into packed leaf hashes (32 bytes per chain, no row
   * kept), with the leaf index of each subject to prove. A head that has not moved since the
   * cut is the checkpoint's leaf as it stands; only the others look up their record at the cut,
   * and a chain begun after the cut is not in the tree.
   */
  private async treeAtCut(tenant: string, cut: string, wanted: ReadonlySet<string>, expectedSize: number) {
    // Sized by the checkpoint's own count, within reason: the buffer doubles if it is short.
    let leaves = Buffer.alloc(Math.min(Math.max(1, expectedSize), 1 << 22) * 32);
    let size = 0;
    const proved = new Map<string, { headSeq: number; leafIndex: number }>();
    const cutPosition = BigInt(cut);
    const query = (sql: string, params: unknown[]) => this.dataSource.query(sql, params);
    for await (const page of chainHeadPages(query, tenant)) {
      const moved = new Set(page.filter((head) => BigInt(head.position) > cutPosition).map((head) => head.subject));
      const atCut = new Map<string, { seq: string; hash: string }>();
      if (moved.size > 0) {
        const rows: { subject: string; seq: string; hash: string }[] = await this.dataSource.query(
          `SELECT DISTINCT ON (l.subject) l.subject, l.seq::text, l.hash FROM audit.log l
            WHERE l.subject = ANY($1::text[]) AND l.position <= $2 ORDER BY l.subject, l.seq DESC`,
          [[...moved], cut],
        );
        for (const row of rows) atCut.set(row.subject, row);
      }
      for (const head of page) {
        const leaf = moved.has(head.subject) ? atCut.get(head.subject) : head;
        if (leaf === undefined) continue;
        if ((size + 1) * 32 > leaves.length) leaves = Buffer.concat([leaves, Buffer.alloc(leaves.length)]);
        headLeafHash({ subject: head.subject, seq: Number(leaf.seq), hash: leaf.hash.trim() }).copy(leaves, size * 32);
        if (wanted.has(head.subject)) proved.set(head.subject, { headSeq: Number(leaf.seq), leafIndex: size });
        size++;
      }
    }
    return { leaves, size, proved };
  }

  private async latestCheckpoint(tenant: string): Promise<{ upToPosition: string; data: CheckpointData } | undefined> {
    const [row] = await this.dataSource.query(
      'SELECT up_to_position::text, data FROM audit.checkpoints WHERE tenant = $1 ORDER BY sequence DESC LIMIT 1',
      [tenant],
    );
    return row ? { upToPosition: row.up_to_position, data: row.data } : undefined;
  }
}
