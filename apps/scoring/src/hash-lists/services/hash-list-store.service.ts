import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { updateReturning } from '@vigie/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { NetworkState } from '../../assessments/services/network-state.service';
import type { HashListImportBody, HashListWithdrawalBody } from '../dtos/hash-list.dtos';
import { HashListException, HashListExceptionCode } from '../exceptions/hash-list.exception';

/** Known hashes read at a time when the index is loaded at start. */
const LOAD_PAGE_SIZE = 50_000;

/**
 * Known-image hash lists (PDQ) from authorities: stored in the scoring schema, loaded into
 * the in-memory multi-index at start and on every import. Vigie never sees the images.
 */
@Injectable()
export class HashListStore implements OnApplicationBootstrap {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly network: NetworkState,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A page at a time: a list of millions read whole held its rows beside the index it fills.
    let after = { listId: '', pdq: '' };
    for (;;) {
      const rows: { list_id: string; pdq: string; quality: number }[] = await this.dataSource.query(
        `SELECT list_id, pdq, quality FROM scoring.known_hashes WHERE (list_id, pdq) > ($1, $2) ORDER BY list_id, pdq LIMIT $3`,
        [after.listId, after.pdq, LOAD_PAGE_SIZE],
      );
      for (const row of rows) this.network.knownImages.add(row.pdq, row.list_id, row.quality);
      if (rows.length < LOAD_PAGE_SIZE) break;
      after = { listId: rows[rows.length - 1].list_id, pdq: rows[rows.length - 1].pdq };
    }
    this.network.knownImages.build();
    this.network.markLoaded('hash-lists');
  }

  import(body: HashListImportBody): Promise<{ listId: string; received: number; stored: number; indexed: number }> {
    return this.oneAtATime(() => this.importNow(body));
  }

  /**
   * Withdraws hashes from a list (its publisher took them back): deleted from the database and
   * never matched again. Ads already scored on them are not re-assessed.
   */
  withdraw(listId: string, body: HashListWithdrawalBody): Promise<{ listId: string; received: number; withdrawn: number; remaining: number }> {
    return this.oneAtATime(async () => {
      const hashes = [...new Set(body.hashes.map((hash) => hash.toLowerCase()))];
      const { withdrawn, remaining } = await this.dataSource.transaction(async (manager) => {
        await this.lockList(manager, listId);
        const deleted = await updateReturning<{ pdq: string }>(manager, `DELETE FROM scoring.known_hashes WHERE list_id = $1 AND pdq = ANY($2) RETURNING pdq`, [listId, hashes]);
        const [list] = await updateReturning<{ hash_count: number }>(
          manager,
          `UPDATE scoring.hash_lists SET hash_count = hash_count - $2, imported_at = clock_timestamp() WHERE list_id = $1 RETURNING hash_count`,
          [listId, deleted.length],
        );
        return { withdrawn: deleted.map((row) => row.pdq), remaining: list.hash_count };
      });
      for (const pdq of withdrawn) this.network.knownImages.withdraw(pdq, listId);
      return { listId, received: body.hashes.length, withdrawn: withdrawn.length, remaining };
    });
  }

  /** Deletes a whole list and its hashes; none of them is matched again. */
  remove(listId: string): Promise<{ listId: string; withdrawn: number }> {
    return this.oneAtATime(async () => {
      const withdrawn = await this.dataSource.transaction(async (manager) => {
        await this.lockList(manager, listId);
        // Counted, not returned: a list of millions would be held whole to be withdrawn one by one.
        const [{ deleted }]: { deleted: number }[] = await manager.query(
          `WITH gone AS (DELETE FROM scoring.known_hashes WHERE list_id = $1 RETURNING 1) SELECT count(*)::int AS deleted FROM gone`,
          [listId],
        );
        await manager.query(`DELETE FROM scoring.hash_lists WHERE list_id = $1`, [listId]);
        return deleted;
      });
      this.network.knownImages.withdrawList(listId);
      return { listId, withdrawn };
    });
  }

  private async lockList(manager: EntityManager, listId: string): Promise<void> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM scoring.hash_lists WHERE list_id = $1 FOR UPDATE`, [listId]);
    if (rows.length === 0) throw new HashListException(HashListExceptionCode.LIST_NOT_FOUND, `no hash list "${listId}"`);
  }

  /**
   * Imports and withdrawals change the database and then the in-memory index: one at a time,
   * so the index ends as the database does whatever order their transactions commit in.
   */
  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async importNow(body: HashListImportBody): Promise<{ listId: string; received: number; stored: number; indexed: number }> {
    const hashes = body.hashes.map((hash) => ({ pdq: hash.pdq.toLowerCase(), quality: hash.quality ?? 100 }));
    const stored = await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO scoring.hash_lists (list_id, source, list_version, hash_count) VALUES ($1, $2, $3, 0)
         ON CONFLICT (list_id) DO UPDATE SET source = excluded.source, list_version = excluded.list_version, imported_at = clock_timestamp()`,
        [body.listId, body.source, body.version],
      );
      const inserted: { pdq: string }[] = await manager.query(
        `INSERT INTO scoring.known_hashes (list_id, pdq, quality)
         SELECT $1, h.pdq, h.quality FROM unnest($2::text[], $3::int[]) AS h(pdq, quality)
         ON CONFLICT DO NOTHING RETURNING pdq`,
        [body.listId, hashes.map((h) => h.pdq), hashes.map((h) => h.quality)],
      );
      await manager.query(
        `UPDATE scoring.hash_lists SET hash_count = (SELECT count(*) FROM scoring.known_hashes WHERE list_id = $1) WHERE list_id = $1`,
        [body.listId],
      );
      return new Set(inserted.map((row) => row.pdq));
    });
    // Only hashes new to this list enter the in-memory index, so re-imports never double them.
    const storedCount = stored.size;
    let indexed = 0;
    for (const hash of hashes) {
      if (!stored.delete(hash.pdq)) continue;
      if (this.network.knownImages.add(hash.pdq, body.listId, hash.quality) !== undefined) indexed++;
    }
    this.network.knownImages.build();
    return { listId: body.listId, received: hashes.length, stored: storedCount, indexed };
  }

  async lists() {
    const rows: { list_id: string; source: string; list_version: string; hash_count: number; imported_at: Date }[] =
      await this.dataSource.query(`SELECT * FROM scoring.hash_lists ORDER BY list_id`);
    return rows.map((row) => ({
      listId: row.list_id,
      source: row.source,
      version: row.list_version,
      hashCount: row.hash_count,
      importedAt: row.imported_at.toISOString(),
    }));
  }
}
