import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { headLeafHash, MerkleRootBuilder, signCheckpoint, type CheckpointData } from '@vigie/audit-chain';
import { createEvent, tenantSubject } from '@vigie/contracts';
import type { Outbox } from '@vigie/messaging';
import { OUTBOX, SERVICE_LOGGER, SERVICE_SETTINGS } from '@vigie/service-kit';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import type { AuditSettings } from '../../audit.settings';
import { AUDIT_LOG_APPEND_LOCK } from '../../log/services/log-lock';
import { chainHeadPages, HEADS_PER_PAGE, type ChainHeadQuery } from './chain-head-pages';
import { SigningKeys } from './signing-keys.service';

export interface IssuedCheckpoint {
  tenant: string;
  /** Every record with a position up to this one (and none after) is covered. */
  upToPosition: string;
  eventId: string;
  data: CheckpointData;
}

/** What a cut says of one platform's chains, aggregated by the database. */
interface TenantHeadsRow {
  tenant: string;
  chains: string;
  records: string;
  last_position: string;
  /** Chains whose head moved since the platform's previous checkpoint (all of them without one). */
  moved: string;
  /** Whether every moved head is the platform's own checkpoint record. */
  only_checkpoints: boolean | null;
  /** The platform's latest checkpoint, if it has one. */
  previous_sequence: string | null;
  previous_root: string | null;
  previous_up_to: string | null;
}

interface TenantCut {
  readonly tenant: string;
  readonly chainCount: number;
  readonly recordCount: number;
  readonly lastPosition: string;
  readonly root: string;
  readonly previous: { sequence: number; root: string; upToPosition: string } | undefined;
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
  private timerRound: Promise<void> | undefined;
  /** Ticks skipped so far because a round was still running. */
  skippedTicks = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: SigningKeys,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(SERVICE_SETTINGS) private readonly settings: AuditSettings,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.checkpointIntervalMs <= 0) return;
    this.timer = setInterval(() => void this.tick(), this.settings.checkpointIntervalMs);
    this.timer.unref();
  }

  /**
   * One timer-driven round. A round still running when the next tick comes makes that tick a
   * no-op: queueing it instead would pile up a round per interval, without bound, on a log
   * whose checkpoints take longer than the interval (millions of chains on a slow disk).
   */
  async tick(): Promise<void> {
    if (this.timerRound) {
      this.skippedTicks++;
      this.logger.warn(
        { intervalMs: this.settings.checkpointIntervalMs, skippedTicks: this.skippedTicks },
        'the previous checkpoint round is still running: this interval is skipped (raise AUDIT_CHECKPOINT_INTERVAL_MS if this repeats)',
      );
      return;
    }
    this.timerRound = this.issue({ onlyWithNews: true })
      .then(() => undefined)
      .catch((error) => this.logger.error({ err: error }, 'checkpoint failed; next attempt at the next interval'))
      .finally(() => {
        this.timerRound = undefined;
      });
    await this.timerRound;
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
    const cut = await this.readCut(tenants, onlyWithNews);
    const { keyId, privateKey } = this.keys.signing;
    const issued: IssuedCheckpoint[] = [];
    for (const tenantCut of cut.tenants) {
      const { tenant, previous } = tenantCut;
      const issuedAt = new Date().toISOString();
      const data = signCheckpoint(
        {
          sequence: (previous?.sequence ?? 0) + 1,
          issuedAt,
          coversUntil: cut.recordedAt.get(tenantCut.lastPosition) ?? issuedAt,
          chainCount: tenantCut.chainCount,
          recordCount: tenantCut.recordCount,
          root: tenantCut.root,
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
   * Which platforms moved, and their counts, come from one aggregate; the roots of those that
   * did from their heads in subject order, a page at a time (never all heads in memory).
   */
  private async readCut(tenants: string[] | undefined, onlyWithNews: boolean) {
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
      // Each platform's heads aggregated, beside its latest checkpoint. `c.sequence`, qualified: a
      // bare `sequence` in ORDER BY names the text output column, which sorts 9 after 10 and made
      // the 11th checkpoint of a platform reuse sequence 10 (a 500).
      const tenantRows: TenantHeadsRow[] = await runner.query(
        `WITH latest AS (
           SELECT DISTINCT ON (c.tenant) c.tenant, c.sequence, c.root, c.up_to_position FROM audit.checkpoints c ORDER BY c.tenant, c.sequence DESC
         )
         SELECT h.tenant, count(*)::text AS chains, sum(h.seq)::text AS records, max(h.position)::text AS last_position,
                count(*) FILTER (WHERE h.position > coalesce(p.up_to_position, 0))::text AS moved,
                bool_and(h.last_type = 'audit.checkpoint') FILTER (WHERE h.position > coalesce(p.up_to_position, 0)) AS only_checkpoints,
                p.sequence::text AS previous_sequence, p.root AS previous_root, p.up_to_position::text AS previous_up_to
           FROM audit.chain_heads h
           LEFT JOIN latest p ON p.tenant = h.tenant
          ${tenants ? 'WHERE h.tenant = ANY($1::text[])' : ''}
          GROUP BY h.tenant, p.sequence, p.root, p.up_to_position ORDER BY h.tenant`,
        tenants ? [tenants] : [],
      );
      const due = tenantRows.filter((row) => {
        if (Number(row.moved) === 0) return false;
        // A platform whose only news is its own last checkpoint: signing again would never end.
        return !(onlyWithNews && row.previous_sequence !== null && row.only_checkpoints === true);
      });
      const cuts: TenantCut[] = [];
      for (const row of due) {
        cuts.push({
          tenant: row.tenant,
          chainCount: Number(row.chains),
          recordCount: Number(row.records),
          lastPosition: row.last_position,
          root: await rootOfChainHeads((sql, params) => runner.query(sql, params), row.tenant),
          previous:
            row.previous_sequence === null
              ? undefined
              : { sequence: Number(row.previous_sequence), root: (row.previous_root as string).trim(), upToPosition: row.previous_up_to as string },
        });
      }
      const recorded: { position: string; recorded_at: Date }[] = await runner.query(
        'SELECT position::text, recorded_at FROM audit.log WHERE position = ANY($1::bigint[])',
        [cuts.map((c) => c.lastPosition)],
      );
      await runner.commitTransaction();
      return {
        upToPosition: position as string,
        tenants: cuts,
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

/** The Merkle root over a platform's chain heads in leaf order, read a page at a time. */
export async function rootOfChainHeads(query: ChainHeadQuery, tenant: string, pageSize = HEADS_PER_PAGE): Promise<string> {
  const builder = new MerkleRootBuilder();
  for await (const page of chainHeadPages(query, tenant, pageSize)) {
    for (const head of page) builder.add(headLeafHash({ subject: head.subject, seq: Number(head.seq), hash: head.hash.trim() }));
  }
  return builder.root().toString('hex');
}
