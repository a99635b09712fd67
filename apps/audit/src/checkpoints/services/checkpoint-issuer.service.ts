import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { headLeafHash, merkleRoot, signCheckpoint, sortHeads, type CheckpointData } from '@vigie/audit-chain';
import { createEvent, tenantSubject } from '@vigie/contracts';
import type { Outbox } from '@vigie/messaging';
import { OUTBOX, SERVICE_LOGGER, SERVICE_SETTINGS } from '@vigie/service-kit';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { AuditSettings } from '../../audit.settings';
import { AUDIT_LOG_APPEND_LOCK } from '../../log/services/log-lock';
import { SigningKeys } from './signing-keys.service';

export interface IssuedCheckpoint {
  tenant: string;
  /** Every record with a position up to this one (and none after) is covered. */
  upToPosition: string;
  eventId: string;
  data: CheckpointData;
}

interface HeadRow {
  tenant: string;
  subject: string;
  seq: string;
  hash: string;
  position: string;
  last_type: string;
}

/**
 * Issues Ed25519-signed checkpoints, one per platform (the `audit.checkpoint` contract is per
 * platform): a Merkle root over the heads of all that platform's chains, as of a cut of the
 * log. Each is stored (append-only), published on `audit.checkpoints.v1` through the outbox,
 * and appended to a JSON-lines file outside the database.
 *
 * The audit consumes its own checkpoints too, so each one lengthens the platform's `<p>:*`
 * chain; the timer therefore skips a platform whose only news since its last checkpoint is
 * that checkpoint, or it would sign forever for an idle platform.
 */
@Injectable()
export class CheckpointIssuer implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: SigningKeys,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_SETTINGS) private readonly settings: AuditSettings,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.checkpointIntervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.issue({ onlyWithNews: true }).catch((error) => this.logger.error({ err: error }, 'checkpoint failed; next attempt at the next interval'));
    }, this.settings.checkpointIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running.catch(() => undefined);
  }

  /**
   * Issues a checkpoint for every platform whose chains moved since its last one (only those of
   * `tenants` when given). With `onlyWithNews`, a platform whose only new record is its own last
   * checkpoint is skipped. Runs one at a time.
   */
  issue(options: { tenants?: string[]; onlyWithNews?: boolean } = {}): Promise<IssuedCheckpoint[]> {
    const next = this.running.catch(() => undefined).then(() => this.issueNow(options));
    this.running = next;
    return next;
  }

  private async issueNow({ tenants, onlyWithNews = false }: { tenants?: string[]; onlyWithNews?: boolean }): Promise<IssuedCheckpoint[]> {
    const cut = await this.readCut(tenants);
    const { keyId, privateKey } = this.keys.signing;
    const issued: IssuedCheckpoint[] = [];
    for (const [tenant, heads] of cut.headsByTenant) {
      const previous = cut.previous.get(tenant);
      const moved = heads.filter((head) => !previous || BigInt(head.position) > BigInt(previous.upToPosition));
      if (moved.length === 0) continue;
      if (onlyWithNews && previous && moved.every((head) => head.last_type === 'audit.checkpoint')) continue;
      const leaves = sortHeads(heads.map((head) => ({ subject: head.subject, seq: Number(head.seq), hash: head.hash.trim() }))).map(headLeafHash);
      const lastPosition = heads.reduce((max, head) => (BigInt(head.position) > max ? BigInt(head.position) : max), 0n);
      const issuedAt = new Date().toISOString();
      const data = signCheckpoint(
        {
          sequence: (previous?.sequence ?? 0) + 1,
          issuedAt,
          coversUntil: cut.recordedAt.get(lastPosition.toString()) ?? issuedAt,
          chainCount: heads.length,
          recordCount: heads.reduce((sum, head) => sum + Number(head.seq), 0),
          root: merkleRoot(leaves).toString('hex'),
          previousRoot: previous?.root ?? null,
          algorithm: 'ed25519',
          keyId,
        },
        privateKey,
      );
      const event = createEvent('audit.checkpoint', { tenant, subject: tenantSubject(tenant), source: 'audit', occurredAt: issuedAt, data });
      await this.dataSource.transaction(async (manager) => {
        await manager.query(
          `INSERT INTO audit.checkpoints (tenant, sequence, event_id, up_to_position, root, chain_count, record_count, issued_at, key_id, data)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [tenant, data.sequence, event.id, cut.upToPosition, data.root, data.chainCount, data.recordCount, issuedAt, keyId, JSON.stringify(data)],
        );
        await this.outbox.enqueue(manager, [event]);
      });
      const checkpoint = { tenant, upToPosition: cut.upToPosition, eventId: event.id, data };
      issued.push(checkpoint);
      await this.appendToFile(checkpoint);
    }
    if (issued.length > 0) this.logger.info({ checkpoints: issued.map((c) => ({ tenant: c.tenant, sequence: c.data.sequence })) }, 'checkpoints issued');
    return issued;
  }

  /**
   * A consistent cut: while holding the append lock no batch is half-written, so the snapshot
   * taken then contains every record up to the highest position and none after. The lock is
   * released as soon as the snapshot exists; the heads are read from the snapshot afterwards.
   */
  private async readCut(tenants: string[] | undefined) {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let locked = false;
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [AUDIT_LOG_APPEND_LOCK]);
      locked = true;
      await runner.startTransaction('REPEATABLE READ');
      const [{ position }] = await runner.query('SELECT coalesce(max(position), 0)::text AS position FROM audit.log');
      await runner.query('SELECT pg_advisory_unlock($1)', [AUDIT_LOG_APPEND_LOCK]);
      locked = false;
      const heads: HeadRow[] = await runner.query(
        `SELECT tenant, subject, seq::text, hash, position::text, last_type FROM audit.chain_heads
          ${tenants ? 'WHERE tenant = ANY($1::text[])' : ''} ORDER BY tenant, subject`,
        tenants ? [tenants] : [],
      );
      // `c.sequence`, qualified: a bare `sequence` in ORDER BY names the text output column, which
      // sorts 9 after 10 and made the 11th checkpoint of a platform reuse sequence 10 (a 500).
      const previousRows: { tenant: string; sequence: string; root: string; up_to_position: string }[] = await runner.query(
        `SELECT DISTINCT ON (c.tenant) c.tenant, c.sequence::text, c.root, c.up_to_position::text FROM audit.checkpoints c ORDER BY c.tenant, c.sequence DESC`,
      );
      const headsByTenant = new Map<string, HeadRow[]>();
      const lastPositions: string[] = [];
      for (const head of heads) {
        const list = headsByTenant.get(head.tenant);
        if (list) list.push(head);
        else headsByTenant.set(head.tenant, [head]);
      }
      for (const list of headsByTenant.values()) {
        lastPositions.push(list.reduce((max, head) => (BigInt(head.position) > BigInt(max) ? head.position : max), '0'));
      }
      const recorded: { position: string; recorded_at: Date }[] = await runner.query(
        'SELECT position::text, recorded_at FROM audit.log WHERE position = ANY($1::bigint[])',
        [lastPositions],
      );
      await runner.commitTransaction();
      return {
        upToPosition: position as string,
        headsByTenant,
        previous: new Map(
          previousRows.map((row) => [row.tenant, { sequence: Number(row.sequence), root: row.root.trim(), upToPosition: row.up_to_position }]),
        ),
        recordedAt: new Map(recorded.map((row) => [row.position, row.recorded_at.toISOString()])),
      };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      if (locked) await runner.query('SELECT pg_advisory_unlock($1)', [AUDIT_LOG_APPEND_LOCK]).catch(() => undefined);
      await runner.release();
    }
  }

  private async appendToFile(checkpoint: IssuedCheckpoint): Promise<void> {
    const file = this.settings.checkpointFile;
    try {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${JSON.stringify(checkpoint)}\n`, 'utf8');
    } catch (error) {
      // The checkpoint is signed, stored and on its way to Kafka; the file is one more copy.
      this.logger.error({ err: error, file }, 'could not append the checkpoint to the checkpoint file');
    }
  }
}
