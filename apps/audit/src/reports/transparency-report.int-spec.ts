import { uuidv7, type AnyEvent } from '@vigie/contracts';
import { eventOf, startSlaFixture, waitFor, type SlaFixture } from '../projections/test-support/sla-fixture';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface TransparencyBody {
  platformId: string | null;
  notices: { total: number; byCategory: Record<string, number>; bySource: Record<string, number>; trustedFlaggers: number; qualified: number; rejected: number; pending: number };
  actions: { total: number; byGround: Record<string, number>; byAction: Record<string, number>; byCategory: Record<string, number>; ownInitiative: number };
  automated: { detection: number; decisionFully: number; decisionPartially: number; notAutomated: number };
  medianTimeToActionMs: number | null;
  medianTimeToRemovalMs: number | null;
  appeals: { received: number; upheld: number; reversed: number; modified: number; pending: number };
  suspensions: { accountsSuspended: number; accountsTerminated: number; abusiveNoticesRejected: number };
  referrals: number;
}

describe('GET /reports/transparency on a seeded log', () => {
  let fixture: SlaFixture;
  let tenant: string;
  let other: string;
  let admin: string;
  const t0 = Date.now() - 100 * HOUR;
  const at = (h: number) => iso(t0 + h * HOUR);

  /** A notice about ad `adId` received at `h`, qualified into a case, decided `decideAfterH` later. */
  function noticeCase(on: string, adId: string, h: number, opts: { category: string; sourceType: string; decideAfterH: number; removeAfterH: number | null; decision: Record<string, unknown> }): AnyEvent[] {
    const subject = `${on}:${adId}`;
    const caseId = uuidv7();
    const noticeId = uuidv7();
    const decisionId = uuidv7();
    const env = (offset: number, correlationId: string | null = caseId) => ({ tenant: on, subject, occurredAt: at(h + offset), correlationId });
    return [
      eventOf('notice.received', env(0, null), { noticeId, receivedAt: at(h), category: opts.category, sourceType: opts.sourceType, locations: [{ platformAdId: adId, url: null }], notifier: null, authorityOrder: null }),
      eventOf('case.opened', env(0.01), { caseId, platformAdId: adId, openedAt: at(h + 0.01), noticeId, noticeSourceType: opts.sourceType, noticeReceivedAt: at(h), firstFlagAt: null, publishedAt: null, category: opts.category }),
      eventOf('notice.qualified', env(0.1), { noticeId, receivedAt: at(h), qualifiedAt: at(h + 0.1), caseIds: [caseId] }),
      eventOf('case.knowledge-established', env(0.1), { caseId, knowledgeAt: at(h), basis: 'notice-qualified', basisEventId: null }),
      eventOf('case.decided', env(opts.decideAfterH), { caseId, decisionId, decidedAt: at(h + opts.decideAfterH), ...opts.decision }),
      ...(opts.removeAfterH === null ? [] : [eventOf('ad.removed', env(opts.removeAfterH, null), { platformAdId: adId, removedAt: at(h + opts.removeAfterH), receivedAt: at(h + opts.removeAfterH), commandId: null })]),
    ];
  }

  beforeAll(async () => {
    fixture = await startSlaFixture();
    tenant = `${fixture.tenantPrefix}-t`;
    other = `${fixture.tenantPrefix}-o`;
    admin = fixture.key({ role: 'admin', platformId: null });

    const legal = noticeCase(tenant, '1', 0, {
      category: 'pimping',
      sourceType: 'public',
      decideAfterH: 1,
      removeAfterH: 2,
      decision: { action: 'remove', ground: 'illegal', automatedDetection: true, automatedDecision: 'partially', accountAction: 'suspend', referralRequired: false },
    });
    const caseOne = (legal[1].data as { caseId: string }).caseId;
    const subjectOne = `${tenant}:1`;
    const trusted = noticeCase(tenant, '2', 0, {
      category: 'minors',
      sourceType: 'trusted-flagger',
      decideAfterH: 3,
      removeAfterH: 5,
      decision: { action: 'remove', ground: 'terms', automatedDetection: false, automatedDecision: 'not-automated', accountAction: 'terminate', referralRequired: true },
    });
    const rejectedNotice = uuidv7();
    const ownCase = uuidv7();
    const own = (offset: number) => ({ tenant, subject: `${tenant}:4`, occurredAt: at(10 + offset), correlationId: ownCase });
    const appealId = uuidv7();
    await fixture.append([
      ...legal,
      eventOf('case.appeal-received', { tenant, subject: subjectOne, occurredAt: at(6), correlationId: caseOne }, { caseId: caseOne, appealId, receivedAt: at(6), appellant: 'uploader' }),
      eventOf('case.appeal-decided', { tenant, subject: subjectOne, occurredAt: at(8), correlationId: caseOne }, { caseId: caseOne, appealId, decidedAt: at(8), outcome: 'upheld' }),
      ...trusted,
      eventOf('case.referred', { tenant, subject: `${tenant}:2`, occurredAt: at(4), correlationId: (trusted[1].data as { caseId: string }).caseId }, { caseId: (trusted[1].data as { caseId: string }).caseId, referredAt: at(4) }),
      eventOf('notice.received', { tenant, subject: `${tenant}:3`, occurredAt: at(1), correlationId: null }, { noticeId: rejectedNotice, receivedAt: at(1), category: 'pimping', sourceType: 'public', locations: [{ platformAdId: '3', url: null }], notifier: null, authorityOrder: null }),
      eventOf('notice.rejected', { tenant, subject: `${tenant}:3`, occurredAt: at(2), correlationId: null }, { noticeId: rejectedNotice, rejectedAt: at(2), reason: 'abusive-notifier' }),
      // An own-initiative case: a moderator confirms an automated flag; decided 4 h later, no action.
      eventOf('case.opened', own(0), { caseId: ownCase, platformAdId: '4', openedAt: at(10), noticeId: null, noticeSourceType: null, noticeReceivedAt: null, firstFlagAt: at(9), publishedAt: null, category: 'pimping' }),
      eventOf('case.knowledge-established', own(0), { caseId: ownCase, knowledgeAt: at(10), basis: 'flag-confirmed', basisEventId: null }),
      eventOf('case.decided', own(4), { caseId: ownCase, decisionId: uuidv7(), decidedAt: at(14), action: 'no-action', ground: null, automatedDetection: true, automatedDecision: 'fully', accountAction: 'none', referralRequired: false }),
      // Another platform's notice and decision: out of a platform-scoped report.
      ...noticeCase(other, '9', 0, { category: 'pimping', sourceType: 'public', decideAfterH: 50, removeAfterH: 60, decision: { action: 'remove', ground: 'illegal', automatedDetection: false, automatedDecision: 'not-automated', accountAction: 'none', referralRequired: false } }),
    ]);
    await waitFor(
      async () => ((await fixture.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.case_facts WHERE decided_at IS NOT NULL'))[0].n >= 4 ? true : undefined),
      20000,
      'four decided cases projected',
    );
    await waitFor(async () => ((await fixture.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.notice_facts WHERE qualified IS NOT NULL'))[0].n >= 4 ? true : undefined), 20000, 'notices projected');
  });

  afterAll(async () => {
    await fixture?.close();
  });

  it('counts notices, actions, automation, medians, appeals, suspensions and referrals of one platform', async () => {
    const answer = await fixture.call<TransparencyBody>('GET', `/reports/transparency?platformId=${tenant}`, admin);
    expect(answer.status).toBe(200);
    const report = answer.body;
    expect(report.platformId).toBe(tenant);
    expect(report.notices).toEqual({ total: 3, byCategory: { minors: 1, pimping: 2 }, bySource: { public: 2, 'trusted-flagger': 1 }, trustedFlaggers: 1, qualified: 2, rejected: 1, pending: 0 });
    expect(report.actions).toEqual({
      total: 3,
      byGround: { illegal: 1, none: 1, terms: 1 },
      byAction: { 'no-action': 1, remove: 2 },
      byCategory: { minors: 1, pimping: 2 },
      ownInitiative: 1,
    });
    expect(report.automated).toEqual({ detection: 2, decisionFully: 1, decisionPartially: 1, notAutomated: 1 });
    // Time to action: 1 h, 3 h, and 4 h from knowledge for the own-initiative case.
    expect(report.medianTimeToActionMs).toBe(3 * HOUR);
    // Time to removal: 2 h and 5 h (no removal is measured after a no-action decision).
    expect(report.medianTimeToRemovalMs).toBe(3.5 * HOUR);
    expect(report.appeals).toEqual({ received: 1, upheld: 1, reversed: 0, modified: 0, pending: 0 });
    expect(report.suspensions).toEqual({ accountsSuspended: 1, accountsTerminated: 1, abusiveNoticesRejected: 1 });
    expect(report.referrals).toBe(1);
  });

  it('spans every platform for a regulator, limits a period, and answers CSV', async () => {
    const regulator = fixture.key({ role: 'regulator', platformId: null });
    const all = await fixture.call<TransparencyBody>('GET', '/reports/transparency', regulator);
    expect(all.body).toMatchObject({ platformId: null, notices: { total: 4 }, actions: { total: 4 } });
    // Decisions from 20 h on: only the other platform's (decided at 50 h).
    const late = await fixture.call<TransparencyBody>('GET', `/reports/transparency?from=${encodeURIComponent(at(20))}`, regulator);
    expect(late.body).toMatchObject({ notices: { total: 0 }, actions: { total: 1, byGround: { illegal: 1 } }, medianTimeToActionMs: 50 * HOUR });
    const csv = await fixture.call('GET', `/reports/transparency?platformId=${tenant}&format=csv`, regulator);
    expect(csv.type).toContain('text/csv');
    expect(csv.text.split('\n').length).toBeGreaterThan(5);
  });

  it('hides other platforms from an officer', async () => {
    const officer = fixture.key({ role: 'officer', platformId: tenant });
    expect((await fixture.call<TransparencyBody>('GET', '/reports/transparency', officer)).body).toMatchObject({ platformId: tenant, notices: { total: 3 } });
    expect((await fixture.call('GET', `/reports/transparency?platformId=${other}`, officer)).status).toBe(404);
  });
});
