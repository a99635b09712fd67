import type { AnyEvent } from '@vigie/contracts';
import type { ConsumedEvent } from '@vigie/messaging';
import { DataSource } from 'typeorm';
import { sampleEvent, startAuditFixture, type AuditFixture } from '../test-support/audit-fixture';
import { AUDITED_TOPICS } from './consumers/audit-log.consumer';
import { AuditLogAppender } from './services/audit-log-appender.service';
import { AuditLogReader } from './services/audit-log-reader.service';

/** One event of each type carried by a domain topic (checkpoints are the audit's own). */
function oneOfEachType(subject: string, correlationId: string): AnyEvent[] {
  const types = [
    'ad.submitted', 'ad.ingested', 'ad.scored', 'notice.received', 'case.opened', 'case.decided',
    'takedown.requested', 'takedown.confirmed', 'sla.at-risk',
  ];
  return types.map((type) => sampleEvent(type, subject, correlationId));
}

describe('audit log (consumer → hash-chained log)', () => {
  let fixture: AuditFixture;

  beforeAll(async () => {
    // The sample cases' SLA deadlines are long past: the audit's own alerts would be chained into
    // the same subjects as soon as the projector has seen them, racing the counts below.
    fixture = await startAuditFixture({ env: { AUDIT_ALERTS_ENABLED: 'false' } });
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('consumes every domain topic', () => {
    expect([...AUDITED_TOPICS].sort()).toEqual(
      ['ads.ingested.v1', 'ads.scored.v1', 'ads.submitted.v1', 'audit.checkpoints.v1', 'cases.v1', 'notices.v1', 'sla.alerts.v1', 'takedown.commands.v1', 'takedown.results.v1'],
    );
  });

  it('appends every event once, chained per subject, even when redelivered', async () => {
    const tenant = `${fixture.tenantPrefix}-1`;
    const first = oneOfEachType(`${tenant}:ad-1`, 'case-1');
    const second = oneOfEachType(`${tenant}:ad-2`, 'case-2');
    await fixture.publish([...first, ...second]);
    // The same events again, as a relay re-publishing after a crash would.
    await fixture.publish([...first.slice(0, 4), ...second.slice(2)]);
    await fixture.waitForRecords(`${tenant}:`, first.length + second.length);
    const more = sampleEvent('ad.updated', `${tenant}:ad-1`);
    await fixture.publish([more]);
    await fixture.waitForRecords(`${tenant}:`, first.length + second.length + 1);

    const rows = await fixture.query<{ subject: string; seq: string; event_id: string; prev_hash: string; hash: string; broker_at: Date; recorded_at: Date; occurred_at: Date }>(
      `SELECT subject, seq, event_id, prev_hash, hash, broker_at, recorded_at, occurred_at FROM audit.log WHERE subject LIKE $1 ORDER BY subject, seq`,
      [`${tenant}:%`],
    );
    expect(rows).toHaveLength(first.length + second.length + 1);
    expect(new Set(rows.map((row) => row.event_id)).size).toBe(rows.length);
    for (const subject of [`${tenant}:ad-1`, `${tenant}:ad-2`]) {
      const chain = rows.filter((row) => row.subject === subject);
      expect(chain.map((row) => Number(row.seq))).toEqual(chain.map((_, i) => i + 1));
      for (let i = 1; i < chain.length; i++) expect(chain[i].prev_hash).toBe(chain[i - 1].hash);
    }
    // The log is the audit consumer's only dedupe: no inbox row is written for what it appends.
    const [{ inboxed }] = await fixture.query<{ inboxed: number }>('SELECT count(*)::int AS inboxed FROM audit.inbox WHERE event_id = ANY($1::uuid[])', [
      rows.map((row) => row.event_id),
    ]);
    expect(inboxed).toBe(0);
    for (const row of rows) {
      expect(row.broker_at).toBeInstanceOf(Date);
      expect(row.recorded_at.getTime()).toBeGreaterThanOrEqual(row.broker_at.getTime() - 1000);
    }
  });

  it('skips events already in the log whoever appends them', async () => {
    const tenant = `${fixture.tenantPrefix}-2`;
    const events = [sampleEvent('ad.ingested', `${tenant}:ad-1`), sampleEvent('ad.scored', `${tenant}:ad-1`)];
    const consumed: ConsumedEvent[] = events.map((event, i) => ({
      event,
      coordinates: { topic: 'ads.ingested.v1', partition: 0, offset: String(i), timestamp: String(Date.now()), headers: {} },
    }));
    const appender = fixture.audit.app.get(AuditLogAppender);
    const dataSource = fixture.audit.app.get(DataSource);
    expect(await dataSource.transaction((manager) => appender.append(manager, consumed))).toBe(2);
    expect(await dataSource.transaction((manager) => appender.append(manager, [...consumed, ...consumed]))).toBe(0);
    const [{ n }] = await fixture.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.log WHERE subject = $1', [`${tenant}:ad-1`]);
    expect(n).toBe(2);
  });

  it('reads the log by position for projections', async () => {
    const reader = fixture.audit.app.get(AuditLogReader);
    const all = await reader.readFrom(0, 1000);
    expect(all.length).toBeGreaterThan(0);
    const positions = all.map((record) => BigInt(record.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    const rest = await reader.readFrom(all[0].position, 1000);
    expect(rest).toHaveLength(all.length - 1);
    expect(all[0].event.id).toBe(all[0].eventId);
    expect(await reader.lastPosition()).toBe(all[all.length - 1].position);
  });
});
