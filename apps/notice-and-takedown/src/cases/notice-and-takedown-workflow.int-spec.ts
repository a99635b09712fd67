// Notices, cases, the review queue, decisions, automatic removals, appeals and authorisation,
// through the real broker and database, with ingest (the key registry) as its own process.
import { createEvent, EVENT_DEFINITIONS, subjectFor, validateEventData, type AnyEvent, type EventData } from '@vigie/contracts';
import { Client } from 'pg';
import { CLAIM_NEXT_WAITING_CASE_SQL, LIST_WAITING_CASES_SQL } from '../review/services/review-queue.service';
import { acknowledgeKafkaDeliveriesSql } from '../takedown/services/webhook-delivery.service';
import { startNatFixture, waitFor, type CreatedPlatform, type NatFixture } from '../test-support/nat-fixture';
import { CaseLedger, CLOCK_COLUMNS, clockColumns } from './services/case-ledger.service';
import type { CaseRow } from './services/case-row';

jest.setTimeout(120_000);

const adTemplate = EVENT_DEFINITIONS.find((d) => d.type === 'ad.ingested')?.example.data as EventData<'ad.ingested'>;
const scoredTemplate = EVENT_DEFINITIONS.find((d) => d.type === 'ad.scored')?.example.data as EventData<'ad.scored'>;

let fixture: NatFixture;
let platform: CreatedPlatform;
let other: CreatedPlatform;
const keys: Record<string, string> = {};
let adCounter = 0;

const nextAdId = () => `ad-${Date.now().toString(36)}-${++adCounter}`;

function ingested(platformId: string, adId: string, overrides: Partial<EventData<'ad.ingested'>> = {}): AnyEvent {
  return createEvent('ad.ingested', {
    tenant: platformId,
    subject: subjectFor(platformId, adId),
    source: 'ingest',
    data: { ...adTemplate, platformAdId: adId, url: `https://${platformId}.example/ads/${adId}`, ...overrides },
  });
}

function scored(platformId: string, adId: string, data: Partial<EventData<'ad.scored'>>): AnyEvent {
  return createEvent('ad.scored', { tenant: platformId, subject: subjectFor(platformId, adId), source: 'scoring', data: { ...scoredTemplate, ...data } });
}

const notice = (platformId: string, adId: string, extra: Record<string, unknown> = {}) => ({
  locations: [{ platformId, adId }],
  category: 'pimping',
  explanation: 'Le même numéro apparaît sous quatre prénoms dans trois villes.',
  goodFaith: true,
  ...extra,
});

async function caseOf(adId: string, platformId = platform.id): Promise<{ id: string; status: string }> {
  return waitFor(async () => (await fixture.query<{ id: string; status: string }>(
    `SELECT id, status FROM notice_and_takedown.cases WHERE platform_id = $1 AND ad_id = $2`, [platformId, adId]))[0], 30_000, `case of ${adId}`);
}

async function decide(caseId: string, moderatorKey: string, body: Record<string, unknown>) {
  const claim = await fixture.call('POST', `/review/cases/${caseId}/claim`, moderatorKey);
  expect(claim.status).toBe(200);
  return fixture.call<{ decisionId: string; commandId: string | null; referred: boolean; repeatOffenderRecommendations: string[] }>(
    'POST', `/review/cases/${caseId}/decision`, moderatorKey, body);
}

beforeAll(async () => {
  fixture = await startNatFixture({ env: { NAT_PUBLIC_NOTICES_PER_MINUTE: '60', NAT_VERIFY_REMOVALS: 'off' } });
  platform = await fixture.createPlatform('kafka');
  other = await fixture.createPlatform('kafka');
  keys.flagger = await fixture.createKey('trusted-flagger', 'FR-TF-0042');
  keys.otherFlagger = await fixture.createKey('trusted-flagger', 'FR-TF-0099');
  keys.authority = await fixture.createKey('authority', 'ofac');
  keys.moderatorA = await fixture.createKey('moderator', 'mod-a', platform.id);
  keys.moderatorB = await fixture.createKey('moderator', 'mod-b', platform.id);
  keys.otherModerator = await fixture.createKey('moderator', 'mod-other', other.id);
  keys.officer = await fixture.createKey('officer', 'officer-a', platform.id);
  keys.regulator = await fixture.createKey('regulator', 'arcom');
}, 300_000);

afterAll(async () => {
  await fixture?.close();
});

/** The clock columns of a case row (or of `clockColumns`' answer). */
const clockOfRow = (row: object) => Object.fromEntries(CLOCK_COLUMNS.map((column) => [column, (row as Record<string, unknown>)[column]]));

describe('a notice through to the takedown command', () => {
  it('receives, acknowledges, opens the case, decides with a statement of reasons, informs the notifier and commands the platform', async () => {
    const adId = nextAdId();
    await fixture.publish([ingested(platform.id, adId, { posterAccountId: 'acct-lifecycle' })]);
    await waitFor(async () => (await fixture.query(`SELECT 1 FROM notice_and_takedown.ads WHERE platform_id = $1 AND ad_id = $2`, [platform.id, adId]))[0], 30_000, 'ad recorded');

    const before = Date.now();
    const submitted = await fixture.call<{ noticeId: string; receivedAt: string; acknowledged: boolean; cases: { caseId: string }[] }>(
      'POST', '/notices', keys.flagger, notice(platform.id, adId));
    expect(submitted.status).toBe(201);
    expect(submitted.body.acknowledged).toBe(true);
    const receivedAt = Date.parse(submitted.body.receivedAt);
    expect(receivedAt).toBeGreaterThanOrEqual(before - 5);
    const caseId = submitted.body.cases[0]?.caseId as string;

    const [received] = await fixture.collect('notices.v1', (e) => e.type === 'notice.received' && (e.data as { noticeId: string }).noticeId === submitted.body.noticeId);
    expect((received?.data as EventData<'notice.received'>).notifier).toEqual({ name: null, email: null, trustedFlaggerId: 'FR-TF-0042' });
    await fixture.collect('notices.v1', (e) => e.type === 'notice.acknowledged' && (e.data as { noticeId: string }).noticeId === submitted.body.noticeId);
    const [opened] = await fixture.collect('cases.v1', (e) => e.type === 'case.opened' && e.correlationId === caseId);
    expect((opened?.data as EventData<'case.opened'>).priority).toBe('high');
    expect((opened?.data as EventData<'case.opened'>).publishedAt).toBe(adTemplate.publishedAt);

    // Moderator B cannot decide a case moderator A holds.
    const decided = await decide(caseId, keys.moderatorA, { action: 'remove', explanation: 'Exploitation de la prostitution d’autrui, réseau de numéros partagés.' });
    expect(decided.status).toBe(201);
    expect(decided.body.commandId).toEqual(expect.any(String));

    const [decision] = await fixture.collect('cases.v1', (e) => e.type === 'case.decided' && e.correlationId === caseId);
    expect(decision?.data).toMatchObject({ action: 'remove', ground: 'illegal', decidedBy: { kind: 'moderator', id: 'mod-a' }, automatedDecision: 'not-automated' });
    const [knowledge] = await fixture.collect('cases.v1', (e) => e.type === 'case.knowledge-established' && e.correlationId === caseId);
    expect(knowledge?.data).toMatchObject({ basis: 'notice-qualified', knowledgeAt: submitted.body.receivedAt });
    const [informed] = await fixture.collect('cases.v1', (e) => e.type === 'uploader.informed' && e.correlationId === caseId);
    const statement = (informed?.data as EventData<'uploader.informed'>).statementOfReasons;
    expect(statement).toMatchObject({ source_type: 'SOURCE_TRUSTED_FLAGGER', decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT', category: 'STATEMENT_CATEGORY_VIOLENCE' });
    expect(JSON.stringify(statement)).not.toMatch(/acct-lifecycle|FR-TF-0042/);
    expect(validateEventData('uploader.informed', informed?.data).ok).toBe(true);
    await fixture.collect('cases.v1', (e) => e.type === 'notifier.informed' && e.correlationId === caseId);
    await fixture.collect('notices.v1', (e) => e.type === 'notice.qualified' && (e.data as { noticeId: string }).noticeId === submitted.body.noticeId);
    const [command] = await fixture.collect('takedown.commands.v1', (e) => e.type === 'takedown.requested' && e.correlationId === caseId);
    expect(command?.data).toMatchObject({ commandId: decided.body.commandId, action: 'remove', delivery: 'kafka' });

    // The platform removes the ad and says so in its stream: removal evidence for the case.
    const removedAt = new Date().toISOString();
    await fixture.publish([
      createEvent('ad.removed', {
        tenant: platform.id,
        subject: subjectFor(platform.id, adId),
        source: 'ingest',
        data: { platformAdId: adId, removedAt, removedBy: 'takedown-command', commandId: decided.body.commandId, reason: null, receivedAt: removedAt, channel: 'http-batch' },
      }),
    ]);
    const view = await waitFor(async () => {
      const answer = await fixture.call<{ clock: { removedAt: string | null }; sla: { response: { state: string }; removal: { state: string } } }>(
        'GET', `/cases/${caseId}`, keys.officer);
      return answer.body.clock.removedAt ? answer.body : undefined;
    }, 30_000, 'removal recorded');
    expect(view.clock.removedAt).toBe(removedAt);
    expect(view.sla.response.state).toBe('met');
    expect(view.sla.removal.state).toBe('met');
  });

  it('joins a second notice on the same ad to its case and answers a notice on a decided ad at once', async () => {
    const adId = nextAdId();
    const first = await fixture.call<{ cases: { caseId: string; joinedExistingCase: boolean }[] }>('POST', '/notices', keys.flagger, notice(platform.id, adId));
    const second = await fixture.call<{ cases: { caseId: string; joinedExistingCase: boolean }[] }>('POST', '/notices', keys.otherFlagger, notice(platform.id, adId));
    expect(second.body.cases[0]).toEqual({ ...first.body.cases[0], joinedExistingCase: true });
    const caseId = first.body.cases[0]?.caseId as string;
    await decide(caseId, keys.moderatorA, { action: 'no-action', explanation: 'Annonce de massage thérapeutique déclarée, rien d’illicite.' });
    const late = await fixture.call<{ noticeId: string; cases: { status: string }[] }>('POST', '/notices', keys.flagger, notice(platform.id, adId));
    expect(late.body.cases[0]?.status).toBe('closed');
    await fixture.collect('cases.v1', (e) => e.type === 'notifier.informed' && (e.data as { noticeId: string }).noticeId === late.body.noticeId);
    await fixture.collect('cases.v1', (e) => e.type === 'case.closed' && e.correlationId === caseId && (e.data as { outcome: string }).outcome === 'no-action');
    expect(fixture.seen('takedown.commands.v1', (e) => e.correlationId === caseId)).toHaveLength(0);
  });

  it('records a burst of concurrent notices, several on the same ads, as one case per ad that each notice joins', async () => {
    // Sent at once, the notices are written in shared transactions: notices on the same ad
    // end up in one, and must still open its case once and join it in turn.
    const ads = Array.from({ length: 6 }, () => nextAdId());
    const bodies = [
      ...Array.from({ length: 30 }, (_, i) => notice(platform.id, ads[i % ads.length] as string)),
      { ...notice(platform.id, ads[0] as string), locations: [{ platformId: platform.id, adId: ads[0] }, { platformId: platform.id, adId: ads[1] }] },
    ];
    const answers = await Promise.all(
      bodies.map((body) => fixture.call<{ noticeId: string; cases: { caseId: string; platformAdId: string; joinedExistingCase: boolean }[] }>('POST', '/notices', keys.flagger, body)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(bodies.map(() => 201));
    const links = answers.flatMap((answer) => answer.body.cases);
    for (const adId of ads) {
      const ofAd = links.filter((link) => link.platformAdId === adId);
      expect(new Set(ofAd.map((link) => link.caseId)).size).toBe(1);
      expect(ofAd.filter((link) => !link.joinedExistingCase)).toHaveLength(1);
      expect(ofAd[0]?.caseId).toBe((await caseOf(adId)).id);
      const [{ count }] = await fixture.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM notice_and_takedown.case_notices WHERE case_id = $1`, [ofAd[0]?.caseId]);
      expect(count).toBe(ofAd.length);
    }
    const opened = await fixture.collect('cases.v1', (e) => e.type === 'case.opened' && ads.includes((e.data as { platformAdId: string }).platformAdId), 30_000, ads.length);
    expect(opened).toHaveLength(ads.length);
    const noticeIds = new Set(answers.map((answer) => answer.body.noticeId));
    const received = await fixture.collect('notices.v1', (e) => e.type === 'notice.received' && noticeIds.has((e.data as { noticeId: string }).noticeId), 30_000, noticeIds.size);
    expect(received).toHaveLength(noticeIds.size);
  });

  it('opens each case with the clock a full recomputation from its stored facts gives', async () => {
    // A case opened is inserted with a clock computed from its first notice alone: it must be
    // the one `refresh` computes from what was stored, for every kind of first notice.
    const deadline = new Date(Date.now() + 7_200_000).toISOString().replace(/\.\d+Z$/, '.000Z');
    const opened = await Promise.all([
      fixture.call<{ cases: { caseId: string }[] }>('POST', '/notices', keys.flagger, notice(platform.id, nextAdId())),
      fixture.call<{ cases: { caseId: string }[] }>('POST', '/notices', null, notice(platform.id, nextAdId(), { category: 'minors' })),
      fixture.call<{ cases: { caseId: string }[] }>('POST', '/notices', null,
        notice(platform.id, nextAdId(), { category: 'other-terms', notifier: { name: 'Dominique', email: 'dominique@example.org' } })),
      fixture.call<{ cases: { caseId: string }[] }>('POST', '/notices', keys.authority,
        notice(platform.id, nextAdId(), { authorityOrder: { authority: 'OFAC', reference: 'OFAC-2026-118', legalBasis: 'LCEN art. 6-1', deadline } })),
    ]);
    const ledger = fixture.nat.app.get(CaseLedger);
    for (const answer of opened) {
      expect(answer.status).toBe(201);
      const caseId = answer.body.cases[0]?.caseId as string;
      const [stored] = await fixture.query<Record<string, unknown>>(`SELECT * FROM notice_and_takedown.cases WHERE id = $1`, [caseId]);
      const refreshed = await fixture.nat.infrastructure.dataSource.transaction((manager) => ledger.refresh(manager, caseId, new Date(), null));
      expect(clockOfRow(refreshed.row)).toEqual(clockOfRow(stored));
      expect(refreshed.events).toEqual([]);
    }
  });

  it('computes a case\'s clock from the oldest notice of each kind exactly as from all of its notices', async () => {
    // Refreshing a case reads one notice per (source, status, standing), not every notice that
    // joined it: the clock must not change for that. Unqualified notices only, so the clock is
    // the provisional one, which starts at the oldest of them.
    const adId = nextAdId();
    const named = { notifier: { name: 'Dominique', email: 'dominique@example.org' } };
    for (const [key, body] of [
      [null, notice(platform.id, adId, { category: 'other-terms', ...named })],
      [null, notice(platform.id, adId, { category: 'other-terms', ...named })],
      [null, notice(platform.id, adId, { category: 'other-terms', ...named })],
      // Last, the first notice of its kind, about minors: joining, it changes the clock (priority,
      // the 1 h internal target), and the clock stored must count it.
      [keys.flagger, notice(platform.id, adId, { category: 'minors' })],
    ] as const) {
      expect((await fixture.call('POST', '/notices', key, body)).status).toBe(201);
    }
    const caseId = (await caseOf(adId)).id;
    const ledger = fixture.nat.app.get(CaseLedger);
    await fixture.nat.infrastructure.dataSource.transaction(async (manager) => {
      const row = await ledger.lock(manager, caseId);
      const all = await ledger.notices(manager, caseId);
      const oldestOfEachKind = (await ledger['factsOf'](manager, [caseId], { forClock: true })).get(caseId)?.notices ?? [];
      expect(all).toHaveLength(4);
      expect(oldestOfEachKind.length).toBeLessThan(all.length);
      const stored = row as CaseRow;
      const clock = ledger['clockOf'](stored, all, undefined);
      expect(ledger['clockOf'](stored, oldestOfEachKind, undefined)).toEqual(clock);
      // The clock the intake stored as each notice joined is the one computed from all the
      // stored facts.
      expect(clockOfRow(stored)).toEqual(clockOfRow(clockColumns(clock, stored.updated_at)));
    });
  });

  it('accepts a notice on an ad not yet ingested: the clock runs, the case learns the ad later', async () => {
    const adId = nextAdId();
    const submitted = await fixture.call<{ cases: { caseId: string }[] }>('POST', '/notices', keys.flagger, notice(platform.id, adId));
    expect(submitted.status).toBe(201);
    const caseId = submitted.body.cases[0]?.caseId as string;
    const before = await fixture.call<{ clock: { publishedAt: string | null; provisionalFrom: string | null } }>('GET', `/cases/${caseId}`, keys.moderatorA);
    expect(before.body.clock).toMatchObject({ publishedAt: null, provisionalFrom: expect.any(String) });
    await fixture.publish([ingested(platform.id, adId)]);
    await waitFor(async () => (await fixture.call<{ clock: { publishedAt: string | null } }>('GET', `/cases/${caseId}`, keys.moderatorA)).body.clock.publishedAt, 30_000, 'published at');
  });

  it('takes the ad\'s address from the platform, never from a notifier who named the ad by id', async () => {
    const adId = nextAdId();
    // An anonymous notifier's address beside the ad id: the removal verifier would GET it.
    const claimed = { ...notice(platform.id, adId), notifier: { name: 'A', email: 'a@example.org' } };
    claimed.locations = [{ platformId: platform.id, adId, url: 'http://127.0.0.1:5432/internal' } as { platformId: string; adId: string }];
    const submitted = await fixture.call<{ cases: { caseId: string }[] }>('POST', '/notices', null, claimed);
    expect(submitted.status).toBe(201);
    const caseId = submitted.body.cases[0]?.caseId as string;
    const adUrl = async () => (await fixture.query<{ ad_url: string | null }>('SELECT ad_url FROM notice_and_takedown.cases WHERE id = $1', [caseId]))[0]?.ad_url;
    expect(await adUrl()).toBeNull();
    await fixture.publish([ingested(platform.id, adId)]);
    expect(await waitFor(adUrl, 30_000, 'the case learns the platform\'s address')).toBe(`https://${platform.id}.example/ads/${adId}`);
    // The notice keeps what its notifier claimed.
    const [stored] = await fixture.query<{ locations: { url: string | null }[] }>(
      'SELECT n.locations FROM notice_and_takedown.notices n JOIN notice_and_takedown.case_notices cn ON cn.notice_id = n.id WHERE cn.case_id = $1',
      [caseId],
    );
    expect(stored.locations[0]?.url).toBe('http://127.0.0.1:5432/internal');
  });

  it('gives knowledge at once for an authority order, with its own deadline', async () => {
    const adId = nextAdId();
    const deadline = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, '.000Z');
    const order = await fixture.call<{ sourceType: string; cases: { caseId: string }[] }>('POST', '/notices', keys.authority,
      notice(platform.id, adId, { authorityOrder: { authority: 'OFAC', reference: 'OFAC-2026-117', legalBasis: 'LCEN art. 6-1', deadline } }));
    expect(order.status).toBe(201);
    expect(order.body.sourceType).toBe('authority-order');
    const caseId = order.body.cases[0]?.caseId as string;
    const [knowledge] = await fixture.collect('cases.v1', (e) => e.type === 'case.knowledge-established' && e.correlationId === caseId);
    expect((knowledge?.data as { basis: string }).basis).toBe('authority-order');
    const view = await fixture.call<{ priority: string; removalDeadline: string }>('GET', `/cases/${caseId}`, keys.moderatorA);
    expect(view.body).toMatchObject({ priority: 'urgent', removalDeadline: deadline });
  });

  it('pauses and resumes the clock with a reason', async () => {
    const adId = nextAdId();
    const submitted = await fixture.call<{ cases: { caseId: string }[] }>('POST', '/notices', keys.flagger, notice(platform.id, adId));
    const caseId = submitted.body.cases[0]?.caseId as string;
    const paused = await fixture.call('POST', `/review/cases/${caseId}/pause`, keys.moderatorA, { reason: 'clarification-requested', explanation: 'Quelles autres annonces ?' });
    expect(paused.status).toBe(201);
    expect((await fixture.call('POST', `/review/cases/${caseId}/pause`, keys.moderatorA, { reason: 'force-majeure', explanation: 'x' })).status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await fixture.call('POST', `/review/cases/${caseId}/resume`, keys.moderatorA)).status).toBe(200);
    await fixture.collect('cases.v1', (e) => e.type === 'case.clock-resumed' && e.correlationId === caseId);
    const view = await fixture.call<{ sla: { response: { pausedMs: number } } }>('GET', `/cases/${caseId}`, keys.moderatorA);
    expect(view.body.sla.response.pausedMs).toBeGreaterThanOrEqual(250);
  });
});

describe('scoring flags', () => {
  it('removes a stated minor automatically, refers it, and queues it for human review', async () => {
    const adId = nextAdId();
    await fixture.publish([ingested(platform.id, adId)]);
    await fixture.publish([
      scored(platform.id, adId, {
        band: 'critical',
        score: 0.97,
        referralSuggested: true,
        indicators: [{ code: 'stated-minor', strength: 'strong', weight: 1, confidence: 'high', spans: [{ field: 'body', start: 0, end: 6, excerpt: '16 ans' }] }],
        network: [],
      }),
    ]);
    const { id: caseId } = await caseOf(adId);
    const [decision] = await fixture.collect('cases.v1', (e) => e.type === 'case.decided' && e.correlationId === caseId);
    expect(decision?.data).toMatchObject({ action: 'remove', automatedDecision: 'fully', automatedDetection: true, decidedBy: { kind: 'system' }, referralRequired: true });
    await fixture.collect('takedown.commands.v1', (e) => e.type === 'takedown.requested' && e.correlationId === caseId);
    await fixture.collect('cases.v1', (e) => e.type === 'case.referred' && e.correlationId === caseId);
    const [knowledge] = await fixture.collect('cases.v1', (e) => e.type === 'case.knowledge-established' && e.correlationId === caseId);
    expect((knowledge?.data as { basis: string }).basis).toBe('automated-critical');
    const queue = await fixture.call<{ cases: { caseId: string; humanReviewOfAutomaticDecision: boolean; priority: string }[] }>('GET', '/review/queue?limit=200', keys.moderatorA);
    expect(queue.body.cases.find((c) => c.caseId === caseId)).toMatchObject({ humanReviewOfAutomaticDecision: true, priority: 'urgent' });
    const referral = await fixture.call<{ format: string; case: { platformAdId: string } }>('GET', `/cases/${caseId}/referral-package`, keys.officer);
    expect(referral.body).toMatchObject({ format: 'vigie-referral/1', case: { platformAdId: adId } });

    // The human review confirms: no second command.
    const review = await decide(caseId, keys.moderatorB, { action: 'remove', explanation: 'Âge déclaré de 16 ans confirmé à la relecture.' });
    expect(review.status).toBe(201);
    expect(review.body.commandId).toBeNull();
    expect(fixture.seen('takedown.commands.v1', (e) => e.correlationId === caseId)).toHaveLength(1);
  });

  it('opens a case for a high flag without deciding, and ignores low bands', async () => {
    const flagged = nextAdId();
    const quiet = nextAdId();
    await fixture.publish([scored(platform.id, quiet, { band: 'low', score: 0.1, network: [], indicators: [], referralSuggested: false })]);
    await fixture.publish([scored(platform.id, flagged, { band: 'high', score: 0.8, referralSuggested: false })]);
    const { id: caseId, status } = await caseOf(flagged);
    expect(status).toBe('open');
    const [opened] = await fixture.collect('cases.v1', (e) => e.type === 'case.opened' && e.correlationId === caseId);
    expect(opened?.data).toMatchObject({ origin: 'automated-flag', noticeId: null });
    expect(await fixture.query(`SELECT 1 FROM notice_and_takedown.cases WHERE platform_id = $1 AND ad_id = $2`, [platform.id, quiet])).toHaveLength(0);
  });
});

describe('leases', () => {
  it('lets another moderator take a case whose lease expired, and refuses the first one’s decision', async () => {
    const adId = nextAdId();
    const submitted = await fixture.call<{ cases: { caseId: string }[] }>('POST', '/notices', keys.flagger, notice(platform.id, adId));
    const caseId = submitted.body.cases[0]?.caseId as string;
    expect((await fixture.call('POST', `/review/cases/${caseId}/claim`, keys.moderatorA)).status).toBe(200);
    const held = await fixture.call<{ code: string }>('POST', `/review/cases/${caseId}/claim`, keys.moderatorB);
    expect(held).toMatchObject({ status: 409, body: { code: 'CLAIMED_BY_ANOTHER' } });
    // Time passes: the lease runs out.
    await fixture.query(`UPDATE notice_and_takedown.cases SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [caseId]);
    expect((await fixture.call('POST', `/review/cases/${caseId}/claim`, keys.moderatorB)).status).toBe(200);
    const stale = await fixture.call<{ code: string }>('POST', `/review/cases/${caseId}/decision`, keys.moderatorA, { action: 'remove', explanation: 'Trop tard pour cette décision.' });
    expect(stale).toMatchObject({ status: 409, body: { code: 'CLAIMED_BY_ANOTHER' } });
    const claims = await fixture.collect('cases.v1', (e) => e.type === 'case.claimed' && e.correlationId === caseId, 30_000, 2);
    expect(claims.map((e) => (e.data as { moderatorId: string }).moderatorId)).toEqual(['mod-a', 'mod-b']);
  });

  it('gives two moderators asking for the next case two different cases', async () => {
    for (let i = 0; i < 2; i += 1) await fixture.call('POST', '/notices', keys.flagger, notice(platform.id, nextAdId(), { category: 'minors' }));
    const [a, b] = await Promise.all([
      fixture.call<{ caseId: string }>('POST', '/review/next', keys.moderatorA),
      fixture.call<{ caseId: string }>('POST', '/review/next', keys.moderatorB),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.caseId).not.toBe(b.body.caseId);
  });
});

describe('appeals', () => {
  it('is decided by another moderator; a reversal reinstates the ad and closes the case', async () => {
    const adId = nextAdId();
    await fixture.publish([ingested(platform.id, adId)]);
    const submitted = await fixture.call<{ cases: { caseId: string }[] }>('POST', '/notices', keys.flagger, notice(platform.id, adId));
    const caseId = submitted.body.cases[0]?.caseId as string;
    const decided = await decide(caseId, keys.moderatorA, { action: 'remove', explanation: 'Contrôle par un tiers et numéro partagé.' });
    expect(decided.status).toBe(201);
    expect((await fixture.call('POST', `/platforms/${other.id}/cases/${caseId}/appeals`, other.apiKey, { appellant: 'uploader', grounds: 'Annonce personnelle, pas un réseau.' })).status).toBe(404);
    const appeal = await fixture.call<{ appealId: string }>('POST', `/platforms/${platform.id}/cases/${caseId}/appeals`, platform.apiKey, {
      appellant: 'uploader',
      grounds: 'Je suis masseur diplômé, ce numéro est celui de mon cabinet.',
    });
    expect(appeal.status).toBe(201);
    expect((await fixture.call('POST', `/platforms/${platform.id}/cases/${caseId}/appeals`, platform.apiKey, { appellant: 'uploader', grounds: 'Une deuxième fois, la même chose.' })).status).toBe(409);
    const same = await fixture.call<{ code: string }>('POST', `/review/appeals/${appeal.body.appealId}/decision`, keys.moderatorA, { outcome: 'reversed', explanation: 'Je me déjuge moi-même.' });
    expect(same).toMatchObject({ status: 409, body: { code: 'SAME_MODERATOR' } });
    const reversed = await fixture.call<{ commandId: string; newAction: string }>('POST', `/review/appeals/${appeal.body.appealId}/decision`, keys.moderatorB, {
      outcome: 'reversed',
      explanation: 'Cabinet de massage déclaré, justificatifs fournis.',
    });
    expect(reversed.status).toBe(201);
    const [reinstatement] = await fixture.collect('takedown.commands.v1', (e) => e.type === 'reinstatement.requested' && e.correlationId === caseId);
    expect(reinstatement?.data).toMatchObject({ commandId: reversed.body.commandId, appealId: appeal.body.appealId });
    await fixture.collect('cases.v1', (e) => e.type === 'case.appeal-decided' && e.correlationId === caseId);
    await fixture.collect('cases.v1', (e) => e.type === 'case.closed' && e.correlationId === caseId && (e.data as { outcome: string }).outcome === 'reinstated');
  });
});

describe('repeat offenders and abusive notifiers (DSA Art. 23)', () => {
  it('recommends suspending an account once it reaches the removal threshold', async () => {
    let last: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const adId = nextAdId();
      await fixture.publish([ingested(other.id, adId, { posterAccountId: 'acct-repeat', contacts: { phones: [`+3361234560${i}`], emails: [], handles: [] } })]);
      await waitFor(async () => (await fixture.query(`SELECT 1 FROM notice_and_takedown.ads WHERE platform_id = $1 AND ad_id = $2`, [other.id, adId]))[0], 30_000, 'ad');
      const submitted = await fixture.call<{ cases: { caseId: string }[] }>('POST', '/notices', keys.flagger, notice(other.id, adId));
      const decided = await decide(submitted.body.cases[0]?.caseId as string, keys.otherModerator, { action: 'remove', explanation: 'Proxénétisme, même compte.' });
      last = decided.body.repeatOffenderRecommendations;
    }
    expect(last).toEqual(['account:acct-repeat']);
    const listed = await fixture.call<{ recommendations: { subject: string; removals: number }[] }>('GET', `/platforms/${other.id}/repeat-offenders`, other.apiKey);
    expect(listed.body.recommendations).toEqual([expect.objectContaining({ subject: 'acct-repeat', removals: 3 })]);
    expect((await fixture.call('GET', `/platforms/${other.id}/repeat-offenders`, platform.apiKey)).status).toBe(403);
  });

  it('warns, then deprioritises, a notifier whose notices are manifestly unfounded', async () => {
    const standings: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const submitted = await fixture.call<{ noticeId: string; notifierStanding: string }>('POST', '/notices', null,
        notice(platform.id, nextAdId(), { notifier: { name: 'Claude', email: 'claude@example.org' } }));
      expect(submitted.status).toBe(201);
      standings.push(submitted.body.notifierStanding);
      const rejected = await fixture.call('POST', `/notices/${submitted.body.noticeId}/reject`, keys.moderatorA, {
        reason: 'not-substantiated', explanation: 'Aucun élément.', manifestlyUnfounded: true,
      });
      expect(rejected.status).toBe(200);
    }
    expect(standings).toEqual(['good', 'good', 'good', 'warned', 'warned', 'deprioritised']);
  });
});

describe('bad notices', () => {
  const valid = () => notice(platform.id, nextAdId(), { notifier: { name: 'Dominique', email: 'dominique@example.org' } });
  const cases: [string, () => unknown, number, string][] = [
    ['malformed JSON', () => '{"locations": [', 400, ''],
    ['no locations', () => ({ ...valid(), locations: [] }), 400, '/locations'],
    ['a location without ad id or URL', () => ({ ...valid(), locations: [{ platformId: platform.id }] }), 400, '/locations/0'],
    ['an unknown category', () => ({ ...valid(), category: 'spam' }), 400, '/category'],
    ['a too short explanation', () => ({ ...valid(), explanation: 'bad' }), 400, '/explanation'],
    ['an explanation over 5000 characters', () => ({ ...valid(), explanation: 'x'.repeat(5001) }), 400, '/explanation'],
    ['no good-faith statement', () => ({ ...valid(), goodFaith: false }), 400, '/goodFaith'],
    ['a wrong type', () => ({ ...valid(), goodFaith: 'yes' }), 400, '/goodFaith'],
    ['an unknown field', () => ({ ...valid(), priority: 'urgent' }), 400, ''],
    ['a public notice without name and e-mail', () => ({ ...valid(), notifier: undefined }), 400, '/notifier/name'],
    ['an invalid e-mail', () => ({ ...valid(), notifier: { name: 'X', email: 'not-an-email' } }), 400, '/notifier/email'],
    ['two platforms in one notice', () => ({ ...valid(), locations: [{ platformId: platform.id, adId: 'a1' }, { platformId: other.id, adId: 'a2' }] }), 400, '/locations'],
    ['the same ad twice', () => ({ ...valid(), locations: [{ platformId: platform.id, adId: 'a1' }, { platformId: platform.id, adId: 'a1' }] }), 400, '/locations/1'],
    ['more than 100 locations', () => ({ ...valid(), locations: Array.from({ length: 101 }, (_, i) => ({ platformId: platform.id, adId: `x${i}` })) }), 400, '/locations'],
    ['an order without an authority key', () => ({ ...valid(), authorityOrder: { authority: 'A', reference: 'R', legalBasis: 'L', deadline: '2026-12-01T00:00:00.000Z' } }), 400, '/authorityOrder'],
    ['an unknown platform', () => ({ ...valid(), locations: [{ platformId: 'no-such-platform', adId: 'a1' }] }), 422, '/locations/0/platformId'],
    ['a URL Vigie has never seen', () => ({ ...valid(), locations: [{ platformId: platform.id, url: 'https://nowhere.example/x' }] }), 422, '/locations/0/url'],
  ];

  it.each(cases)('rejects %s with the field and reason, storing nothing', async (_name, body, status, field) => {
    const [{ count: before }] = await fixture.query<{ count: string }>(`SELECT count(*) FROM notice_and_takedown.notices`);
    const answer = await fixture.call<{ code: string; errors?: { field: string; reason: string }[] }>('POST', '/notices', null, body());
    expect(answer.status).toBe(status);
    if (field) expect(answer.body.errors?.map((e) => e.field)).toContain(field);
    const [{ count: after }] = await fixture.query<{ count: string }>(`SELECT count(*) FROM notice_and_takedown.notices`);
    expect(after).toBe(before);
  });

  it('accepts an anonymous notice about minors without identity (DSA Art. 16(2)(c)), unacknowledged', async () => {
    const answer = await fixture.call<{ acknowledged: boolean }>('POST', '/notices', null, notice(platform.id, nextAdId(), { category: 'minors' }));
    expect(answer).toMatchObject({ status: 201, body: { acknowledged: false } });
  });

  it('refuses an authority key without an order', async () => {
    const answer = await fixture.call<{ errors: { field: string }[] }>('POST', '/notices', keys.authority, notice(platform.id, nextAdId()));
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((e) => e.field)).toContain('/authorityOrder');
  });
});

describe('authorisation across roles and tenants', () => {
  let caseId: string;
  let noticeId: string;

  beforeAll(async () => {
    const submitted = await fixture.call<{ noticeId: string; cases: { caseId: string }[] }>('POST', '/notices', keys.flagger, notice(platform.id, nextAdId()));
    caseId = submitted.body.cases[0]?.caseId as string;
    noticeId = submitted.body.noticeId;
  });

  const matrix: [string, string | null, 'GET' | 'POST', () => string, number][] = [
    ['no key', null, 'GET', () => `/cases/${caseId}`, 401],
    ['an unknown key', 'vigie_not-a-key', 'GET', () => `/cases/${caseId}`, 401],
    ['a trusted flagger', 'flagger', 'GET', () => `/cases/${caseId}`, 403],
    ['another platform’s moderator', 'otherModerator', 'GET', () => `/cases/${caseId}`, 404],
    ['another platform', 'otherPlatform', 'GET', () => `/cases/${caseId}`, 404],
    ['the platform itself', 'platform', 'GET', () => `/cases/${caseId}`, 200],
    ['its officer', 'officer', 'GET', () => `/cases/${caseId}`, 200],
    ['a regulator', 'regulator', 'GET', () => `/cases/${caseId}`, 200],
    ['a platform on the queue', 'platform', 'GET', () => '/review/queue', 403],
    ['an officer claiming', 'officer', 'POST', () => `/review/cases/${caseId}/claim`, 403],
    ['another platform’s moderator claiming', 'otherModerator', 'POST', () => `/review/cases/${caseId}/claim`, 404],
    ['a platform sending a notice', 'platform', 'POST', () => '/notices', 403],
    ['the notifier reading its notice', 'flagger', 'GET', () => `/notices/${noticeId}`, 200],
    ['another flagger reading it', 'otherFlagger', 'GET', () => `/notices/${noticeId}`, 404],
    ['another platform’s moderator qualifying it', 'otherModerator', 'POST', () => `/notices/${noticeId}/qualify`, 404],
    ['a flagger qualifying its own notice', 'flagger', 'POST', () => `/notices/${noticeId}/qualify`, 403],
  ];

  it.each(matrix)('%s → %i', async (_name, who, method, path, status) => {
    const key = who === null ? null : who === 'platform' ? platform.apiKey : who === 'otherPlatform' ? other.apiKey : who.startsWith('vigie_') ? who : (keys[who] as string);
    const body = method === 'POST' && path().endsWith('/notices') ? notice(platform.id, nextAdId()) : undefined;
    const answer = await fixture.call(method, path(), key, body);
    expect(answer.status).toBe(status);
  });

  it('lists only the caller’s platform’s cases', async () => {
    const listed = await fixture.call<{ cases: { platformId: string }[] }>('GET', `/cases?platformId=${platform.id}&limit=500`, other.apiKey);
    expect(listed.status).toBe(200);
    expect(new Set(listed.body.cases.map((c) => c.platformId))).toEqual(new Set(listed.body.cases.length ? [other.id] : []));
  });
});

describe('public notices are rate-limited per address', () => {
  it('answers 429 with Retry-After once the budget is spent', async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 80 && !limited; i += 1) {
      const response = await fetch(`${fixture.natUrl}/notices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(notice(platform.id, nextAdId(), { category: 'minors' })),
      });
      await response.text();
      if (response.status === 429) limited = response;
      else expect(response.status).toBe(201);
    }
    expect(limited).toBeDefined();
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    // Keyed notifiers are not limited by it.
    expect((await fixture.call('POST', '/notices', keys.flagger, notice(platform.id, nextAdId()))).status).toBe(201);
  });
});

describe('the reads run several times a second go through indexes of the waiting rows', () => {
  /**
   * The plan of a statement on the spec's few rows, where reading them all and sorting is
   * cheapest: scans of the whole table and sorts are priced out, so an index is taken, and a
   * Sort still shows when none gives the queue order.
   */
  async function plan(sql: string, params: unknown[]): Promise<string> {
    const client = new Client({ connectionString: fixture.databaseUrl });
    await client.connect();
    try {
      await client.query('SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off');
      const [row] = (await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, params)).rows;
      return JSON.stringify(row['QUERY PLAN']);
    } finally {
      await client.end();
    }
  }

  it('reads the review queue in queue order from cases_waiting_idx, without a sort', async () => {
    for (const [sql, params] of [
      [LIST_WAITING_CASES_SQL, [null, 'mod-a', 50]],
      [LIST_WAITING_CASES_SQL, [platform.id, 'mod-a', 50]],
      [CLAIM_NEXT_WAITING_CASE_SQL, [null]],
    ] as const) {
      const text = await plan(sql, [...params]);
      expect(text).toContain('"Index Name":"cases_waiting_idx"');
      expect(text).not.toContain('"Node Type":"Sort"');
    }
  });

  it('finds pending Kafka-delivered commands through takedown_commands_kafka_pending_idx', async () => {
    const text = await plan(acknowledgeKafkaDeliveriesSql('notice_and_takedown.outbox'), [false]);
    expect(text).toContain('"Index Name":"takedown_commands_kafka_pending_idx"');
  });
});

describe('a database that stops answering', () => {
  /** Runs `sql` on the server's maintenance database, as the fixture's admin does. */
  async function admin(sql: string): Promise<void> {
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After, not 500, and serves again once it is back', async () => {
    // The key is cached for 5 s: the request reaches the handler without asking the registry.
    expect((await fixture.call('GET', '/cases?limit=1', keys.moderatorA)).status).toBe(200);
    const database = fixture.databaseName;
    await admin(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
    try {
      await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}' AND pid <> pg_backend_pid()`);
      const response = await fetch(`${fixture.natUrl}/cases?limit=1`, { headers: { authorization: `Bearer ${keys.moderatorA}` } });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(await response.json()).toMatchObject({ statusCode: 503, code: 'DATABASE_UNAVAILABLE' });
    } finally {
      await admin(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
    }
    await waitFor(async () => (await fixture.call('GET', '/cases?limit=1', keys.moderatorA)).status === 200 || undefined, 30_000, 'the service to serve again');
  });
});
