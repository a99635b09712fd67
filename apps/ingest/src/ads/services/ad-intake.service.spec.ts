import { prepareSubmittedAd } from '@vigie/ad-intake';
import { decodeEvent, EVENT_DEFINITIONS } from '@vigie/contracts';
import { Outbox } from '@vigie/messaging';
import type { EntityManager } from 'typeorm';
import { AdIntakeService, type IntakeItem } from './ad-intake.service';

const example = EVENT_DEFINITIONS.find((d) => d.type === 'ad.submitted')?.example.data as Record<string, unknown>;
const receivedAt = new Date('2026-11-23T08:00:00.000Z');

function itemOf(index: number, overrides: Record<string, unknown>, causationId?: string): IntakeItem {
  const prepared = prepareSubmittedAd({ ...example, ...overrides }, { receivedAt, maxFutureSkewMs: 300000 });
  if (!prepared.ok) throw new Error(JSON.stringify(prepared.problems));
  return { kind: 'ad', index, causationId, normalised: prepared.normalised };
}

/**
 * A transaction that knows the given stored ads and records the statements it receives. The
 * ad write inserts every new ad, except on the first `racesLost` attempts, where a concurrent
 * request is taken to have stored one of them first.
 */
function fakeManager(stored: Record<string, unknown>[], racesLost = 0) {
  const statements: { sql: string; params: unknown[] }[] = [];
  let lost = 0;
  const manager = {
    async query(sql: string, params: unknown[]) {
      statements.push({ sql, params });
      if (sql.includes('INSERT INTO ingest.ads')) {
        const rows = JSON.parse(params[2] as string) as { is_new: boolean }[];
        const newAds = rows.filter((row) => row.is_new).length;
        const inserted = lost < racesLost ? newAds - 1 : newAds;
        if (lost < racesLost) lost++;
        return [{ inserted, updated: rows.length - newAds }];
      }
      return sql.includes('JOIN ingest.ads') ? stored : [];
    },
  };
  return { manager: manager as unknown as EntityManager, statements };
}

describe('AdIntakeService events', () => {
  it('builds ad.ingested and ad.updated events that pass the contract as published', async () => {
    const previous = itemOf(0, { platformAdId: 'known', body: 'Ancien texte' });
    if (previous.kind !== 'ad') throw new Error('unreachable');
    const { manager, statements } = fakeManager([
      { ad_id: 'known', version: 3, content_hash: previous.normalised.contentHash, field_hashes: previous.normalised.fieldHashes, status: 'live' },
      { ad_id: 'gone', version: 1, content_hash: 'f'.repeat(64), field_hashes: {}, status: 'removed' },
    ]);
    const service = new AdIntakeService(new Outbox('ingest'));
    const items = [
      itemOf(0, { platformAdId: 'new-1' }),
      itemOf(1, { platformAdId: 'known', body: 'Nouveau texte' }),
      itemOf(2, { platformAdId: 'gone' }, '01890a5d-ac96-774b-bcce-b302099a8057'),
      itemOf(3, { platformAdId: 'removed-now', status: 'removed' }),
    ];

    const { results, pending } = await service.intake(manager, 'demo-annonces', items, { channel: 'http-batch', receivedAt });

    expect(results.map((r) => [r.platformAdId, r.status, r.event, r.version])).toEqual([
      ['new-1', 'accepted', 'ad.ingested', 1],
      ['known', 'accepted', 'ad.updated', 4],
      ['gone', 'accepted', 'ad.updated', 2],
      ['removed-now', 'accepted', 'ad.removed', 0],
    ]);
    const decoded = pending.map((p) => decodeEvent(p.record.value));
    for (const result of decoded) expect(result).toMatchObject({ ok: true });
    const events = decoded.map((result) => (result.ok ? result.event : undefined));
    expect(events.map((e) => e?.id)).toEqual(results.map((r) => r.eventId));
    expect(events[0]).toMatchObject({ type: 'ad.ingested', subject: 'demo-annonces:new-1', occurredAt: receivedAt.toISOString(), source: 'ingest' });
    expect(events[0]?.data).toMatchObject({ adVersion: 1, receivedAt: receivedAt.toISOString(), channel: 'http-batch' });
    expect(events[1]?.data).toMatchObject({ previousContentHash: previous.normalised.contentHash, changedFields: ['body'] });
    expect(events[2]).toMatchObject({ causationId: '01890a5d-ac96-774b-bcce-b302099a8057', data: { changedFields: expect.arrayContaining(['status']) } });

    // Ad state and outbox rows are written with one statement each, whatever the batch size.
    expect(statements.filter((s) => s.sql.includes('INSERT INTO ingest.ads'))).toHaveLength(1);
    expect(statements.filter((s) => s.sql.includes('outbox'))).toHaveLength(1);
  });

  it('finds the same content again a duplicate, with no event', async () => {
    const item = itemOf(0, { platformAdId: 'same' });
    if (item.kind !== 'ad') throw new Error('unreachable');
    const { manager } = fakeManager([
      { ad_id: 'same', version: 2, content_hash: item.normalised.contentHash, field_hashes: item.normalised.fieldHashes, status: 'live' },
    ]);
    const { results, pending } = await new AdIntakeService(new Outbox('ingest')).intake(manager, 'demo-annonces', [item], { channel: 'ndjson', receivedAt });
    expect(results).toEqual([{ index: 0, platformAdId: 'same', status: 'duplicate', version: 2 }]);
    expect(pending).toEqual([]);
  });

  it('starts again from its savepoint when a concurrent request stored one of its new ads first', async () => {
    const { manager, statements } = fakeManager([], 1);
    const { results, pending } = await new AdIntakeService(new Outbox('ingest')).intake(manager, 'demo-annonces', [itemOf(0, { platformAdId: 'contested' })], { channel: 'http-batch', receivedAt });
    expect(results).toMatchObject([{ platformAdId: 'contested', status: 'accepted', event: 'ad.ingested' }]);
    expect(pending).toHaveLength(1);
    const sequence = statements.map((s) => (s.sql.includes('SAVEPOINT') ? s.sql : s.sql.includes('INSERT INTO ingest.ads') ? 'write' : s.sql.includes('outbox') ? 'outbox' : 'read'));
    // The outbox may add statements of its own after its insert.
    expect(sequence.slice(0, 8)).toEqual(['SAVEPOINT ad_intake', 'read', 'write', 'ROLLBACK TO SAVEPOINT ad_intake', 'SAVEPOINT ad_intake', 'read', 'write', 'outbox']);
  });
});
