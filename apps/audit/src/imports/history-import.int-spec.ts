import { startAuditFixture, waitFor, type AuditFixture } from '../test-support/audit-fixture';

/**
 * Historical import against the real audit service and database: a platform's past moderation
 * log, as CSV and NDJSON, becomes chained log records and SLA figures; re-sending it adds
 * nothing; bad rows are listed; officers import and read only their own platform.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface ImportReport {
  importId: string;
  status: string;
  rows: number;
  imported: number;
  alreadyImported: number;
  rejected: number;
  eventsAppended: number;
  bytesRead: number;
  errors: { row: number; line: number; field: string; reason: string; adId?: string }[];
}
interface SlaFigures {
  applicable: number;
  met: number;
  breached: number;
  open: number;
  openBreached: number;
}
interface SlaReport {
  cases: number;
  response: SlaFigures;
  removal: SlaFigures;
  breaches: { platformAdId: string; sla: string; state: string }[];
}

describe('historical import of a moderation log (real audit and PostgreSQL)', () => {
  let fixture: AuditFixture;
  let platform: string;
  let other: string;
  let officer: string;
  let otherOfficer: string;
  const t0 = Date.now() - 20 * DAY;
  const at = (hours: number) => new Date(t0 + hours * HOUR).toISOString();

  async function upload(key: string, contentType: string, body: string, query = ''): Promise<{ status: number; body: ImportReport & { code?: string; message?: string } }> {
    const response = await fetch(`${fixture.audit.url}/imports/moderation-log${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
      body,
    });
    return { status: response.status, body: (await response.json()) as ImportReport };
  }

  beforeAll(async () => {
    fixture = await startAuditFixture();
    platform = `${fixture.tenantPrefix}-p`;
    other = `${fixture.tenantPrefix}-q`;
    await fixture.createPlatform(platform);
    await fixture.createPlatform(other);
    officer = await fixture.createKey('officer', 'officer-p', platform);
    otherOfficer = await fixture.createKey('officer', 'officer-q', other);
  });

  afterAll(async () => {
    await fixture?.close();
  });

  const csv = [
    'reference,adId,category,publishedAt,noticeReceivedAt,noticeSource,decidedAt,decision,removedAt',
    // answered and removed within 24 h: met, met
    `R-1,ad-1,pimping,${at(-5)},${at(0)},public,${at(3)},remove,${at(4)}`,
    // decided after 30 h: response breached; removed 31 h after the notice: removal breached
    `R-2,ad-2,human-trafficking,,${at(10)},trusted-flagger,${at(40)},remove,${at(41)}`,
    // no action within the day: response met, removal not applicable
    `R-3,ad-3,other-terms,,${at(20)},public,${at(22)},no-action,`,
    // never decided: both clocks still running, long past the deadline
    `R-4,"ad-4",minors,,${at(30)},public,,,`,
    // bad rows: unknown category, a decision before the notice
    `R-5,ad-5,spam,,${at(30)},public,,,`,
    `R-6,ad-6,pimping,,${at(50)},public,${at(40)},remove,`,
  ].join('\n');

  it('imports a CSV log, lists the bad rows, and the SLA report measures the imported cases', async () => {
    const answer = await upload(officer, 'text/csv', csv);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: 'completed', rows: 6, imported: 4, alreadyImported: 0, rejected: 2, bytesRead: Buffer.byteLength(csv) });
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ row: 5, line: 6, adId: 'ad-5', field: 'category' }),
      expect.objectContaining({ row: 6, line: 7, adId: 'ad-6', field: 'decidedAt', reason: expect.stringMatching(/before the notice/) }),
    ]);
    // 6 + 6 + 5 (opened, knowledge, decided, informed, closed) + 2 events
    expect(answer.body.eventsAppended).toBe(19);

    // The import says when the SLA engine has taken all its rows into account.
    await waitFor(async () => (await fixture.call<{ projected: boolean }>('GET', `/imports/${answer.body.importId}`, officer)).body.projected, 30_000, 'the import projected');
    const report = (await fixture.call<SlaReport>('GET', `/reports/sla?from=${at(-24)}`, officer)).body;
    expect(report.cases).toBe(4);
    expect(report.response).toMatchObject({ applicable: 4, met: 2, breached: 1, openBreached: 1 });
    expect(report.removal).toMatchObject({ applicable: 3, met: 1, breached: 1, openBreached: 1 });
    expect(report.breaches.map((breach) => `${breach.platformAdId}/${breach.sla}/${breach.state}`).sort()).toEqual([
      'ad-2/removal/breached',
      'ad-2/response/breached',
      'ad-4/removal/open-breached',
      'ad-4/response/open-breached',
    ]);

    const progress = await fixture.call<ImportReport>('GET', `/imports/${answer.body.importId}`, officer);
    expect(progress.body).toMatchObject({ status: 'completed', rows: 6, imported: 4, rejected: 2 });
    expect(progress.body.errors).toHaveLength(2);
  });

  it('adds nothing when the same log is sent again, and the chains still verify', async () => {
    const before = await fixture.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.log');
    const again = await upload(officer, 'text/csv', csv);
    expect(again.body).toMatchObject({ status: 'completed', imported: 0, alreadyImported: 4, rejected: 2, eventsAppended: 0 });
    const after = await fixture.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.log');
    expect(after[0].n).toBe(before[0].n);
    const verify = await fixture.call<{ ok: boolean }>('POST', '/admin/verify', fixture.adminKey);
    expect(verify.body).toMatchObject({ ok: true });
  });

  it('reads NDJSON, and keeps a platform to its own imports', async () => {
    const ndjson = [
      JSON.stringify({ adId: 'n-1', category: 'pimping', noticeReceivedAt: at(100), decidedAt: at(101), decision: 'remove', removedAt: at(102) }),
      '{"adId": "n-2", "category": broken',
      '',
      JSON.stringify({ adId: 'n-3', category: 'minors', knowledgeAt: at(110), removedAt: at(111) }),
    ].join('\n');
    const answer = await upload(fixture.adminKey, 'application/x-ndjson', ndjson, `?platformId=${other}`);
    expect(answer.body).toMatchObject({ status: 'completed', rows: 3, imported: 2, rejected: 1 });
    expect(answer.body.errors).toEqual([expect.objectContaining({ line: 2, reason: expect.stringMatching(/invalid JSON/) })]);

    // Another platform's officer neither sees this import nor imports for this platform.
    expect((await fixture.call('GET', `/imports/${answer.body.importId}`, officer)).status).toBe(404);
    expect((await fixture.call('GET', `/imports/${answer.body.importId}`, otherOfficer)).status).toBe(200);
    const listed = await fixture.call<{ platformId: string }[]>('GET', '/imports', officer);
    expect(listed.body.every((entry) => entry.platformId === platform)).toBe(true);
    expect((await upload(officer, 'text/csv', csv, `?platformId=${other}`)).status).toBe(404);
    const records = await fixture.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit.log WHERE tenant = $1 AND type = 'case.opened'`, [other]);
    expect(records[0].n).toBe(2);
  });

  it('refuses a bad header, a wrong content type and other roles, storing nothing', async () => {
    // Issuing keys below is itself audited: count only what imports record.
    const importedRecords = `SELECT count(*)::int AS n FROM audit.log WHERE topic LIKE 'history-import:%'`;
    const before = await fixture.query<{ n: number }>(importedRecords);
    const header = await upload(officer, 'text/csv', 'adId,price\nx,1\n');
    expect(header.status).toBe(400);
    expect(header.body).toMatchObject({ code: 'INVALID_HEADER', message: expect.stringMatching(/unknown column/) });
    expect((await upload(officer, 'application/json', '[]')).status).toBe(415);
    expect((await upload(fixture.adminKey, 'text/csv', csv)).status).toBe(400);
    const moderator = await fixture.createKey('moderator', 'mod-1', platform);
    expect((await upload(moderator, 'text/csv', csv)).status).toBe(403);
    const regulator = await fixture.createKey('regulator', 'reg-1');
    expect((await upload(regulator, 'text/csv', csv)).status).toBe(403);
    const after = await fixture.query<{ n: number }>(importedRecords);
    expect(after[0].n).toBe(before[0].n);
  });
});
