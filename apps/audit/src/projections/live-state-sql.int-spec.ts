import { Client } from 'pg';
import { liveStatePredicatesSql, liveStateSql, type LiveSlaState } from './services/case-projection';

const STATES: LiveSlaState[] = ['met', 'breached', 'open', 'at-risk', 'open-breached', 'paused'];

/**
 * The SLA report counts states with `liveStatePredicatesSql` and names them with `liveStateSql`:
 * both are run by Postgres here over every combination of the stored columns, NULLs included.
 */
describe('live SLA state in SQL: one CASE, or one predicate per state', () => {
  let client: Client;

  beforeAll(async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('DATABASE_URL is not set: run the integration specs through npm test');
    client = new Client({ connectionString: url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
  });

  it.each(['response', 'removal'] as const)('gives each %s row the one state the CASE gives it', async (kind) => {
    const predicates = liveStatePredicatesSql(kind, '$1::timestamptz');
    const instants = `(VALUES (NULL::timestamptz), ($1::timestamptz - interval '1 hour'), ($1::timestamptz), ($1::timestamptz + interval '1 hour'))`;
    const { rows } = await client.query<{ state: string | null; matching: string[] }>(
      `SELECT ${liveStateSql(kind, '$1::timestamptz')} AS state,
              array_remove(ARRAY[${STATES.map((state) => `CASE WHEN ${predicates[state]} THEN '${state}' END`).join(', ')}], NULL) AS matching
         FROM (VALUES (true), (false)) a(${kind}_applicable)
        CROSS JOIN (VALUES (NULL::text), ('met'), ('breached')) f(${kind}_final_state)
        CROSS JOIN (VALUES (NULL::timestamptz), ($1::timestamptz - interval '2 hours'), ($1::timestamptz + interval '2 hours')) p(${kind}_paused_since)
        CROSS JOIN ${instants} d(${kind}_deadline)
        CROSS JOIN ${instants} w(${kind}_warn_at)`,
      ['2026-11-24T12:00:00Z'],
    );
    expect(rows).toHaveLength(2 * 3 * 3 * 4 * 4);
    for (const row of rows) expect(row.matching).toEqual(row.state === null ? [] : [row.state]);
    // Every state is reached, so every predicate was tried on rows of its own and of the others.
    expect(new Set(rows.map((row) => row.state))).toEqual(new Set([null, ...STATES]));
  });
});
