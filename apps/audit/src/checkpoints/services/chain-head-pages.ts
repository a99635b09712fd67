/** One row of `audit.chain_heads` as the pages below give it. */
export interface ChainHeadRow {
  subject: string;
  seq: string;
  hash: string;
  position: string;
}

export type ChainHeadQuery = (sql: string, params: unknown[]) => Promise<ChainHeadRow[]>;

/** Chain heads read per query: memory stays flat for a platform with millions of chains. */
export const HEADS_PER_PAGE = 10_000;

/**
 * A platform's chain heads in leaf order, `pageSize` at a time (keyset on the subject). `subject`
 * is COLLATE "C", so the index gives byte order, which is `sortHeads`' order for the ASCII
 * subjects Vigie keys. Checkpoints and evidence bundles both build their trees from these.
 */
export async function* chainHeadPages(query: ChainHeadQuery, tenant: string, pageSize = HEADS_PER_PAGE): AsyncGenerator<ChainHeadRow[]> {
  let after = '';
  for (;;) {
    const page = await query(
      `SELECT subject, seq::text, hash, position::text FROM audit.chain_heads WHERE tenant = $1 AND subject > $2 ORDER BY subject LIMIT $3`,
      [tenant, after, pageSize],
    );
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1].subject;
  }
}
