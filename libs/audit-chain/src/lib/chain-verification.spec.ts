import { extendChain, type AuditEntry } from './chain';
import { verifySubjectChain, type StoredRecord } from './chain-verification';

const subject = 'demo:ad-1';
function chainOf(n: number): StoredRecord[] {
  const entries = Array.from({ length: n }, (_, i) => ({
    event: { id: `id-${i}`, type: 'ad.ingested', version: 1, occurredAt: '2026-01-01T00:00:00.000Z', tenant: 'demo', subject, correlationId: null, causationId: null, source: 'ingest', data: { i } },
    broker: { topic: 't', partition: 0, offset: String(i), timestamp: '2026-01-01T00:00:00.000Z' },
    recordedAt: '2026-01-01T00:00:01.000Z',
  }));
  return extendChain(subject, null, entries).map((record, i) => ({ ...record, subject, position: String(i + 1) }));
}
const kinds = (records: StoredRecord[]) => verifySubjectChain(subject, records).map((f) => [f.kind, f.seq]);

describe('verifySubjectChain', () => {
  it('accepts an intact chain', () => {
    expect(kinds(chainOf(6))).toEqual([]);
  });

  it('names an edited record', () => {
    const records = chainOf(5);
    records[2] = { ...records[2], canonical: records[2].canonical.replace('"i":2', '"i":7') };
    expect(kinds(records)).toEqual([['edited', 3]]);
  });

  it('names a record replaced by one re-hashed to look valid', () => {
    const records = chainOf(5);
    const entry = JSON.parse(records[2].canonical) as AuditEntry;
    entry.event.data = { i: 99 };
    const [replacement] = extendChain(subject, { seq: 2, hash: records[1].hash }, [entry]);
    records[2] = { ...records[2], ...replacement };
    expect(kinds(records)).toEqual([['edited', 3]]);
  });

  it('names deleted records, with or without renumbering', () => {
    const records = chainOf(6);
    expect(kinds([...records.slice(0, 2), ...records.slice(4)])).toEqual([['deleted', 3]]);
    expect(kinds(records.slice(1))).toEqual([['deleted', 1]]);
    const renumbered = [...records.slice(0, 2), ...records.slice(3).map((r) => ({ ...r, seq: r.seq - 1 }))];
    expect(kinds(renumbered)).toEqual([['deleted', 3]]);
  });

  it('names swapped records', () => {
    const records = chainOf(5);
    const swapped = [records[0], { ...records[2], seq: 2 }, { ...records[1], seq: 3 }, records[3], records[4]];
    expect(kinds(swapped)).toEqual([['reordered', 2], ['reordered', 3]]);
  });

  it('names an inserted record', () => {
    const records = chainOf(4);
    const forgedEntry = JSON.parse(records[1].canonical) as AuditEntry;
    forgedEntry.event.id = 'forged';
    const [forged] = extendChain(subject, { seq: 1, hash: records[0].hash }, [forgedEntry]);
    const withInsert = [records[0], { ...forged, subject, position: '99' }, ...records.slice(1).map((r) => ({ ...r, seq: r.seq + 1 }))];
    expect(kinds(withInsert)).toEqual([['inserted', 2]]);
  });
});
