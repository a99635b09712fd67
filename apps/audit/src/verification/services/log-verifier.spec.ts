import { extendChain, type AuditEntry } from '@vigie/audit-chain';
import { frameOf, verifyAuditLog, type SqlRunner } from './log-verifier';

type Row = Record<string, unknown> & { position: string; subject: string; seq: string };

/** The `frame` column as the fast pass's SQL writes it from a row's columns. */
function frameOfColumns(row: Row): string {
  const iso = (ms: unknown) => new Date(Number(ms)).toISOString();
  return [
    row.kafka_offset,
    row.kafka_partition,
    iso(row.broker_ms),
    JSON.stringify(row.topic),
    JSON.stringify(row.correlation_id),
    row.event_id,
    iso(row.occurred_ms),
    JSON.stringify(row.subject),
    JSON.stringify(row.tenant),
    JSON.stringify(row.type),
    iso(row.recorded_ms),
    row.seq,
  ].join('\n');
}

/** The log as `verifyAuditLog` reads it, answered from memory (no checkpoints, no keys). */
function runnerOver(rows: Row[], reread: string[][] = []): SqlRunner {
  return async (sql, params = []) => {
    if (sql.includes('count(*)')) return [{ total: String(rows.length) }];
    if (sql.includes('audit.checkpoints') || sql.includes('audit.signing_keys')) return [];
    if (sql.includes('l.position > $1')) {
      const after = Number(params[0]);
      return rows
        .filter((row) => Number(row.position) > after)
        .sort((a, b) => Number(a.position) - Number(b.position))
        .slice(0, Number(params[1]))
        .map((row) => ({ ...row, frame: frameOfColumns(row) }));
    }
    if (sql.includes('l.subject = ANY')) {
      const subjects = params[0] as string[];
      reread.push(subjects);
      return rows.filter((row) => subjects.includes(row.subject)).sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : Number(a.seq) - Number(b.seq)));
    }
    throw new Error(`unexpected SQL: ${sql}`);
  };
}

function entry(subject: string, i: number, extra: Record<string, unknown> = {}): Omit<AuditEntry, 'seq' | 'v'> {
  return {
    event: {
      id: `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`,
      type: 'ad.ingested',
      version: 1,
      occurredAt: '2026-01-01T00:00:00.000Z',
      tenant: 'demo',
      subject,
      correlationId: i % 2 === 0 ? null : `case-${i}`,
      causationId: null,
      source: 'ingest',
      data: { i, nested: { id: 'not the event id', text: 'a "quoted" ,"id":"x" text' } },
      ...extra,
    },
    broker: { topic: 'ads.ingested.v1', partition: i % 3, offset: String(100 + i), timestamp: '2026-01-01T00:00:00.500Z' },
    recordedAt: '2026-01-01T00:00:01.000Z',
  };
}

/** Two chains interleaved by position, as consumption order leaves them. */
function log(extraOnSecond: Record<string, unknown> = {}): Row[] {
  const rows: Row[] = [];
  for (const subject of ['demo:a', 'demo:b']) {
    const entries = [0, 1, 2].map((k) => entry(subject, rows.length + k, k === 1 ? extraOnSecond : {}));
    extendChain(subject, null, entries).forEach((record, k) => {
      const { event, broker, recordedAt } = entries[k];
      rows.push({
        position: String(subject === 'demo:a' ? 2 * k + 1 : 2 * k + 2),
        event_id: event.id,
        subject,
        tenant: event.tenant,
        type: event.type,
        seq: String(record.seq),
        correlation_id: event.correlationId,
        canonical: record.canonical,
        prev_hash: record.prevHash,
        hash: record.hash,
        occurred_ms: String(Date.parse(event.occurredAt)),
        broker_ms: String(Date.parse(broker.timestamp)),
        recorded_ms: String(Date.parse(recordedAt)),
        topic: broker.topic,
        kafka_partition: broker.partition,
        kafka_offset: broker.offset,
      });
    });
  }
  return rows;
}

describe('frameOf', () => {
  it("reads a record's columns off its canonical text, whatever its data hold", () => {
    for (const row of log()) expect(frameOf(row.canonical as string)).toBe(frameOfColumns(row));
  });

  it('answers undefined for a text of another layout', () => {
    const row = log({ zone: 'eu' })[1];
    expect(frameOf(row.canonical as string)).toBeUndefined();
    expect(frameOf('{}')).toBeUndefined();
    expect(frameOf('')).toBeUndefined();
  });
});

describe('verifyAuditLog', () => {
  it('accepts an intact log read once in position order, whatever the events data hold', async () => {
    const reread: string[][] = [];
    const report = await verifyAuditLog(runnerOver(log(), reread), { pageSize: 4 });
    expect(report).toMatchObject({ ok: true, records: 6, subjects: 2, findingCount: 0 });
    expect(reread).toEqual([]);
  });

  it('accepts a record whose canonical text has another layout, after checking its chain the slow way', async () => {
    // An envelope key sorted after "version": the frame check fails, the full check passes.
    const reread: string[][] = [];
    const report = await verifyAuditLog(runnerOver(log({ zone: 'eu' }), reread));
    expect(report).toMatchObject({ ok: true, records: 6, findingCount: 0 });
    expect(reread).toEqual([['demo:a', 'demo:b']]);
  });

  it('names a column that differs from the hashed record, and a record whose seq does not follow', async () => {
    const rows = log();
    rows[1] = { ...rows[1], kafka_offset: '999' };
    rows[5] = { ...rows[5], seq: '4' };
    const report = await verifyAuditLog(runnerOver(rows), { pageSize: 2 });
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => [f.subject, f.kind, f.seq])).toEqual([
      ['demo:a', 'edited', 2],
      ['demo:b', 'deleted', 3],
      ['demo:b', 'reordered', 4],
    ]);
  });
});
