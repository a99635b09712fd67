// Platforms' HTTP confirmations and the independent verification probe, through the real
// broker and database, with ingest (keys, platforms) as its own process and a fake platform
// on loopback serving the ads' pages.
import { createEvent, EVENT_DEFINITIONS, subjectFor, Topics, type AnyEvent, type EventData, type EventOf } from '@vigie/contracts';
import type { EventBatch } from '@vigie/messaging';
import { AdsIngestedConsumer } from '../cases/consumers/ads-ingested.consumer';
import { AdAddressesFromPlatformsOnly1763857800000 } from '../migrations/1763857800000-ad-addresses-from-platforms-only';
import { startFakePlatform, type FakePlatform } from '../test-support/fake-platform';
import { sleep, startNatFixture, waitFor, type CreatedPlatform, type NatFixture } from '../test-support/nat-fixture';
import { requestTakedown, seedDecidedCase, type SeededCase } from '../test-support/takedown-seeds';
import { RemovalVerifier } from './services/removal-verifier.service';
import { TakedownCommands } from './services/takedown-commands.service';

const adTemplate = EVENT_DEFINITIONS.find((d) => d.type === 'ad.ingested')?.example.data as EventData<'ad.ingested'>;

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  errors?: { field: string; reason: string }[];
}

describe('takedown confirmations and verification (real Kafka, PostgreSQL and ingest; fake platform)', () => {
  let fixture: NatFixture;
  let fake: FakePlatform;
  let platform: CreatedPlatform;

  beforeAll(async () => {
    fixture = await startNatFixture({ env: { NAT_VERIFY_BACKOFF_MS: '600000', NAT_VERIFY_TIMEOUT_MS: '2000' } });
    fake = await startFakePlatform();
    platform = await fixture.createPlatform('http', fake.webhookUrl);
    fake.setSecret(platform.webhookSecret as string);
  }, 180_000);

  afterAll(async () => {
    await fake?.close();
    await fixture?.close();
  });

  const resultOf = (type: string, commandId: string) => (event: AnyEvent) =>
    event.type === type && (event.data as { commandId?: string }).commandId === commandId;

  /** A decided case whose takedown the platform received (webhook accepted). */
  async function deliveredTakedown(adId: string): Promise<{ seeded: SeededCase; commandId: string }> {
    const seeded = await seedDecidedCase(fixture, { platformId: platform.id, adId, adUrl: fake.adUrl(adId) });
    const { commandId } = await requestTakedown(fixture, seeded);
    await fixture.collect(Topics.TakedownResults, resultOf('takedown.delivered', commandId));
    return { seeded, commandId };
  }

  const confirm = (platformId: string, key: string, body: unknown) =>
    fixture.call<ErrorBody & { duplicate?: boolean; status?: string }>('POST', `/platforms/${platformId}/takedown-results`, key, body);

  it('confirms over HTTP, verifies the page is gone and closes the case', async () => {
    fake.removalPage('gone');
    const { seeded, commandId } = await deliveredTakedown('ad-verified');
    const confirmedAt = new Date(Date.now() - 2000).toISOString();

    const answer = await confirm(platform.id, platform.apiKey, { commandId, action: 'remove', confirmedAt, platformReference: 'MOD-42' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ commandId, status: 'confirmed', duplicate: false });

    const [confirmed] = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.confirmed', commandId))) as EventOf<'takedown.confirmed'>[];
    expect(confirmed).toMatchObject({ source: 'notice-and-takedown', correlationId: seeded.caseId, data: { confirmedAt, platformReference: 'MOD-42', action: 'remove' } });

    const [verified] = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.verified', commandId))) as EventOf<'takedown.verified'>[];
    expect(verified.data.probe).toMatchObject({ url: seeded.adUrl, method: 'GET', statusCode: 410, outcome: 'gone', finalUrl: null, error: null });
    const [closed] = (await fixture.collect(
      Topics.Cases,
      (e) => e.type === 'case.closed' && (e as EventOf<'case.closed'>).data.caseId === seeded.caseId,
    )) as EventOf<'case.closed'>[];
    expect(closed.data).toMatchObject({ outcome: 'actioned', finalAction: 'remove', finalDecisionId: seeded.decisionId });
    expect(closed.causationId).toBe(verified.id);

    const [caseRow] = await fixture.query<{ status: string; removed_at: Date; verified_at: Date; closed_at: Date }>(
      `SELECT status, removed_at, verified_at, closed_at FROM notice_and_takedown.cases WHERE id = $1`,
      [seeded.caseId],
    );
    expect(caseRow.status).toBe('closed');
    expect(caseRow.removed_at.toISOString()).toBe(confirmedAt);
    expect(caseRow.verified_at).not.toBeNull();
    const [commandRow] = await fixture.query<{ status: string; verified_at: Date | null; next_verification_at: Date | null }>(
      `SELECT status, verified_at, next_verification_at FROM notice_and_takedown.takedown_commands WHERE id = $1`,
      [commandId],
    );
    expect(commandRow).toMatchObject({ status: 'confirmed', next_verification_at: null });
    expect(commandRow.verified_at).not.toBeNull();

    // Confirming again changes nothing and emits nothing.
    const again = await confirm(platform.id, platform.apiKey, { commandId, action: 'remove', confirmedAt: new Date().toISOString() });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, confirmedAt });
    await sleep(1000);
    expect(fixture.seen(Topics.TakedownResults, resultOf('takedown.confirmed', commandId))).toHaveLength(1);
  });

  it('reports a page still live after a confirmation as a failed verification, to be retried', async () => {
    fake.removalPage(null);
    const { seeded, commandId } = await deliveredTakedown('ad-still-live');
    const answer = await confirm(platform.id, platform.apiKey, { commandId, action: 'remove', confirmedAt: new Date().toISOString() });
    expect(answer.status).toBe(200);

    const [failed] = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.verification-failed', commandId))) as EventOf<'takedown.verification-failed'>[];
    expect(failed.data).toMatchObject({ attempt: 1, willRetry: true, probe: { statusCode: 200, outcome: 'still-live', url: seeded.adUrl } });
    expect(Date.parse(failed.data.nextAttemptAt as string)).toBeGreaterThan(Date.now());
    expect(fixture.seen(Topics.TakedownResults, resultOf('takedown.verified', commandId))).toHaveLength(0);
    const [caseRow] = await fixture.query<{ status: string; verified_at: Date | null }>(
      `SELECT status, verified_at FROM notice_and_takedown.cases WHERE id = $1`,
      [seeded.caseId],
    );
    expect(caseRow).toMatchObject({ status: 'decided', verified_at: null });
  });

  it('verifies a reinstatement by the page answering again, and closes the case as reinstated', async () => {
    const seeded = await seedDecidedCase(fixture, { platformId: platform.id, adId: 'ad-reinstated', adUrl: fake.adUrl('ad-reinstated') });
    fake.setAd('ad-reinstated', 'gone');
    const { commandId, event } = await requestTakedown(fixture, seeded, {
      kind: 'reinstatement',
      action: 'reinstate',
      appealId: null,
      legalReference: null,
      reason: 'Recours accueilli : retrait annulé.',
    });
    expect(event.type).toBe('reinstatement.requested');
    await fixture.collect(Topics.TakedownResults, resultOf('takedown.delivered', commandId));
    const answer = await confirm(platform.id, platform.apiKey, { commandId, action: 'reinstate', confirmedAt: new Date().toISOString() });
    expect(answer.status).toBe(200);

    const [verified] = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.verified', commandId))) as EventOf<'takedown.verified'>[];
    expect(verified.data.probe).toMatchObject({ statusCode: 200, outcome: 'reinstated' });
    const [closed] = (await fixture.collect(
      Topics.Cases,
      (e) => e.type === 'case.closed' && (e as EventOf<'case.closed'>).data.caseId === seeded.caseId,
    )) as EventOf<'case.closed'>[];
    expect(closed.data).toMatchObject({ outcome: 'reinstated', finalAction: null });
    const [caseRow] = await fixture.query<{ removed_at: Date | null; verified_at: Date | null; takedown_requested_at: Date | null }>(
      `SELECT removed_at, verified_at, takedown_requested_at FROM notice_and_takedown.cases WHERE id = $1`,
      [seeded.caseId],
    );
    // A reinstatement is not a removal: the removal clock facts are untouched.
    expect(caseRow).toEqual({ removed_at: null, verified_at: null, takedown_requested_at: null });
  });

  it("answers 404 for another platform's command, 403 on another platform's route, 409 for another action", async () => {
    fake.removalPage('gone');
    const { commandId } = await deliveredTakedown('ad-guarded');
    const other = await fixture.createPlatform('http');

    const foreign = await confirm(other.id, other.apiKey, { commandId, action: 'remove', confirmedAt: new Date().toISOString() });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('COMMAND_NOT_FOUND');
    const crossRoute = await confirm(platform.id, other.apiKey, { commandId, action: 'remove', confirmedAt: new Date().toISOString() });
    expect(crossRoute.status).toBe(403);
    const unknown = await confirm(platform.id, platform.apiKey, {
      commandId: '01a2077e-f55e-764d-b677-232b2091395a',
      action: 'remove',
      confirmedAt: new Date().toISOString(),
    });
    expect(unknown.status).toBe(404);
    const mismatch = await confirm(platform.id, platform.apiKey, { commandId, action: 'restrict', confirmedAt: new Date().toISOString() });
    expect(mismatch.status).toBe(409);
    expect(mismatch.body.code).toBe('ACTION_MISMATCH');
    const anonymous = await fixture.call('POST', `/platforms/${platform.id}/takedown-results`, null, { commandId, action: 'remove', confirmedAt: new Date().toISOString() });
    expect(anonymous.status).toBe(401);
    const moderator = await fixture.createKey('moderator', 'mod-takedown');
    expect((await confirm(platform.id, moderator, { commandId, action: 'remove', confirmedAt: new Date().toISOString() })).status).toBe(403);

    // An admin may confirm on a platform's behalf.
    const byAdmin = await confirm(platform.id, fixture.adminKey, { commandId, action: 'remove', confirmedAt: new Date().toISOString() });
    expect(byAdmin.status).toBe(200);
    const [row] = await fixture.query<{ status: string }>(`SELECT status FROM notice_and_takedown.takedown_commands WHERE id = $1`, [commandId]);
    expect(row.status).toBe('confirmed');
  });

  it.each([
    ['an empty body', {}, ['/commandId', '/action', '/confirmedAt']],
    ['a malformed command id', { commandId: 'not-a-uuid', action: 'remove', confirmedAt: '2026-11-23T08:00:00Z' }, ['/commandId']],
    ['an unknown action', { commandId: '01a2077e-f55e-764d-b677-232b2091395a', action: 'delete', confirmedAt: '2026-11-23T08:00:00Z' }, ['/action']],
    ['a date without offset', { commandId: '01a2077e-f55e-764d-b677-232b2091395a', action: 'remove', confirmedAt: '2026-11-23 08:00' }, ['/confirmedAt']],
    ['an impossible date', { commandId: '01a2077e-f55e-764d-b677-232b2091395a', action: 'remove', confirmedAt: '2026-13-45T08:00:00Z' }, ['/confirmedAt']],
    ['a date in the future', { commandId: '01a2077e-f55e-764d-b677-232b2091395a', action: 'remove', confirmedAt: '2099-01-01T00:00:00Z' }, ['/confirmedAt']],
    ['an unexpected field', { commandId: '01a2077e-f55e-764d-b677-232b2091395a', action: 'remove', confirmedAt: '2026-11-23T08:00:00Z', removedBy: 'x' }, ['/removedBy']],
    ['a too long reference', { commandId: '01a2077e-f55e-764d-b677-232b2091395a', action: 'remove', confirmedAt: '2026-11-23T08:00:00Z', platformReference: 'x'.repeat(201) }, ['/platformReference']],
  ])('answers 400 with the failing fields for %s', async (_label, body, fields) => {
    const answer = await confirm(platform.id, platform.apiKey, body);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('INVALID_REQUEST');
    const reported = (answer.body.errors ?? []).map((error) => error.field);
    for (const field of fields) expect(reported).toContain(field);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const answer = await fixture.call<ErrorBody>('POST', `/platforms/${platform.id}/takedown-results`, platform.apiKey, '{"commandId":');
    expect(answer.status).toBe(400);
  });

  it('takes a removal seen in the ad stream as the confirmation, without a takedown.confirmed event', async () => {
    fake.removalPage('not-found');
    const { seeded, commandId } = await deliveredTakedown('ad-stream-removed');
    const removedAt = new Date(Date.now() - 500);
    await fixture.nat.infrastructure.dataSource.transaction((manager) =>
      fixture.nat.app.get(TakedownCommands).recordRemoval(manager, {
        platformId: platform.id,
        adId: 'ad-stream-removed',
        removedAt,
        commandId: null,
        source: 'ad-stream',
        platformReference: null,
        causationId: null,
      }),
    );
    const [verified] = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.verified', commandId))) as EventOf<'takedown.verified'>[];
    expect(verified.data.probe.outcome).toBe('not-found');
    expect(fixture.seen(Topics.TakedownResults, resultOf('takedown.confirmed', commandId))).toHaveLength(0);
    const [caseRow] = await waitFor(
      async () => {
        const rows = await fixture.query<{ status: string; removed_at: Date }>(`SELECT status, removed_at FROM notice_and_takedown.cases WHERE id = $1`, [seeded.caseId]);
        return rows[0]?.status === 'closed' ? rows : undefined;
      },
      10_000,
      'the case to close',
    );
    expect(caseRow.removed_at.toISOString()).toBe(removedAt.toISOString());
  });

  describe('a takedown decided before notice-and-takedown had the ad (a notice by ad id, or its consumer behind)', () => {
    const adIngested = (adId: string) =>
      createEvent('ad.ingested', {
        tenant: platform.id,
        subject: subjectFor(platform.id, adId),
        source: 'ingest',
        data: { ...adTemplate, platformAdId: adId, url: fake.adUrl(adId) },
      });

    async function deliverAndConfirm(commandId: string): Promise<void> {
      await fixture.collect(Topics.TakedownResults, resultOf('takedown.delivered', commandId));
      const answer = await confirm(platform.id, platform.apiKey, { commandId, action: 'remove', confirmedAt: new Date().toISOString() });
      expect(answer.status).toBe(200);
    }

    const awaitingAd = async (commandId: string) =>
      (await fixture.query<{ awaiting_ad: boolean }>(`SELECT awaiting_ad FROM notice_and_takedown.takedown_commands WHERE id = $1`, [commandId]))[0]
        ?.awaiting_ad;

    /** Verified by probing the ad's address, which the command now records. */
    async function expectVerified(adId: string, commandId: string, caseId: string): Promise<void> {
      const [verified] = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.verified', commandId))) as EventOf<'takedown.verified'>[];
      expect(verified.data.probe).toMatchObject({ url: fake.adUrl(adId), statusCode: 410, outcome: 'gone' });
      await fixture.collect(Topics.Cases, (e) => e.type === 'case.closed' && (e as EventOf<'case.closed'>).data.caseId === caseId);
      const [row] = await fixture.query<{ url: string | null }>(`SELECT url FROM notice_and_takedown.takedown_commands WHERE id = $1`, [commandId]);
      expect(row.url).toBe(fake.adUrl(adId));
    }

    it('verifies the removal once the ad arrives', async () => {
      fake.removalPage('gone');
      const adId = 'ad-arrives-after-the-decision';
      const seeded = await seedDecidedCase(fixture, { platformId: platform.id, adId, adUrl: null });
      const { commandId } = await requestTakedown(fixture, seeded);
      await deliverAndConfirm(commandId);
      // No address anywhere yet: nothing can be probed, and the command is set aside, out of
      // the rounds, instead of being read again by each.
      await waitFor(() => awaitingAd(commandId), 10_000, 'the command to be set aside');
      await sleep(1000);
      expect(await awaitingAd(commandId)).toBe(true);
      expect(await fixture.metric('vigie_nat_takedown_verifications_total', { outcome: 'awaiting-ad' })).toBeGreaterThanOrEqual(1);
      expect(fixture.seen(Topics.TakedownResults, resultOf('takedown.verified', commandId))).toHaveLength(0);
      expect(fixture.seen(Topics.TakedownResults, resultOf('takedown.verification-failed', commandId))).toHaveLength(0);

      await fixture.publish([adIngested(adId)]);
      await expectVerified(adId, commandId, seeded.caseId);
      expect(await awaitingAd(commandId)).toBe(false);
    });

    it('takes back a command set aside while its ad was being stored (the minute sweep)', async () => {
      fake.removalPage('gone');
      const adId = 'ad-stored-while-set-aside';
      const seeded = await seedDecidedCase(fixture, { platformId: platform.id, adId, adUrl: null });
      const { commandId } = await requestTakedown(fixture, seeded);
      await deliverAndConfirm(commandId);
      await waitFor(() => awaitingAd(commandId), 10_000, 'the command to be set aside');
      // The ad lands without the consumer's hand-back, as when the round set the command aside
      // while the ad's transaction was still uncommitted.
      await fixture.query(
        `INSERT INTO notice_and_takedown.ads (platform_id, ad_id, url, version, published_at, contacts, has_images, ingested_at)
         VALUES ($1, $2, $3, 1, now(), '{}', false, now())`,
        [platform.id, adId, fake.adUrl(adId)],
      );
      await sleep(1000);
      expect(await awaitingAd(commandId)).toBe(true);
      await fixture.nat.app.get(RemovalVerifier).sweepAwaitingAds(Date.now() + 3_600_000);
      await expectVerified(adId, commandId, seeded.caseId);
    });

    it('gives the command and its takedown.requested event the address of an ad that arrived after the case opened', async () => {
      const adId = 'ad-arrived-before-the-decision';
      const seeded = await seedDecidedCase(fixture, { platformId: platform.id, adId, adUrl: null });
      await fixture.publish([adIngested(adId)]);
      await waitFor(
        async () => (await fixture.query(`SELECT 1 FROM notice_and_takedown.ads WHERE platform_id = $1 AND ad_id = $2`, [platform.id, adId])).length === 1 || undefined,
        10_000,
        'the ad to reach notice-and-takedown',
      );
      const { commandId, event } = await requestTakedown(fixture, seeded);
      expect((event as EventOf<'takedown.requested'>).data.url).toBe(fake.adUrl(adId));
      const [row] = await fixture.query<{ url: string | null; payload: { data: { url: string | null } } }>(
        `SELECT url, payload FROM notice_and_takedown.takedown_commands WHERE id = $1`,
        [commandId],
      );
      expect(row.url).toBe(fake.adUrl(adId));
      // The webhook the platform receives is this stored payload.
      expect(row.payload.data.url).toBe(fake.adUrl(adId));
    });

    it("verifies the removal when the ad's transaction and the decision's commit without seeing each other", async () => {
      // The race of READ COMMITTED: the ads consumer's batch writes the ad while the case is
      // opened and decided elsewhere; the command is inserted before that batch commits (so it
      // cannot read the ad's address) and the batch never sees the command (not committed when
      // it looked). Reproduced step by step with the service's own consumer and command code.
      fake.removalPage('gone');
      const adId = 'ad-racing-the-decision';
      const consumer = fixture.nat.app.get(AdsIngestedConsumer);
      const event = adIngested(adId);
      let commandId = '';
      let caseId = '';
      await fixture.nat.infrastructure.dataSource.transaction(async (manager) => {
        const batch: EventBatch = {
          topic: Topics.AdsIngested,
          partition: 0,
          events: [{ event, coordinates: { topic: Topics.AdsIngested, partition: 0, offset: '0', timestamp: String(Date.now()), headers: {} } }],
          manager,
          outbox: { tableName: 'unused', enqueue: async () => undefined } as unknown as EventBatch['outbox'],
          deadLetter: () => undefined,
          reportDuplicates: () => undefined,
        };
        await consumer.onAdsIngested(batch);
        // Meanwhile, in other transactions: the case is opened and decided, its command requested.
        const seeded = await seedDecidedCase(fixture, { platformId: platform.id, adId, adUrl: null });
        caseId = seeded.caseId;
        ({ commandId } = await requestTakedown(fixture, seeded));
      });
      const [row] = await fixture.query<{ url: string | null }>(`SELECT url FROM notice_and_takedown.takedown_commands WHERE id = $1`, [commandId]);
      expect(row.url).toBeNull(); // the command really was written without the address
      await deliverAndConfirm(commandId);
      await expectVerified(adId, commandId, caseId);
    });
  });

  it('retires the breaker of a host not probed for a while, and makes a new one when it is probed again', async () => {
    const verifier = fixture.nat.app.get(RemovalVerifier);
    const host = new URL(fake.adUrl('x')).host;
    const metricsText = async () => (await fetch(`${fixture.natUrl}/metrics`)).text();
    const held = verifier.breakerCount;
    expect(held).toBeGreaterThanOrEqual(1);
    expect(await metricsText()).toContain(`host="${host}"`);
    // Used two minutes ago: kept.
    expect(verifier.retireIdleBreakers(Date.now() + 120_000)).toBe(0);
    expect(verifier.breakerCount).toBe(held);
    // Idle for more than fifteen minutes: retired, with its series.
    expect(verifier.retireIdleBreakers(Date.now() + 16 * 60_000)).toBe(held);
    expect(verifier.breakerCount).toBe(0);
    expect(await metricsText()).not.toContain(`host="${host}"`);

    fake.removalPage('gone');
    const { seeded, commandId } = await deliveredTakedown('ad-after-retirement');
    expect((await confirm(platform.id, platform.apiKey, { commandId, action: 'remove', confirmedAt: new Date().toISOString() })).status).toBe(200);
    await fixture.collect(Topics.TakedownResults, resultOf('takedown.verified', commandId));
    await fixture.collect(Topics.Cases, (e) => e.type === 'case.closed' && (e as EventOf<'case.closed'>).data.caseId === seeded.caseId);
    expect(verifier.breakerCount).toBe(1);
  });

  it('replaces, on upgrade, the ad addresses notifiers gave with the platform\'s, on cases and on commands not yet verified', async () => {
    const claimed = 'http://10.0.0.1/internal';
    const known = await seedDecidedCase(fixture, { platformId: platform.id, adId: 'ad-known-upgrade', adUrl: claimed });
    const unknown = await seedDecidedCase(fixture, { platformId: platform.id, adId: 'ad-unknown-upgrade', adUrl: claimed });
    await fixture.query(
      `INSERT INTO notice_and_takedown.ads (platform_id, ad_id, url, version, published_at, contacts, has_images, ingested_at)
       VALUES ($1, 'ad-known-upgrade', $2, 1, now(), '{}', false, now())`,
      [platform.id, fake.adUrl('ad-known-upgrade')],
    );
    const pending = (await requestTakedown(fixture, known)).commandId;
    const verifiedAlready = (await requestTakedown(fixture, unknown)).commandId;
    await fixture.query(`UPDATE notice_and_takedown.takedown_commands SET url = $2 WHERE id = $1`, [pending, claimed]);
    await fixture.query(`UPDATE notice_and_takedown.takedown_commands SET verified_at = now(), next_verification_at = NULL WHERE id = $1`, [verifiedAlready]);

    await fixture.nat.infrastructure.dataSource.transaction((manager) => new AdAddressesFromPlatformsOnly1763857800000().up(manager.queryRunner as never));

    const cases = await fixture.query<{ ad_id: string; ad_url: string | null }>(
      `SELECT ad_id, ad_url FROM notice_and_takedown.cases WHERE id = ANY($1::uuid[]) ORDER BY ad_id`,
      [[known.caseId, unknown.caseId]],
    );
    expect(cases).toEqual([
      { ad_id: 'ad-known-upgrade', ad_url: fake.adUrl('ad-known-upgrade') },
      { ad_id: 'ad-unknown-upgrade', ad_url: null },
    ]);
    const commands = await fixture.query<{ id: string; url: string | null }>(`SELECT id, url FROM notice_and_takedown.takedown_commands WHERE id = ANY($1::uuid[])`, [
      [pending, verifiedAlready],
    ]);
    expect(Object.fromEntries(commands.map((c) => [c.id, c.url]))).toEqual({ [pending]: fake.adUrl('ad-known-upgrade'), [verifiedAlready]: claimed });
  });

  it('refuses, by default, to probe an ad the platform says is on a loopback or private address', async () => {
    await fixture.restartNat({ NAT_VERIFY_PRIVATE_ADDRESSES: 'deny' });
    try {
      fake.removalPage('gone');
      const { commandId } = await deliveredTakedown('ad-on-loopback');
      expect((await confirm(platform.id, platform.apiKey, { commandId, action: 'remove', confirmedAt: new Date().toISOString() })).status).toBe(200);
      const [failed] = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.verification-failed', commandId))) as EventOf<'takedown.verification-failed'>[];
      expect(failed.data.probe).toMatchObject({ statusCode: null, outcome: 'unreachable', url: fake.adUrl('ad-on-loopback') });
      expect(failed.data.probe.error).toContain('not a public address');
      expect(fake.pageRequests.filter((request) => request.adId === 'ad-on-loopback')).toEqual([]);
    } finally {
      await fixture.restartNat({ NAT_VERIFY_PRIVATE_ADDRESSES: 'allow' });
    }
  });
});
