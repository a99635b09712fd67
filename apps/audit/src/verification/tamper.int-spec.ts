import { canonicalJson, extendChain, verifyEvidenceBundle, type AuditEntry, type EvidenceBundle, type TamperFinding } from '@vigie/audit-chain';
import type { ConsumedEvent } from '@vigie/messaging';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { AuditLogAppender } from '../log/services/audit-log-appender.service';
import { sampleEvent, startAuditFixture, type AuditFixture } from '../test-support/audit-fixture';
import type { VerificationReport } from './services/log-verifier';

const TYPES = ['ad.ingested', 'ad.scored', 'case.opened', 'case.decided', 'takedown.confirmed'];

describe('tamper evidence (real database)', () => {
  let fixture: AuditFixture;
  let tenant: string;
  let publicKeyPem: string;
  let regulatorKey: string;

  const append = async (subject: string, correlationId: string | null = null) => {
    const consumed: ConsumedEvent[] = TYPES.map((type, i) => ({
      event: sampleEvent(type, subject, correlationId),
      coordinates: { topic: 'cases.v1', partition: 0, offset: String(i), timestamp: String(Date.now()), headers: {} },
    }));
    const dataSource = fixture.audit.app.get(DataSource);
    await dataSource.transaction((manager) => fixture.audit.app.get(AuditLogAppender).append(manager, consumed));
  };
  /** Runs statements as the superuser with the log's triggers switched off, as an attacker with full access would. */
  const tamper = async (...statements: [string, unknown[]?][]) => {
    await fixture.query('ALTER TABLE audit.log DISABLE TRIGGER ALL');
    try {
      for (const [sql, params] of statements) await fixture.query(sql, params ?? []);
    } finally {
      await fixture.query('ALTER TABLE audit.log ENABLE TRIGGER ALL');
    }
  };
  const verify = async () => {
    const answer = await fixture.call<VerificationReport>('POST', '/admin/verify', regulatorKey);
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const findingsFor = (report: VerificationReport, subject: string): TamperFinding[] => report.findings.filter((f) => f.subject === subject);

  beforeAll(async () => {
    fixture = await startAuditFixture();
    tenant = `${fixture.tenantPrefix}-1`;
    regulatorKey = await fixture.createKey('regulator', 'arcom');
    const keys = await fixture.call<{ keys: { keyId: string; publicKeyPem: string; validUntil: string | null }[] }>('GET', '/keys', null);
    expect(keys.status).toBe(200);
    publicKeyPem = keys.body.keys.find((key) => key.validUntil === null)?.publicKeyPem ?? '';
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('rejects UPDATE, DELETE and TRUNCATE of the log', async () => {
    await append(`${tenant}:immutable`);
    await expect(fixture.query(`UPDATE audit.log SET type = 'x' WHERE subject = $1`, [`${tenant}:immutable`])).rejects.toThrow(/append-only/);
    await expect(fixture.query(`DELETE FROM audit.log WHERE subject = $1`, [`${tenant}:immutable`])).rejects.toThrow(/append-only/);
    await expect(fixture.query('TRUNCATE audit.log')).rejects.toThrow(/append-only/);
    await expect(fixture.query('DELETE FROM audit.checkpoints')).rejects.toThrow(/append-only/);
  });

  it('gives a case an evidence bundle that verifies offline, and a modified bundle fails', async () => {
    await append(`${tenant}:case-ad`, 'case-42');
    await fixture.createPlatform(`${fixture.tenantPrefix}-9`);
    await fixture.createPlatform(tenant);
    const officerElsewhere = await fixture.createKey('officer', 'officer-1', `${fixture.tenantPrefix}-9`);
    expect((await fixture.call('GET', '/cases/case-42/evidence', officerElsewhere)).status).toBe(404);
    const officer = await fixture.createKey('officer', 'officer-2', tenant);
    expect((await fixture.call('GET', '/cases/case-42/evidence', officer)).status).toBe(200);
    const answer = await fixture.call<EvidenceBundle>('GET', '/cases/case-42/evidence', regulatorKey);
    expect(answer.status).toBe(200);
    const bundle = answer.body;
    expect(bundle.chains).toHaveLength(1);
    expect(bundle.chains[0].records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(verifyEvidenceBundle(bundle, publicKeyPem)).toMatchObject({ valid: true, problems: [] });
    // The checkpoint also went to the file outside the database.
    const lines = readFileSync(fixture.checkpointFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.some((line) => line.data.signature === bundle.checkpoint.data.signature)).toBe(true);

    const edited = structuredClone(bundle);
    const entry = JSON.parse(edited.chains[0].records[2].canonical) as AuditEntry;
    entry.event.occurredAt = '2020-01-01T00:00:00.000Z';
    edited.chains[0].records[2].canonical = canonicalJson(entry);
    expect(verifyEvidenceBundle(edited, publicKeyPem).valid).toBe(false);

    const dropped = structuredClone(bundle);
    dropped.chains[0].records.splice(1, 1);
    expect(verifyEvidenceBundle(dropped, publicKeyPem).valid).toBe(false);

    const resigned = structuredClone(bundle);
    resigned.checkpoint.data.recordCount += 1;
    expect(verifyEvidenceBundle(resigned, publicKeyPem).valid).toBe(false);

    const otherKey = (await import('@vigie/audit-chain')).generateSigningKeyPair().publicKeyPem;
    expect(verifyEvidenceBundle(bundle, otherKey).valid).toBe(false);
  });

  it('proves a case against its checkpoint after other chains moved past the cut or began after it', async () => {
    const first = await fixture.call<EvidenceBundle>('GET', '/cases/case-42/evidence', regulatorKey);
    expect(first.status).toBe(200);
    // One chain grows past the checkpoint's cut, another begins after it: neither may change the tree.
    await append(`${tenant}:immutable`);
    await append(`${tenant}:late-ad`);
    const again = await fixture.call<EvidenceBundle>('GET', '/cases/case-42/evidence', regulatorKey);
    expect(again.status).toBe(200);
    expect(again.body.checkpoint.data.sequence).toBe(first.body.checkpoint.data.sequence);
    expect(again.body.chains[0].proof).toEqual(first.body.chains[0].proof);
    expect(verifyEvidenceBundle(again.body, publicKeyPem)).toMatchObject({ valid: true, problems: [] });
  });

  it('names every edited, deleted, reordered and inserted record, and the truncation of the newest', async () => {
    const subjects = ['clean', 'edited', 'column', 'deleted', 'reordered', 'inserted', 'truncated'].map((name) => `${tenant}:${name}`);
    for (const subject of subjects) await append(subject);
    const [clean, edited, column, deleted, reordered, inserted, truncated] = subjects;
    const issued = await fixture.call<{ checkpoints: unknown[] }>('POST', '/admin/checkpoints', fixture.adminKey);
    expect(issued.status).toBe(201);
    expect((await verify()).ok).toBe(true);

    const [first] = await fixture.query<{ hash: string }>('SELECT hash FROM audit.log WHERE subject = $1 AND seq = 1', [inserted]);
    const forged = extendChain(inserted, { seq: 1, hash: first.hash }, [
      { event: sampleEvent('case.closed', inserted) as AuditEntry['event'], broker: { topic: 'cases.v1', partition: 0, offset: '9', timestamp: new Date().toISOString() }, recordedAt: new Date().toISOString() },
    ])[0];
    const forgedEntry = JSON.parse(forged.canonical) as AuditEntry;
    await tamper(
      [`UPDATE audit.log SET canonical = replace(canonical, '"source":"', '"source":"x') WHERE subject = $1 AND seq = 3`, [edited]],
      [`UPDATE audit.log SET occurred_at = occurred_at - interval '1 day' WHERE subject = $1 AND seq = 2`, [column]],
      [`DELETE FROM audit.log WHERE subject = $1 AND seq = 3`, [deleted]],
      [`UPDATE audit.log SET seq = 102 WHERE subject = $1 AND seq = 2`, [reordered]],
      [`UPDATE audit.log SET seq = 2 WHERE subject = $1 AND seq = 3`, [reordered]],
      [`UPDATE audit.log SET seq = 3 WHERE subject = $1 AND seq = 102`, [reordered]],
      [`UPDATE audit.log SET seq = seq + 1000 WHERE subject = $1 AND seq >= 2`, [inserted]],
      [`UPDATE audit.log SET seq = seq - 999 WHERE subject = $1 AND seq >= 1000`, [inserted]],
      [
        `INSERT INTO audit.log (event_id, subject, tenant, type, seq, correlation_id, canonical, prev_hash, hash, occurred_at, broker_at, recorded_at, topic, kafka_partition, kafka_offset)
         VALUES ($1, $2, $3, $4, 2, NULL, $5, $6, $7, $8, $9, $10, 'cases.v1', 0, 9)`,
        [forgedEntry.event.id, inserted, tenant, forgedEntry.event.type, forged.canonical, forged.prevHash, forged.hash, forgedEntry.event.occurredAt, forgedEntry.broker.timestamp, forgedEntry.recordedAt],
      ],
      [`DELETE FROM audit.log WHERE subject = $1 AND seq >= 4`, [truncated]],
    );

    const report = await verify();
    expect(report.ok).toBe(false);
    expect(findingsFor(report, clean)).toEqual([]);
    expect(findingsFor(report, edited).map((f) => [f.kind, f.seq])).toEqual([['edited', 3]]);
    expect(findingsFor(report, column)).toEqual([expect.objectContaining({ kind: 'edited', seq: 2, detail: expect.stringMatching(/occurred_at/) })]);
    expect(findingsFor(report, deleted).map((f) => [f.kind, f.seq])).toEqual([['deleted', 3]]);
    expect(findingsFor(report, reordered).map((f) => [f.kind, f.seq])).toEqual([['reordered', 2], ['reordered', 3]]);
    expect(findingsFor(report, inserted).map((f) => [f.kind, f.seq])).toEqual([['inserted', 2]]);
    expect(findingsFor(report, truncated)).toEqual([expect.objectContaining({ kind: 'truncated', seq: 4, detail: expect.stringMatching(/records 4–5/) })]);
    const checkpoint = report.checkpoints.find((c) => c.tenant === tenant);
    expect(checkpoint).toMatchObject({ signatureValid: true, rootMatches: false });
  });

  it('names each column edited away from the hashed record it repeats', async () => {
    const edits: [column: string, set: string][] = [
      ['event_id', 'event_id = gen_random_uuid()'],
      ['tenant', `tenant = tenant || '-other'`],
      ['type', `type = 'case.closed'`],
      ['correlation_id', `correlation_id = 'case-other'`],
      ['occurred_at', `occurred_at = occurred_at + interval '1 millisecond'`],
      ['broker_at', `broker_at = broker_at - interval '1 millisecond'`],
      ['recorded_at', `recorded_at = recorded_at + interval '1 hour'`],
      ['topic', `topic = 'ads.scored.v1'`],
      ['partition', 'kafka_partition = kafka_partition + 1'],
      ['offset', 'kafka_offset = kafka_offset + 1'],
    ];
    const subjectOf = (column: string) => `${tenant}:column-${column}`;
    for (const [column] of edits) await append(subjectOf(column));
    const before = await verify();
    for (const [column] of edits) expect([column, findingsFor(before, subjectOf(column))]).toEqual([column, []]);

    await tamper(...edits.map(([column, set]): [string, unknown[]] => [`UPDATE audit.log SET ${set} WHERE subject = $1 AND seq = 2`, [subjectOf(column)]]));

    const report = await verify();
    expect(report.ok).toBe(false);
    for (const [column] of edits) {
      expect([column, findingsFor(report, subjectOf(column))]).toEqual([
        column,
        [expect.objectContaining({ kind: 'edited', seq: 2, detail: expect.stringContaining(`column(s) ${column} differ`) })],
      ]);
    }
  });

  it('keeps numbering, verifying and bundling past ten checkpoints of a platform and ten records of a chain', async () => {
    // Found by the HTTP fuzz: sequences and seqs sorted as text made the 11th checkpoint reuse
    // number 10 (a 500 for POST /admin/checkpoints, and the timer failing from then on),
    // verification take checkpoint 9 for the latest, and bundles list record 10 before 2.
    const long = `${fixture.tenantPrefix}-long`;
    for (let round = 0; round < 11; round++) {
      await append(`${long}:ad`, 'case-long');
      expect((await fixture.call('POST', '/admin/checkpoints', fixture.adminKey)).status).toBe(201);
    }
    const rows = await fixture.query<{ sequence: number }>('SELECT sequence FROM audit.checkpoints WHERE tenant = $1 ORDER BY sequence', [long]);
    const sequences = rows.map((row) => Number(row.sequence));
    expect(sequences.length).toBeGreaterThanOrEqual(11);
    expect(sequences).toEqual(sequences.map((_, index) => index + 1));
    const check = (await verify()).checkpoints.find((c) => c.tenant === long);
    expect(check).toMatchObject({ signatureValid: true, rootMatches: true });
    expect(check?.sequence).toBeGreaterThanOrEqual(sequences.length);
    const answer = await fixture.call<EvidenceBundle>('GET', '/cases/case-long/evidence', regulatorKey);
    expect(answer.status).toBe(200);
    const chain = answer.body.chains.find((c) => c.subject === `${long}:ad`);
    expect(chain?.records.map((r) => r.seq)).toEqual(Array.from({ length: 55 }, (_, index) => index + 1));
    expect(verifyEvidenceBundle(answer.body, publicKeyPem)).toMatchObject({ valid: true, problems: [] });
  });
});
