import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NetworkState } from '../../assessments/services/network-state.service';
import type { HashListImportBody } from '../dtos/hash-list.dtos';

/**
 * Known-image hash lists (PDQ) from authorities: stored in the scoring schema, loaded into
 * the in-memory multi-index at start and on every import. Vigie never sees the images.
 */
@Injectable()
export class HashListStore implements OnApplicationBootstrap {
  constructor(
    private readonly dataSource: DataSource,
    private readonly network: NetworkState,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const rows: { list_id: string; pdq: string; quality: number }[] = await this.dataSource.query(
      `SELECT list_id, pdq, quality FROM scoring.known_hashes`,
    );
    for (const row of rows) this.network.knownImages.add(row.pdq, row.list_id, row.quality);
    this.network.knownImages.build();
  }

  async import(body: HashListImportBody): Promise<{ listId: string; received: number; stored: number; indexed: number }> {
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
