import { uuidv7, type AnyEvent } from '@vigie/contracts';
import { createServer, type Server } from 'node:http';
import { eventOf, startSlaFixture, waitFor, type SlaFixture } from '../projections/test-support/sla-fixture';
import { decodeSubmissionPosition, TdbSubmissionService } from './services/tdb-submission.service';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A decided case whose uploader got a statement of reasons with `puid`. */
function informedCase(tenant: string, adId: string, atMs: number, puid: string): AnyEvent[] {
  const subject = `${tenant}:${adId}`;
  const caseId = uuidv7();
  const decisionId = uuidv7();
  const env = { tenant, subject, occurredAt: iso(atMs), correlationId: caseId };
  const example = eventOf('uploader.informed', env, {}).data as { statementOfReasons: Record<string, unknown> };
  return [
    eventOf('case.opened', env, { caseId, platformAdId: adId, openedAt: iso(atMs - HOUR), noticeId: null, noticeSourceType: null, noticeReceivedAt: null, firstFlagAt: null, publishedAt: null, category: 'pimping' }),
    eventOf('case.decided', env, { caseId, decisionId, decidedAt: iso(atMs) }),
    eventOf('uploader.informed', env, { caseId, decisionId, informedAt: iso(atMs), statementOfReasons: { ...example.statementOfReasons, puid } }),
  ];
}

interface SubmitReport {
  submitted: number;
  skipped: number;
  alreadyPresent: number;
  previouslyRejected: number;
  rejected: number;
  failed: number;
  invalid: number;
  remaining: number;
  resumeAfter: string | null;
  acceptedBatchesOmitted: number;
  batches: { platformId: string; puids: string[]; outcome: string; status: number | null; attempts: number; alreadyPresent?: true; answer?: unknown }[];
}

describe('Transparency Database submission client against a loopback database', () => {
  let fixture: SlaFixture;
  let server: Server;
  let url: string;
  let admin: string;
  const accepted = new Map<string, number>();
  const requests: string[][] = [];
  const authorizations: (string | undefined)[] = [];
  const TOKEN = 'X|vigie-test-token-7Qf2';
  let stalled = false;
  const puids = { a1: `a1-${uuidv7()}`, bad: `bad-${uuidv7()}`, b1: `b1-${uuidv7()}`, b2: `b2-${uuidv7()}` };

  beforeAll(async () => {
    // A run sends at most 150 statements and reads 7 at a time: small periods take several runs and pages.
    fixture = await startSlaFixture({ AUDIT_TDB_TIMEOUT_MS: '400', AUDIT_TDB_BACKOFF_MS: '20', AUDIT_TDB_RETRIES: '3', AUDIT_TDB_MAX_PER_RUN: '150', AUDIT_TDB_PAGE_SIZE: '7' });
    admin = fixture.key({ role: 'admin', platformId: null });
    // The fake database: all-or-nothing batches; refuses a bearer token other than TOKEN, any
    // batch holding the bad statement and any puid it already holds; stores the first request
    // for platform b but never answers it (the answer is lost to the client's timeout).
    server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk) => (raw += chunk));
      request.on('end', () => {
        const statements = (JSON.parse(raw) as { statements: { puid: string }[] }).statements;
        const batch = statements.map((s) => s.puid);
        requests.push(batch);
        authorizations.push(request.headers.authorization);
        const refuse = (status: number, body: unknown) => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(body));
        };
        if (request.headers.authorization !== undefined && request.headers.authorization !== `Bearer ${TOKEN}`) {
          refuse(401, { message: 'Unauthenticated.' });
          return;
        }
        const errors: Record<string, string[]> = {};
        batch.forEach((puid, index) => {
          if (puid === puids.bad) errors[`statements.${index}.decision_facts`] = ['The decision facts field is required.'];
          if (accepted.has(puid)) errors[`statements.${index}.puid`] = ['The identifier given is not unique within this platform.'];
        });
        if (Object.keys(errors).length > 0) {
          refuse(422, { message: 'The given data was invalid.', errors });
          return;
        }
        for (const puid of batch) accepted.set(puid, (accepted.get(puid) ?? 0) + 1);
        if (batch.includes(puids.b1) && !stalled) {
          stalled = true;
          return; // stored, but never answered: the client's timeout ends it
        }
        response.writeHead(201, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ statements }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v1/statements`;

    const a = `${fixture.tenantPrefix}-a`;
    const b = `${fixture.tenantPrefix}-b`;
    const t = Date.now() - 10 * HOUR;
    await fixture.append([
      ...informedCase(a, '1', t, puids.a1),
      ...informedCase(a, '2', t + 1000, puids.bad),
      ...informedCase(b, '3', t + 2000, puids.b1),
      ...informedCase(b, '4', t + 3000, puids.b2),
    ]);
    await waitFor(
      async () => ((await fixture.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.statements_of_reasons'))[0].n >= 4 ? true : undefined),
      20000,
      'four statements of reasons projected',
    );
  });

  afterAll(async () => {
    server?.closeAllConnections();
    server?.close();
    await fixture?.close();
  });

  it('is for admins only and checks the target URL', async () => {
    const officer = fixture.key({ role: 'officer', platformId: null });
    expect((await fixture.call('POST', '/admin/exports/statements-of-reasons/submit', officer, { url })).status).toBe(403);
    const bad = await fixture.call<{ errors: { field: string }[] }>('POST', '/admin/exports/statements-of-reasons/submit', admin, { url: 'ftp://x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('url');
    const lost = await fixture.call<{ errors: { field: string }[] }>('POST', '/admin/exports/statements-of-reasons/submit', admin, { url, resumeAfter: 'not-a-place' });
    expect(lost.status).toBe(400);
    expect(lost.body.errors[0].field).toBe('resumeAfter');
  });

  it('sends each statement until accepted exactly once, records refusals with the answer, and a re-run sends nothing', async () => {
    const first = await fixture.call<SubmitReport>('POST', '/admin/exports/statements-of-reasons/submit', admin, { url });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ submitted: 1, alreadyPresent: 2, skipped: 0, rejected: 1, failed: 0, previouslyRejected: 0 });
    const refused = first.body.batches.find((batch) => batch.outcome === 'rejected');
    expect(refused).toMatchObject({ puids: [puids.bad], status: 422, answer: { errors: { 'statements.1.decision_facts': ['The decision facts field is required.'] } } });
    // The batch whose answer was lost went again after a backoff; the database's "not unique"
    // refusal is its receipt, not a rejection.
    expect(first.body.batches.find((batch) => batch.puids.includes(puids.b1))).toMatchObject({ outcome: 'accepted', alreadyPresent: true, status: 422, attempts: 2 });
    expect(Object.fromEntries(accepted)).toEqual({ [puids.a1]: 1, [puids.b1]: 1, [puids.b2]: 1 });

    const stored = await fixture.query<{ puid: string; outcome: string }>('SELECT puid, outcome FROM audit.tdb_submissions ORDER BY puid');
    expect(Object.fromEntries(stored.map((row) => [row.puid, row.outcome]))).toEqual({ [puids.a1]: 'accepted', [puids.bad]: 'rejected', [puids.b1]: 'accepted', [puids.b2]: 'accepted' });
    const history = await fixture.query<{ outcome: string; http_status: number; answer: unknown }>("SELECT outcome, http_status, answer FROM audit.tdb_submission_batches WHERE outcome = 'rejected'");
    expect(history).toEqual([{ outcome: 'rejected', http_status: 422, answer: expect.objectContaining({ message: 'The given data was invalid.' }) }]);

    const sent = requests.length;
    const again = await fixture.call<SubmitReport>('POST', '/admin/exports/statements-of-reasons/submit', admin, { url });
    expect(again.body).toMatchObject({ submitted: 0, skipped: 3, previouslyRejected: 1, rejected: 0, failed: 0, batches: [] });
    expect(requests.length).toBe(sent);
    expect(Object.fromEntries(accepted)).toEqual({ [puids.a1]: 1, [puids.b1]: 1, [puids.b2]: 1 });
  });

  it('counts an unreachable database as failed, to be sent by the next run', async () => {
    await fixture.append(informedCase(`${fixture.tenantPrefix}-c`, '5', Date.now() - HOUR, `c1-${uuidv7()}`));
    await waitFor(async () => ((await fixture.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.statements_of_reasons'))[0].n >= 5 ? true : undefined), 20000, 'fifth statement');
    const down = await fixture.call<SubmitReport>('POST', '/admin/exports/statements-of-reasons/submit', admin, { url: 'http://127.0.0.1:1/api/v1/statements' });
    expect(down.body).toMatchObject({ submitted: 0, skipped: 3, failed: 1, rejected: 0 });
    expect(down.body.batches[0]).toMatchObject({ outcome: 'failed', attempts: 4 });
    const up = await fixture.call<SubmitReport>('POST', '/admin/exports/statements-of-reasons/submit', admin, { url });
    expect(up.body).toMatchObject({ submitted: 1, skipped: 3, failed: 0 });
  });

  it("sends the platform's token as a bearer token, never keeps it, and leaves statements to send when it is refused", async () => {
    const platformId = `${fixture.tenantPrefix}-d`;
    const puid = `d1-${uuidv7()}`;
    await fixture.append(informedCase(platformId, '6', Date.now() - HOUR, puid));
    await waitFor(async () => ((await fixture.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.statements_of_reasons'))[0].n >= 6 ? true : undefined), 20000, 'sixth statement');
    const submit = (body: Record<string, unknown>) => fixture.call<SubmitReport & { errors?: { field: string }[] }>('POST', '/admin/exports/statements-of-reasons/submit', admin, { url, ...body });

    expect((await submit({ token: TOKEN })).body.errors?.[0].field).toBe('platformId');
    expect((await submit({ token: 'X|a b', platformId })).body.errors?.[0].field).toBe('token');
    expect((await submit({ token: 'X|a\r\nx-injected: 1', platformId })).status).toBe(400);

    const wrong = 'X|not-the-token-4kP9';
    const refused = await submit({ token: wrong, platformId });
    expect(refused.body).toMatchObject({ submitted: 0, rejected: 0, failed: 1, alreadyPresent: 0 });
    expect(refused.body.batches[0]).toMatchObject({ outcome: 'failed', status: 401, attempts: 1, puids: [puid] });
    expect(accepted.has(puid)).toBe(false);
    const kept = await fixture.query<{ answer: unknown }>('SELECT answer FROM audit.tdb_submission_batches');
    expect(JSON.stringify([refused.body, kept])).not.toContain('not-the-token');

    const sent = await submit({ token: TOKEN, platformId });
    expect(sent.body).toMatchObject({ submitted: 1, skipped: 0, failed: 0 });
    expect(authorizations.at(-1)).toBe(`Bearer ${TOKEN}`);
    expect(accepted.get(puid)).toBe(1);
  });

  /**
   * `perPlatform` statements on each platform, one platform after the other in time (a, b, a,
   * b…), a second apart from `startMs`, in a period of their own.
   */
  async function interleavedPeriod(platforms: string[], perPlatform: number, startMs: number): Promise<{ from: string; to: string; puids: string[] }> {
    const events: AnyEvent[] = [];
    const puidsOfPeriod: string[] = [];
    for (let i = 0; i < perPlatform * platforms.length; i++) {
      const platform = platforms[i % platforms.length];
      const puid = `${platform.slice(-2)}-${i}-${uuidv7()}`;
      puidsOfPeriod.push(puid);
      events.push(...informedCase(platform, `ad-${i}`, startMs + i * 1000, puid));
    }
    const before = (await fixture.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.statements_of_reasons'))[0].n;
    await fixture.append(events);
    await waitFor(
      async () => ((await fixture.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.statements_of_reasons'))[0].n >= before + puidsOfPeriod.length ? true : undefined),
      60000,
      `${puidsOfPeriod.length} statements projected`,
    );
    return { from: iso(startMs - 1000), to: iso(startMs + puidsOfPeriod.length * 1000), puids: puidsOfPeriod };
  }

  /** The platform a puid of `interleavedPeriod` belongs to: its prefix. */
  const platformOf = (puid: string) => puid.split('-')[0];

  it('sends at most its maximum a run, says how many remain, and the next run sends the rest, none twice', async () => {
    const x = `${fixture.tenantPrefix}-px`;
    const y = `${fixture.tenantPrefix}-py`;
    const period = await interleavedPeriod([x, y], 90, Date.now() - 40 * 24 * HOUR);
    const sentBefore = requests.length;

    const first = await fixture.call<SubmitReport>('POST', '/admin/exports/statements-of-reasons/submit', admin, { url, from: period.from, to: period.to });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ submitted: 150, skipped: 0, rejected: 0, failed: 0, remaining: 30, acceptedBatchesOmitted: 0 });
    expect(first.body.resumeAfter).toEqual(expect.any(String));
    // The 150 first in the period's order, 75 of each platform, one batch each.
    expect(requests.slice(sentBefore).map((batch) => batch.length)).toEqual([75, 75]);
    expect(requests.slice(sentBefore).flat().sort()).toEqual(period.puids.slice(0, 150).sort());

    const second = await fixture.call<SubmitReport>('POST', '/admin/exports/statements-of-reasons/submit', admin, { url, from: period.from, to: period.to });
    expect(second.body).toMatchObject({ submitted: 30, skipped: 150, rejected: 0, failed: 0, remaining: 0, resumeAfter: null });
    for (const puid of period.puids) expect(accepted.get(puid)).toBe(1);
    expect(requests.slice(sentBefore).flat()).toHaveLength(180);
  });

  it('reads many pages with platforms interleaved and still sends full batches of 100 per platform, and resumes where a run stopped', async () => {
    const p = `${fixture.tenantPrefix}-pp`;
    const q = `${fixture.tenantPrefix}-pq`;
    const period = await interleavedPeriod([p, q], 110, Date.now() - 50 * 24 * HOUR);
    const submissions = fixture.service.app.get(TdbSubmissionService);
    const request = { url, period: { from: period.from, to: period.to }, platformId: null };
    const sentBefore = requests.length;

    // 210 statements read 7 at a time, a page holding both platforms: each one's batch leaves
    // when it holds 100, the rest when the run stops.
    const first = await submissions.submit(request, { maxPerRun: 210, pageSize: 7, acceptedBatchesReported: 1 });
    const firstRequests = requests.slice(sentBefore);
    expect(firstRequests.map((batch) => batch.length)).toEqual([100, 100, 5, 5]);
    for (const batch of firstRequests) expect(new Set(batch.map(platformOf)).size).toBe(1);
    expect(first).toMatchObject({ submitted: 210, remaining: 10, acceptedBatchesOmitted: 3 });
    expect(first.batches).toHaveLength(1);
    expect(first.resumeAfter).toEqual(expect.any(String));

    const position = decodeSubmissionPosition(first.resumeAfter ?? '');
    expect(position).toMatchObject({ puid: period.puids[209] });
    const second = await submissions.submit({ ...request, resumeAfter: position ?? undefined }, { maxPerRun: 210, pageSize: 7, acceptedBatchesReported: 1 });
    // Started after the first run's last statement: nothing read twice, so nothing skipped.
    expect(second).toMatchObject({ submitted: 10, skipped: 0, remaining: 0, resumeAfter: null, acceptedBatchesOmitted: 1 });
    expect(requests.slice(sentBefore + 4).map((batch) => batch.length)).toEqual([5, 5]);
    for (const puid of period.puids) expect(accepted.get(puid)).toBe(1);
  });
});
