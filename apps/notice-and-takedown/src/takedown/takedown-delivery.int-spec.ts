// Takedown delivery through the real broker and database, with ingest (the registry of
// platforms and keys) as its own process and a fake platform on loopback: signed webhooks,
// the per-platform circuit breaker through an outage, and Kafka-native platforms.
import { createEvent, Topics, type AnyEvent, type EventOf } from '@vigie/contracts';
import { MessageHeaders } from '@vigie/messaging';
import { startFakePlatform, type FakePlatform } from '../test-support/fake-platform';
import { sleep, startNatFixture, waitFor, type NatFixture } from '../test-support/nat-fixture';
import { requestTakedown, seedDecidedCase } from '../test-support/takedown-seeds';

const breakerResetMs = 3000;

describe('takedown delivery (real Kafka, PostgreSQL and ingest; fake platform)', () => {
  let fixture: NatFixture;
  const platforms: FakePlatform[] = [];

  beforeAll(async () => {
    fixture = await startNatFixture({
      env: {
        NAT_BREAKER_RESET_MS: String(breakerResetMs),
        NAT_WEBHOOK_BACKOFF_MS: '100',
        NAT_WEBHOOK_TIMEOUT_MS: '1000',
        // A slow poll: a command must reach the platform at once through the commit's signal, not the poll.
        NAT_WORKER_INTERVAL_MS: '5000',
      },
    });
  }, 180_000);

  afterAll(async () => {
    for (const platform of platforms) await platform.close();
    await fixture?.close();
  });

  async function webhookPlatform(): Promise<{ fake: FakePlatform; id: string; apiKey: string }> {
    const fake = await startFakePlatform();
    platforms.push(fake);
    const created = await fixture.createPlatform('http', fake.webhookUrl);
    fake.setSecret(created.webhookSecret as string);
    return { fake, id: created.id, apiKey: created.apiKey };
  }

  const resultOf = (type: string, commandId: string) => (event: AnyEvent) =>
    event.type === type && (event.data as { commandId?: string }).commandId === commandId;

  it('delivers a webhook command signed, with its id, and records it delivered', async () => {
    const { fake, id } = await webhookPlatform();
    const seeded = await seedDecidedCase(fixture, { platformId: id, adId: 'ad-signed', adUrl: fake.adUrl('ad-signed') });
    const requestedAt = Date.now();
    const { commandId, event } = await requestTakedown(fixture, seeded);

    const call = await waitFor(() => fake.executed.get(commandId), 10_000, 'the webhook call');
    expect(call.receivedAt - requestedAt).toBeLessThan(2000);
    expect(call.signatureValid).toBe(true);
    expect(call.headers['x-vigie-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(call.headers['x-vigie-timestamp']).toMatch(/^\d+$/);
    expect(call.commandId).toBe(commandId);
    expect(call.event).toMatchObject({
      id: event.id,
      type: 'takedown.requested',
      tenant: id,
      subject: `${id}:ad-signed`,
      correlationId: seeded.caseId,
      data: { commandId, caseId: seeded.caseId, decisionId: seeded.decisionId, action: 'remove', attempt: 1, delivery: 'webhook' },
    });

    const [requested] = await fixture.collect(Topics.TakedownCommands, (e) => e.id === event.id);
    expect(requested.type).toBe('takedown.requested');
    const [delivered] = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.delivered', commandId))) as EventOf<'takedown.delivered'>[];
    expect(delivered.data).toMatchObject({ caseId: seeded.caseId, attempt: 1, channel: 'webhook', httpStatus: 202 });
    expect(delivered.causationId).toBe(event.id);
    expect(delivered.data.latencyMs).toBeGreaterThanOrEqual(0);

    const [row] = await fixture.query<{ status: string; attempts: number; delivered_at: Date | null }>(
      `SELECT status, attempts, delivered_at FROM notice_and_takedown.takedown_commands WHERE id = $1`,
      [commandId],
    );
    expect(row).toMatchObject({ status: 'delivered', attempts: 1 });
    const [caseRow] = await fixture.query<{ takedown_requested_at: Date | null }>(
      `SELECT takedown_requested_at FROM notice_and_takedown.cases WHERE id = $1`,
      [seeded.caseId],
    );
    expect(caseRow.takedown_requested_at).not.toBeNull();
  });

  it('keeps commands while the platform is down (breaker open, no calls), then delivers each once', async () => {
    const { fake, id } = await webhookPlatform();
    fake.behave({ mode: 'fail', status: 500 });
    const commandIds: string[] = [];
    for (let index = 0; index < 5; index++) {
      const seeded = await seedDecidedCase(fixture, { platformId: id, adId: `ad-outage-${index}`, adUrl: fake.adUrl(`ad-outage-${index}`) });
      commandIds.push((await requestTakedown(fixture, seeded)).commandId);
    }

    await waitFor(async () => (await fixture.metric('vigie_nat_webhook_breaker_state', { platform: id })) === 2, 20_000, 'the breaker to open');
    // Calls sent before the breaker opened may still be on their way (five commands, up to eight
    // calls at once): counted once they have arrived, well before the breaker half-opens.
    await sleep(500);
    const callsWhenOpened = fake.calls.length;
    const attemptsOf = async () =>
      (await fixture.query<{ attempts: number }>(`SELECT sum(attempts)::int AS attempts FROM notice_and_takedown.takedown_commands WHERE id = ANY($1::uuid[])`, [commandIds]))[0]
        .attempts;
    const attemptsWhenOpened = await attemptsOf();
    expect(callsWhenOpened).toBeGreaterThanOrEqual(3);
    await sleep(breakerResetMs / 3);
    // Open: the platform is left alone, and waiting is not counted as attempts.
    expect(fake.calls.length).toBe(callsWhenOpened);
    expect(await attemptsOf()).toBe(attemptsWhenOpened);
    expect(await fixture.metric('vigie_nat_webhook_breaker_state', { platform: id })).toBe(2);

    const failures = (await fixture.collect(
      Topics.TakedownResults,
      (e) => e.type === 'takedown.delivery-failed' && commandIds.includes((e as EventOf<'takedown.delivery-failed'>).data.commandId),
    )) as EventOf<'takedown.delivery-failed'>[];
    expect(failures[0].data).toMatchObject({ channel: 'webhook', httpStatus: 500, willRetry: true });
    expect(failures[0].data.nextAttemptAt).toEqual(expect.any(String));
    const pending = await fixture.query<{ status: string }>(
      `SELECT status FROM notice_and_takedown.takedown_commands WHERE id = ANY($1::uuid[])`,
      [commandIds],
    );
    expect(pending.every((row) => row.status === 'pending')).toBe(true);

    // Recovery: the next half-open trial succeeds and the waiting commands follow.
    fake.behave({ mode: 'ok' });
    await waitFor(() => commandIds.every((commandId) => fake.executed.has(commandId)), 30_000, 'every command to be executed');
    const delivered = await fixture.collect(
      Topics.TakedownResults,
      (e) => e.type === 'takedown.delivered' && commandIds.includes((e as EventOf<'takedown.delivered'>).data.commandId),
      30_000,
      commandIds.length,
    );
    expect(new Set(delivered.map((e) => (e as EventOf<'takedown.delivered'>).data.commandId)).size).toBe(commandIds.length);
    expect(delivered).toHaveLength(commandIds.length);
    for (const commandId of commandIds) {
      const calls = fake.callsFor(commandId);
      // Same command on every attempt, always signed; accepted exactly once.
      expect(calls.every((call) => call.signatureValid && call.event?.data && (call.event.data as { commandId: string }).commandId === commandId)).toBe(true);
      expect(calls.filter((call) => call.answeredStatus !== null && call.answeredStatus < 300)).toHaveLength(1);
    }
    const rows = await fixture.query<{ status: string }>(
      `SELECT status FROM notice_and_takedown.takedown_commands WHERE id = ANY($1::uuid[])`,
      [commandIds],
    );
    expect(rows.map((row) => row.status)).toEqual(commandIds.map(() => 'delivered'));
    expect(await fixture.metric('vigie_nat_webhook_breaker_state', { platform: id })).toBe(0);
    await sleep(500);
    expect(fixture.seen(Topics.TakedownResults, (e) => e.type === 'takedown.delivered' && commandIds.includes((e as EventOf<'takedown.delivered'>).data.commandId))).toHaveLength(
      commandIds.length,
    );
  });

  it('retries after a timeout and a refused connection, with the same command, until delivered', async () => {
    const { fake, id } = await webhookPlatform();
    fake.behave({ mode: 'hang' });
    const seeded = await seedDecidedCase(fixture, { platformId: id, adId: 'ad-flaky', adUrl: fake.adUrl('ad-flaky') });
    const { commandId } = await requestTakedown(fixture, seeded);

    const [timedOut] = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.delivery-failed', commandId))) as EventOf<'takedown.delivery-failed'>[];
    expect(timedOut.data).toMatchObject({ attempt: 1, httpStatus: null, willRetry: true, error: 'no answer within 1000 ms' });

    await fake.refuseConnections();
    fake.behave({ mode: 'ok' });
    const failures = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.delivery-failed', commandId), 30_000, 2)) as EventOf<'takedown.delivery-failed'>[];
    expect(failures[1].data).toMatchObject({ attempt: 2, httpStatus: null, willRetry: true });
    // Refused, or a pooled connection found closed: either way no answer.
    expect(failures[1].data.error).toMatch(/^webhook unreachable: /);

    await fake.acceptConnections();
    const [delivered] = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.delivered', commandId))) as EventOf<'takedown.delivered'>[];
    // Attempts are counted across failures, and each call that reached the platform says which it was.
    const failed = fixture.seen(Topics.TakedownResults, resultOf('takedown.delivery-failed', commandId));
    expect(delivered.data.attempt).toBe(failed.length + 1);
    const calls = fake.callsFor(commandId);
    const attempts = calls.map((call) => call.attempt as number);
    expect(attempts[0]).toBe(1);
    expect(attempts[attempts.length - 1]).toBe(delivered.data.attempt);
    expect(new Set(attempts).size).toBe(attempts.length);
    expect(calls.filter((call) => call.answeredStatus !== null && call.answeredStatus < 300)).toHaveLength(1);
    expect(calls.every((call) => call.signatureValid)).toBe(true);
  });

  it('keeps a command the platform could not take across a restart, and delivers it afterwards', async () => {
    const { fake, id } = await webhookPlatform();
    await fake.refuseConnections();
    const seeded = await seedDecidedCase(fixture, { platformId: id, adId: 'ad-restart', adUrl: fake.adUrl('ad-restart') });
    const { commandId } = await requestTakedown(fixture, seeded);
    await fixture.collect(Topics.TakedownResults, resultOf('takedown.delivery-failed', commandId));

    await fixture.restartNat();
    await fake.acceptConnections();
    const [delivered] = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.delivered', commandId))) as EventOf<'takedown.delivered'>[];
    expect(delivered.data.attempt).toBeGreaterThanOrEqual(2);
    expect(fake.executed.get(commandId)?.signatureValid).toBe(true);
  });

  it('gives a Kafka-native platform its command on takedown.commands.v1 and applies its confirmation from takedown.results.v1', async () => {
    const created = await fixture.createPlatform('kafka');
    const seeded = await seedDecidedCase(fixture, { platformId: created.id, adId: 'ad-kafka' });
    const { commandId, event } = await requestTakedown(fixture, seeded);

    const [command] = (await fixture.collect(Topics.TakedownCommands, (e) => e.id === event.id)) as EventOf<'takedown.requested'>[];
    expect(command.data).toMatchObject({ commandId, delivery: 'kafka', attempt: 1, action: 'remove' });
    const [delivered] = (await fixture.collect(Topics.TakedownResults, resultOf('takedown.delivered', commandId))) as EventOf<'takedown.delivered'>[];
    expect(delivered.data).toMatchObject({ channel: 'kafka', httpStatus: null, attempt: 1 });

    const confirmedAt = new Date(Date.now() - 1000).toISOString();
    const confirmation = platformConfirmation(command, created.id, confirmedAt);
    await fixture.publish([confirmation]);
    const [recorded] = (await fixture.collect(
      Topics.TakedownResults,
      (e) => resultOf('takedown.confirmed', commandId)(e) && e.source === 'notice-and-takedown',
    )) as EventOf<'takedown.confirmed'>[];
    expect(recorded.causationId).toBe(confirmation.id);
    expect(recorded.data).toMatchObject({ confirmedAt, platformReference: 'MOD-1', action: 'remove' });
    const [row] = await fixture.query<{ status: string; confirmed_at: Date }>(
      `SELECT status, confirmed_at FROM notice_and_takedown.takedown_commands WHERE id = $1`,
      [commandId],
    );
    expect(row.status).toBe('confirmed');
    expect(row.confirmed_at.toISOString()).toBe(confirmedAt);
    const [caseRow] = await fixture.query<{ removed_at: Date }>(`SELECT removed_at FROM notice_and_takedown.cases WHERE id = $1`, [seeded.caseId]);
    expect(caseRow.removed_at.toISOString()).toBe(confirmedAt);

    // The same confirmation again (a new event): applied, and nothing changes or is emitted.
    const again = platformConfirmation(command, created.id, new Date().toISOString());
    await fixture.publish([again]);
    await waitFor(
      async () => (await fixture.query(`SELECT 1 FROM notice_and_takedown.inbox WHERE event_id = $1`, [again.id])).length > 0,
      30_000,
      'the repeated confirmation to be consumed',
    );
    await sleep(1000);
    expect(fixture.seen(Topics.TakedownResults, (e) => resultOf('takedown.confirmed', commandId)(e) && e.source === 'notice-and-takedown')).toHaveLength(1);
    const [unchanged] = await fixture.query<{ confirmed_at: Date }>(
      `SELECT confirmed_at FROM notice_and_takedown.takedown_commands WHERE id = $1`,
      [commandId],
    );
    expect(unchanged.confirmed_at.toISOString()).toBe(confirmedAt);
  });

  it("dead-letters a confirmation of another platform's command, with the reason", async () => {
    const owner = await fixture.createPlatform('kafka');
    const intruder = await fixture.createPlatform('kafka');
    const seeded = await seedDecidedCase(fixture, { platformId: owner.id, adId: 'ad-owned' });
    const { commandId, event } = await requestTakedown(fixture, seeded);
    const [command] = (await fixture.collect(Topics.TakedownCommands, (e) => e.id === event.id)) as EventOf<'takedown.requested'>[];

    const forged = createEvent('takedown.confirmed', {
      tenant: intruder.id,
      subject: `${intruder.id}:ad-owned`,
      correlationId: seeded.caseId,
      causationId: command.id,
      source: `platform:${intruder.id}`,
      data: { commandId, caseId: seeded.caseId, platformAdId: 'ad-owned', action: 'remove', confirmedAt: new Date().toISOString(), platformReference: null },
    });
    await fixture.publish([forged]);
    const [letter] = await fixture.collect(`${Topics.TakedownResults}.dlq`, (e) => e.id === forged.id);
    expect(letter.id).toBe(forged.id);
    const record = fixture.seen(`${Topics.TakedownResults}.dlq`, (e) => e.id === forged.id)[0];
    expect(record.headers[MessageHeaders.dlqError]).toContain('another platform');
    const [row] = await fixture.query<{ status: string }>(`SELECT status FROM notice_and_takedown.takedown_commands WHERE id = $1`, [commandId]);
    expect(row.status).not.toBe('confirmed');
  });
});

function platformConfirmation(command: EventOf<'takedown.requested'>, platformId: string, confirmedAt: string): EventOf<'takedown.confirmed'> {
  return createEvent('takedown.confirmed', {
    tenant: platformId,
    subject: command.subject,
    correlationId: command.correlationId,
    causationId: command.id,
    source: `platform:${platformId}`,
    data: {
      commandId: command.data.commandId,
      caseId: command.data.caseId,
      platformAdId: command.data.platformAdId,
      action: 'remove',
      confirmedAt,
      platformReference: 'MOD-1',
    },
  });
}
