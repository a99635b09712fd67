import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { AUDIT_ENTRY_VERSION, chainHash, extendChain, genesisHash, prepareEntry } from './chain';

const entryOf = (data: unknown, recordedAt = '2026-01-01T00:00:01.000Z') => ({
  event: { id: 'e-1', type: 'ad.ingested', version: 1, occurredAt: '2026-01-01T00:00:00.000Z', tenant: 'demo', subject: 'demo:1', correlationId: null, causationId: null, source: 'ingest', data },
  broker: { topic: 't', partition: 0, offset: '7', timestamp: '2026-01-01T00:00:00.500Z' },
  recordedAt,
});

describe('extendChain', () => {
  it('stores the canonical JSON of {entry, v, seq} and chains each hash to the previous one', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 1e9 }), (datas, headSeq) => {
        const head = headSeq === 0 ? null : { seq: headSeq, hash: 'ab'.repeat(32) };
        const records = extendChain('demo:1', head, datas.map((data) => entryOf(data)));
        let prev = head?.hash ?? genesisHash('demo:1');
        records.forEach((record, i) => {
          expect(record.seq).toBe(headSeq + i + 1);
          expect(record.canonical).toBe(canonicalJson({ ...entryOf(datas[i]), v: AUDIT_ENTRY_VERSION, seq: record.seq }));
          expect(record.prevHash).toBe(prev);
          expect(record.hash).toBe(chainHash(prev, record.canonical));
          prev = record.hash;
        });
      }),
    );
  });

  it('ignores keys an entry carries besides broker, event and recordedAt (a parsed record re-chained)', () => {
    const parsed = { ...entryOf({ i: 1 }), seq: 41, v: 9 };
    expect(prepareEntry(parsed)).toEqual(prepareEntry(entryOf({ i: 1 })));
    expect(extendChain('demo:1', null, [parsed])[0].canonical).toContain('"seq":1,"v":1}');
  });
});
