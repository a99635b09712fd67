// The vigie CLI's audit report commands against a real audit service (real Kafka and PostgreSQL).
import { uuidv7, type AnyEvent } from '@vigie/contracts';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventOf, startSlaFixture, waitFor, type SlaFixture } from '../../apps/audit/src/projections/test-support/sla-fixture';

const workspaceRoot = join(__dirname, '..', '..');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A notice received at `noticeMs`, qualified, the notifier informed and the ad removed after `removeAfterH`. */
function story(tenant: string, adId: string, noticeMs: number, removeAfterH: number): { caseId: string; events: AnyEvent[] } {
  const subject = `${tenant}:${adId}`;
  const caseId = uuidv7();
  const noticeId = uuidv7();
  const decisionId = uuidv7();
  const at = (h: number) => iso(noticeMs + h * HOUR);
  const env = (h: number, correlationId: string | null = caseId) => ({ tenant, subject, occurredAt: at(h), correlationId });
  const example = eventOf('uploader.informed', env(0), {}).data as { statementOfReasons: Record<string, unknown> };
  return {
    caseId,
    events: [
      eventOf('notice.received', env(0, null), { noticeId, receivedAt: at(0), sourceType: 'public', locations: [{ platformAdId: adId, url: null }], notifier: null }),
      eventOf('case.opened', env(0.01), { caseId, platformAdId: adId, openedAt: at(0.01), noticeId, noticeSourceType: 'public', noticeReceivedAt: at(0), firstFlagAt: null, publishedAt: null, category: 'pimping' }),
      eventOf('notice.qualified', env(0.1), { noticeId, receivedAt: at(0), qualifiedAt: at(0.1), caseIds: [caseId] }),
      eventOf('case.knowledge-established', env(0.1), { caseId, knowledgeAt: at(0), basis: 'notice-qualified', basisEventId: null }),
      eventOf('case.decided', env(1), { caseId, decisionId, decidedAt: at(1) }),
      eventOf('notifier.informed', env(1), { caseId, noticeId, decisionId, informedAt: at(1) }),
      eventOf('uploader.informed', env(1), { caseId, decisionId, informedAt: at(1), statementOfReasons: { ...example.statementOfReasons, puid: `cli-${decisionId}` } }),
      eventOf('ad.removed', env(removeAfterH, null), { platformAdId: adId, removedAt: at(removeAfterH), receivedAt: at(removeAfterH), commandId: null }),
    ],
  };
}

describe('vigie audit report commands', () => {
  let fixture: SlaFixture;
  let tenant: string;
  let officer: string;
  let late: string;

  beforeAll(async () => {
    // One statement a submission run: the CLI's submission takes as many runs as statements.
    fixture = await startSlaFixture({ AUDIT_TDB_MAX_PER_RUN: '1', AUDIT_TDB_RETRIES: '0' });
    tenant = `${fixture.tenantPrefix}-cli`;
    officer = fixture.key({ role: 'officer', platformId: tenant });
    const now = Date.now();
    const onTime = story(tenant, '1', now - 72 * HOUR, 2);
    const breached = story(tenant, '2', now - 72 * HOUR, 30);
    late = breached.caseId;
    await fixture.append([...onTime.events, ...breached.events]);
    await waitFor(async () => ((await fixture.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.case_facts WHERE removed_at IS NOT NULL'))[0].n >= 2 ? true : undefined), 20000, 'two projected cases');
  });

  afterAll(async () => {
    await fixture?.close();
  });

  const vigie = (args: string[], key: string) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'tools/cli/vigie.ts', ...args],
        { cwd: workspaceRoot, env: { ...process.env, VIGIE_AUDIT_URL: fixture.url, VIGIE_API_KEY: key, TS_NODE_PROJECT: join(workspaceRoot, 'tsconfig.json') } },
        (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('prints the SLA report as JSON and CSV, and a breached case\'s timeline', async () => {
    const json = await vigie(['audit', 'report', 'sla', '--category', 'pimping'], officer);
    expect(json.stderr).toBe('');
    expect(json.status).toBe(0);
    const report = JSON.parse(json.stdout) as { cases: number; filters: { platformId: string }; breaches: { caseId: string }[] };
    expect(report).toMatchObject({ cases: 2, filters: { platformId: tenant } });
    expect(report.breaches.map((b) => b.caseId)).toEqual([late]);

    const csv = await vigie(['audit', 'report', 'sla', '--csv'], officer);
    expect(csv.status).toBe(0);
    expect(csv.stdout).toContain(late);
    expect(csv.stdout.trim().startsWith('{')).toBe(false);

    const timeline = await vigie(['audit', 'timeline', late], officer);
    expect(timeline.status).toBe(0);
    expect(JSON.parse(timeline.stdout)).toMatchObject({ chain: { status: expect.any(String) } });
  });

  it('writes the statements of reasons as batch files, and refuses other platforms and bad queries', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vigie-sor-'));
    const exported = await vigie(['audit', 'export-statements', '--out', out], officer);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toContain('2 statements in 1 batch file(s)');
    expect(readdirSync(out).sort()).toEqual(['rejected.json', 'statements-0001.json']);
    expect((JSON.parse(readFileSync(join(out, 'statements-0001.json'), 'utf8')) as { statements: unknown[] }).statements).toHaveLength(2);

    const other = await vigie(['audit', 'report', 'transparency', '--platform', 'someone-else'], officer);
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('404');
    const bad = await vigie(['audit', 'report', 'sla', '--from', 'yesterday'], officer);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('from');
    expect((await vigie(['audit', 'report', 'sla'], 'not-a-key')).status).toBe(77);
    expect((await vigie(['audit', 'report'], officer)).status).toBe(64);
  });

  it('submits the statements to a Transparency Database with an admin key, once', async () => {
    const received: string[] = [];
    const server = createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk) => (raw += chunk));
      request.on('end', () => {
        received.push(...(JSON.parse(raw) as { statements: { puid: string }[] }).statements.map((s) => s.puid));
        response.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/statements`;
    try {
      expect((await vigie(['audit', 'submit-statements', '--url', url], officer)).status).toBe(77);
      const admin = fixture.key({ role: 'admin', platformId: null });
      // A run that got no answer at all ends the loop instead of failing the rest of the period.
      const down = await vigie(['audit', 'submit-statements', '--url', 'http://127.0.0.1:1/statements', '--platform', tenant], admin);
      expect(down.status).toBe(0);
      expect(down.stdout).toContain('submitted 0, skipped (already accepted) 0, previously rejected 0, rejected 0, failed 1');
      expect(down.stdout).toContain('2 statement(s) still to send: run the command again');
      expect(down.stderr).toContain('stopped: no statement of run 1 got an answer from the database (1 failed)');
      const first = await vigie(['audit', 'submit-statements', '--url', url, '--platform', tenant], admin);
      expect(first.status).toBe(0);
      expect(first.stdout).toContain('submitted 2, skipped (already accepted) 0');
      expect(first.stdout).toContain('in 2 run(s)');
      expect(first.stderr.trim().split('\n')).toEqual(['run 1: submitted 1, rejected 0, failed 0, remaining 1', 'run 2: submitted 1, rejected 0, failed 0, remaining 0']);
      const again = await vigie(['audit', 'submit-statements', '--url', url], admin);
      expect(again.stdout).toContain('submitted 0, skipped (already accepted) 2');
      expect(received).toHaveLength(2);
      expect(new Set(received).size).toBe(2);
    } finally {
      server.close();
    }
  });
  it('imports a historical moderation log with a progress bar and writes the rejected rows', async () => {
    const importer = `${fixture.tenantPrefix}-imp`;
    const importerOfficer = fixture.key({ role: 'officer', platformId: importer });
    const dir = mkdtempSync(join(tmpdir(), 'vigie-cli-import-'));
    const file = join(dir, 'moderation-log.csv');
    const start = Date.now() - 30 * 24 * HOUR;
    const rows = ['reference,adId,category,noticeReceivedAt,decidedAt,decision,removedAt'];
    for (let i = 0; i < 3000; i++) {
      const notice = start + i * 600_000;
      rows.push(`H-${i},ad-${i},pimping,${iso(notice)},${iso(notice + HOUR)},remove,${iso(notice + 2 * HOUR)}`);
    }
    rows.push('H-bad,ad-bad,pimping,not-a-date,,,');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const errorsFile = join(dir, 'rejected.csv');

    const first = await vigie(['audit', 'import', file, '--errors', errorsFile], importerOfficer);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/3001 rows: 3000 imported, 0 already imported, 1 rejected/);
    expect(first.stdout).toMatch(/row 3001 \(line 3002\) ad ad-bad: noticeReceivedAt: an ISO-8601 timestamp/);
    // Not a terminal here: the progress bar prints lines, the last one at 100 %.
    expect(first.stderr.trim().split('\n').at(-1)).toMatch(/^\[#{30}\] 100\.0%/);
    expect(readFileSync(errorsFile, 'utf8')).toBe('row,line,adId,field,reason\n3001,3002,ad-bad,noticeReceivedAt,"an ISO-8601 timestamp with a time zone, e.g. 2026-10-01T08:00:00Z"\n');

    const again = await vigie(['audit', 'import', file], importerOfficer);
    expect(again.stdout).toMatch(/3000 already imported/);
    const listed = await vigie(['audit', 'imports'], importerOfficer);
    expect(listed.stdout.trim().split('\n')).toHaveLength(2);
    expect((await vigie(['audit', 'import', join(dir, 'log.txt')], importerOfficer)).status).toBe(64);
  });
});
