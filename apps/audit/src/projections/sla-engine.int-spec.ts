import { DEFAULT_SLA_POLICY_VERSION } from '@vigie/sla';
import type { AnyEvent } from '@vigie/contracts';
import { uuidv7 } from '@vigie/contracts';
import { ProjectorService } from './services/projector.service';
import { AlertDispatcher } from '../alerts/services/alert-dispatcher.service';
import { StatementsExportService } from '../exports/services/statements-export.service';
import { eventOf, startSlaFixture, waitFor, type SlaFixture } from './test-support/sla-fixture';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface ReportBody {
  cases: number;
  filters: { platformId: string | null };
  response: Record<string, number>;
  removal: Record<string, unknown> & { breached: number; openBreached: number; timeTo: { maxMs: number } };
  breaches: { caseId: string; sla: string; state: string; timeline: string }[];
  breachesTotal: number;
}

interface TimelineBody {
  entries: { type: string }[];
  sla: { removal: Record<string, unknown> };
  chain: { status: string };
}

/** One ad's story on `tenant`: published, reported, qualified, decided, removed after `removeAfterH` (null: not yet). */
function story(tenant: string, adId: string, noticeMs: number, opts: { removeAfterH: number | null; informAfterH: number | null; policyVersion?: string; source?: 'public' | 'trusted-flagger' }) {
  const subject = `${tenant}:${adId}`;
  const caseId = uuidv7();
  const noticeId = uuidv7();
  const decisionId = uuidv7();
  const at = (offsetH: number) => iso(noticeMs + offsetH * HOUR);
  const env = (offsetH: number, correlationId: string | null = caseId) => ({ tenant, subject, occurredAt: at(offsetH), correlationId });
  const policyVersion = opts.policyVersion ?? DEFAULT_SLA_POLICY_VERSION;
  const events: AnyEvent[] = [
    eventOf('ad.ingested', env(-5, null), { platformAdId: adId, publishedAt: at(-5), receivedAt: at(-5) }),
    eventOf('notice.received', env(0, null), { noticeId, receivedAt: at(0), sourceType: opts.source ?? 'public', locations: [{ platformAdId: adId, url: null }], notifier: null }),
    eventOf('case.opened', env(0.001), { caseId, platformAdId: adId, openedAt: at(0.001), noticeId, noticeSourceType: opts.source ?? 'public', noticeReceivedAt: at(0), firstFlagAt: null, publishedAt: at(-5), policyVersion, category: 'pimping' }),
    eventOf('notice.qualified', env(0.2), { noticeId, receivedAt: at(0), qualifiedAt: at(0.2), caseIds: [caseId] }),
    eventOf('case.knowledge-established', env(0.2), { caseId, knowledgeAt: at(0), basis: 'notice-qualified', basisEventId: null, policyVersion }),
  ];
  if (opts.informAfterH !== null) {
    events.push(eventOf('case.decided', env(opts.informAfterH - 0.01), { caseId, decisionId, decidedAt: at(opts.informAfterH - 0.01), policyVersion }));
    events.push(eventOf('notifier.informed', env(opts.informAfterH), { caseId, noticeId, decisionId, informedAt: at(opts.informAfterH) }));
    const example = eventOf('uploader.informed', env(opts.informAfterH), {}).data as { statementOfReasons: Record<string, unknown> };
    events.push(eventOf('uploader.informed', env(opts.informAfterH), { caseId, decisionId, informedAt: at(opts.informAfterH), statementOfReasons: { ...example.statementOfReasons, puid: `vigie-${decisionId}` } }));
  }
  const removal = opts.removeAfterH === null ? [] : [eventOf('ad.removed', env(opts.removeAfterH, null), { platformAdId: adId, removedAt: at(opts.removeAfterH), receivedAt: at(opts.removeAfterH), commandId: null })];
  return { caseId, subject, events, removal, at };
}

describe('SLA engine: projections from the log, reports, timeline, rebuild, alerts', () => {
  let fixture: SlaFixture;
  let a: string;
  let b: string;
  let keys: Record<string, string>;
  const now = Date.now();
  const met = { id: '' };
  const breached = { id: '' };
  const openBreached = { id: '', removal: [] as AnyEvent[] };
  const atRisk = { id: '' };

  beforeAll(async () => {
    fixture = await startSlaFixture();
    a = `${fixture.tenantPrefix}-a`;
    b = `${fixture.tenantPrefix}-b`;
    keys = {
      admin: fixture.key({ role: 'admin', platformId: null }),
      regulator: fixture.key({ role: 'regulator', platformId: null }),
      officerA: fixture.key({ role: 'officer', platformId: a }),
      moderator: fixture.key({ role: 'moderator', platformId: null }),
    };
    const s1 = story(a, '100', now - 72 * HOUR, { removeAfterH: 2, informAfterH: 3 });
    const s2 = story(a, '200', now - 72 * HOUR, { removeAfterH: 30, informAfterH: 26, policyVersion: 'hce-24h@2026.11' });
    const s3 = story(b, '300', now - 48 * HOUR, { removeAfterH: 40, informAfterH: null, source: 'trusted-flagger' });
    const s4 = story(b, '400', now - 13 * HOUR, { removeAfterH: null, informAfterH: null });
    met.id = s1.caseId;
    breached.id = s2.caseId;
    openBreached.id = s3.caseId;
    openBreached.removal = s3.removal;
    atRisk.id = s4.caseId;
    await fixture.append([...s1.events, ...s1.removal, ...s2.events, ...s2.removal, ...s3.events, ...s4.events]);
    await waitFor(async () => (await fixture.query(`SELECT count(*)::int AS n FROM audit.case_facts`))[0].n === 4 || undefined, 20000, 'four cases projected');
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('derives clock facts and SLA states per case from the log', async () => {
    const rows = await fixture.query<Record<string, unknown>>(`SELECT case_id, removal_final_state, response_final_state, knowledge_basis, anomalies FROM audit.case_facts`);
    const byId = new Map(rows.map((row) => [row.case_id, row]));
    expect(byId.get(met.id)).toMatchObject({ removal_final_state: 'met', response_final_state: 'met', knowledge_basis: 'notice-qualified' });
    expect(byId.get(breached.id)).toMatchObject({ removal_final_state: 'breached', response_final_state: 'breached' });
    expect((byId.get(breached.id)?.anomalies as { code: string }[]).map((x) => x.code)).toContain('unknown-policy-version');
    expect(byId.get(openBreached.id)).toMatchObject({ removal_final_state: null });
  });

  it('answers the SLA report with counts, percentiles and breaches, scoped by role', async () => {
    const report = await fixture.call<ReportBody>('GET', `/reports/sla?from=${iso(now - 100 * HOUR)}`, keys.regulator);
    expect(report.status).toBe(200);
    const ours = report.body;
    expect(ours.cases).toBeGreaterThanOrEqual(4);
    const mine = await fixture.call<ReportBody>('GET', `/reports/sla?platformId=${b}`, keys.admin);
    expect(mine.body.removal).toMatchObject({ openBreached: 1, atRisk: 1 });
    expect(mine.body.breaches.map((x) => x.caseId)).toContain(openBreached.id);
    expect(mine.body.breaches[0].timeline).toMatch(/^\/cases\/.+\/timeline$/);
    // The page and the total agree with the state counts: platform b's breaches are s3's two open-breached SLAs.
    expect(mine.body.breaches.map((x) => [x.caseId, x.sla, x.state]).sort()).toEqual([
      [openBreached.id, 'removal', 'open-breached'],
      [openBreached.id, 'response', 'open-breached'],
    ]);
    expect(mine.body.breachesTotal).toBe(mine.body.response.breached + mine.body.response.openBreached + mine.body.removal.breached + mine.body.removal.openBreached);
    expect(mine.body.breachesTotal).toBe(2);
    const firstOnly = await fixture.call<ReportBody>('GET', `/reports/sla?platformId=${b}&limit=1`, keys.admin);
    expect(firstOnly.status).toBe(200);
    expect(firstOnly.body.breaches).toEqual(mine.body.breaches.slice(0, 1));
    expect(firstOnly.body.breachesTotal).toBe(2);
    const officer = await fixture.call<ReportBody>('GET', `/reports/sla`, keys.officerA);
    expect(officer.body.filters.platformId).toBe(a);
    expect(officer.body.removal).toMatchObject({ met: 1, breached: 1 });
    expect(officer.body.removal.timeTo.maxMs).toBe(30 * HOUR);
    expect((await fixture.call('GET', `/reports/sla?platformId=${b}`, keys.officerA)).status).toBe(404);
    expect((await fixture.call('GET', `/reports/sla`, keys.moderator)).status).toBe(403);
    expect((await fixture.call('GET', `/reports/sla`, null)).status).toBe(401);
    expect((await fixture.call('GET', `/reports/sla?from=yesterday`, keys.admin)).status).toBe(400);
    const csv = await fixture.call('GET', `/reports/sla?platformId=${a}`, keys.admin, undefined, { accept: 'text/csv' });
    expect(csv.type).toContain('text/csv');
    expect(csv.text.split('\r\n')[0]).toBe('sla,figure,value,platform,ad,category,source,started_at,deadline,ended_at,elapsed_ms,timeline');

    // /metrics counts the live states as the report does.
    const metrics = (await fixture.call('GET', '/metrics', null)).text;
    const cases = (platform: string, sla: string, state: string) =>
      Number(new RegExp(`^vigie_audit_sla_cases\\{platform="${platform}",sla="${sla}",state="${state}"[^}]*\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
    expect([cases(b, 'removal', 'open-breached'), cases(b, 'removal', 'at-risk'), cases(b, 'response', 'open-breached')]).toEqual([
      mine.body.removal.openBreached,
      mine.body.removal.atRisk,
      mine.body.response.openBreached,
    ]);
    expect([cases(a, 'removal', 'met'), cases(a, 'removal', 'breached')]).toEqual([officer.body.removal.met, officer.body.removal.breached]);
  });

  it('tells a case timeline with knowledge, deadlines, states and a verified chain', async () => {
    const answer = await fixture.call<TimelineBody>('GET', `/cases/${met.id}/timeline`, keys.officerA);
    expect(answer.status).toBe(200);
    const types = answer.body.entries.map((e) => e.type);
    expect(types.indexOf('notice.received')).toBeLessThan(types.indexOf('ad.removed'));
    expect(types).toEqual(expect.arrayContaining(['ad.ingested', 'knowledge', 'removal-deadline', 'case.decided', 'notifier.informed']));
    expect(answer.body.sla.removal).toMatchObject({ state: 'met', elapsedMs: 2 * HOUR });
    expect(answer.body.chain.status).toBe('verified');
    expect((await fixture.call('GET', `/cases/${openBreached.id}/timeline`, keys.officerA)).status).toBe(404);
    expect((await fixture.call('GET', `/cases/${openBreached.id}/timeline?format=csv`, keys.regulator)).type).toContain('text/csv');
  });

  it('exports statements of reasons as validated Transparency Database batches', async () => {
    const answer = await fixture.call<{ batches: { statements: { puid: string }[] }[]; exported: number; rejected: unknown[] }>('GET', `/exports/statements-of-reasons?platformId=${a}`, keys.admin);
    expect(answer.status).toBe(200);
    expect(answer.body.exported).toBe(2);
    expect(answer.body.batches).toHaveLength(1);
    expect(answer.body.rejected).toEqual([]);
    expect((await fixture.call('GET', `/exports/statements-of-reasons?platformId=${b}`, keys.officerA)).status).toBe(404);
  });

  it('refuses an export of more statements than one answer holds, with their count', async () => {
    const exporter = fixture.service.app.get(StatementsExportService);
    const period = { from: new Date(0).toISOString(), to: new Date(Date.now() + 86_400_000).toISOString() };
    await expect(exporter.export(period, a, 1)).rejects.toMatchObject({ code: 'PERIOD_TOO_LARGE', message: expect.stringContaining('2 statements of reasons') });
    expect((await exporter.export(period, a, 2)).exported).toBe(2);
  });

  it('re-evaluates a case when a late fact arrives', async () => {
    await fixture.append(openBreached.removal);
    await waitFor(async () => (await fixture.query(`SELECT removal_final_state FROM audit.case_facts WHERE case_id = $1`, [openBreached.id]))[0].removal_final_state === 'breached' || undefined);
  });

  it('rebuilds the projections from position 0 with identical rows', async () => {
    const snapshot = () => fixture.query(`SELECT to_jsonb(c) AS row FROM audit.case_facts c ORDER BY case_id`);
    const before = await snapshot();
    const notices = await fixture.query(`SELECT to_jsonb(n) AS row FROM audit.notice_facts n ORDER BY notice_id`);
    const answer = await fixture.call<{ position: number }>('POST', '/admin/projections/rebuild', keys.admin);
    expect(answer.status).toBe(200);
    expect(answer.body.position).toBeGreaterThan(20);
    expect(await snapshot()).toEqual(before);
    expect(await fixture.query(`SELECT to_jsonb(n) AS row FROM audit.notice_facts n ORDER BY notice_id`)).toEqual(notices);
    expect((await fixture.call('POST', '/admin/projections/rebuild', keys.regulator)).status).toBe(403);
  });

  it('sends each due alert once through the outbox, across restarts', async () => {
    const sent = () => fixture.query<{ case_id: string; kind: string; threshold: string; event_id: string }>(`SELECT case_id, kind, threshold, event_id FROM audit.sla_alert_schedule WHERE status = 'sent' ORDER BY 1, 2, 3`);
    await waitFor(async () => (await sent()).some((row) => row.case_id === atRisk.id && row.threshold === '0.5') || undefined, 20000, 'at-risk alert');
    const rows = await sent();
    expect(rows).toEqual(expect.arrayContaining([
      expect.objectContaining({ case_id: met.id, kind: 'removal', threshold: 'met' }),
      expect.objectContaining({ case_id: breached.id, kind: 'removal', threshold: 'breached' }),
      expect.objectContaining({ case_id: atRisk.id, kind: 'removal', threshold: '0.5' }),
    ]));
    expect(rows.some((row) => row.case_id === atRisk.id && row.threshold === '0.9')).toBe(false);
    await fixture.restart();
    await fixture.service.app.get(ProjectorService).catchUp();
    await fixture.service.app.get(AlertDispatcher).dispatchDue();
    expect(await sent()).toEqual(rows);
  });
});
