import { createEvent, encodeEvent, EVENT_DEFINITIONS, subjectFor, Topics, type Ad, type EventOf } from '@vigie/contracts';
import type { Producer } from 'kafkajs';
import {
  isoIn,
  metricValue,
  platformProducer,
  randomHex,
  sampleAd,
  startIngest,
  tapIngested,
  tapSubmittedDlq,
  type BatchReport,
  type CreatedPlatform,
  type IngestFixture,
  type RawRecord,
  type TappedEvent,
  type TopicTap,
} from '../test-support/ingest-fixture';

jest.setTimeout(60000);

type Ingested = EventOf<'ad.ingested'>;
type Updated = EventOf<'ad.updated'>;
type Removed = EventOf<'ad.removed'>;

describe('ingest Kafka-native intake from ads.submitted.v1 (real Kafka and PostgreSQL)', () => {
  const tenantPrefix = `it-kafka-${randomHex(3)}-`;
  let ingest: IngestFixture;
  let ingested: TopicTap<TappedEvent>;
  let dlq: TopicTap<RawRecord>;
  let producer: Producer;
  let platform: CreatedPlatform;

  beforeAll(async () => {
    ingest = await startIngest();
    [ingested, dlq, producer] = await Promise.all([
      tapIngested(tenantPrefix),
      tapSubmittedDlq(ingest.consumerGroup),
      platformProducer(),
    ]);
    platform = await ingest.createPlatform({ id: `${tenantPrefix}k`, integrationMode: 'kafka' });
  });

  afterAll(async () => {
    await producer?.disconnect();
    await ingested?.close();
    await dlq?.close();
    await ingest?.close();
  });

  const submitted = (data: Ad, tenant = platform.id, subject = subjectFor(tenant, data.platformAdId)) =>
    createEvent('ad.submitted', { tenant, subject, source: `platform:${tenant}`, data });

  interface Outgoing {
    key: string;
    value: Buffer | null;
    partition?: number;
  }

  const asRecord = (event: ReturnType<typeof submitted>): Outgoing => ({ key: event.subject, value: encodeEvent(event) });

  const produce = (messages: Outgoing[]) => producer.send({ topic: Topics.AdsSubmitted, acks: -1, messages });

  const eventsFor = (subject: string) => ingested.items.filter((item) => item.event.subject === subject).map((item) => item.event);

  it('validates, normalises and republishes an ad as ad.ingested, caused by the submitted event', async () => {
    const ad = sampleAd(`k-${randomHex()}`, { title: 'Massage <i>relaxant</i>\u200b  à  Lyon', category: 'Massages' });
    const event = submitted(ad);
    const before = Date.now();
    await produce([asRecord(event)]);
    const [found] = await ingested.waitForItems((item) => item.event.causationId === event.id, 1);
    const after = Date.now();

    const result = found.event as Ingested;
    expect(found.key).toBe(event.subject);
    expect(result).toMatchObject({ type: 'ad.ingested', tenant: platform.id, subject: event.subject, source: 'ingest', causationId: event.id });
    expect(result.id).not.toBe(event.id);
    expect(result.data).toMatchObject({
      platformAdId: ad.platformAdId,
      title: 'Massage relaxant à Lyon',
      category: 'massages',
      originalText: { title: ad.title, body: ad.body },
      adVersion: 1,
      channel: 'kafka',
      publishedAt: ad.publishedAt,
      updatedAt: ad.updatedAt,
    });
    expect(result.data.contacts.phones).toEqual(['+33639981234']);
    // receivedAt is ingest's clock, not the platform's occurredAt or updatedAt claims.
    const receivedAt = Date.parse(result.data.receivedAt);
    expect(receivedAt).toBeGreaterThanOrEqual(before - 5);
    expect(receivedAt).toBeLessThanOrEqual(after + 5);

    const state = await ingest.call<{ version: number; status: string; lastEventId: string }>(
      'GET',
      `/platforms/${platform.id}/ads/${ad.platformAdId}`,
      { key: platform.apiKey },
    );
    expect(state.body).toMatchObject({ version: 1, status: 'live', lastEventId: result.id });
  });

  it('gives one event per content: repeats and replays are dropped, changes are versions, removal is ad.removed, in order', async () => {
    const ad = sampleAd(`kv-${randomHex()}`);
    const v1 = submitted(ad);
    const sameAgain = submitted({ ...ad, updatedAt: isoIn(-30_000) });
    const v2 = submitted({ ...ad, price: { amount: 80, currency: 'EUR' }, updatedAt: isoIn(-20_000) });
    const gone = submitted({ ...ad, price: { amount: 80, currency: 'EUR' }, status: 'removed', updatedAt: isoIn(-10_000) });
    // One send: the whole story usually arrives as one consumer batch.
    await produce([asRecord(v1), asRecord(sameAgain), asRecord(v1), asRecord(v2), asRecord(gone)]);
    await ingested.waitForItems((item) => item.event.causationId === gone.id, 1);
    // Later on the same key, in separate batches: a replay of v2 and the removal again.
    await produce([asRecord(v2)]);
    await produce([asRecord(submitted({ ...ad, price: { amount: 80, currency: 'EUR' }, status: 'removed', updatedAt: isoIn(-5_000) }))]);
    const sentinel = submitted({ ...ad, price: { amount: 80, currency: 'EUR' }, body: `${ad.body} (remis en ligne)`, updatedAt: isoIn(-1000) });
    await produce([asRecord(sentinel)]);
    await ingested.waitForItems((item) => item.event.causationId === sentinel.id, 1);

    const events = eventsFor(v1.subject);
    expect(events.map((e) => [e.type, e.causationId])).toEqual([
      ['ad.ingested', v1.id],
      ['ad.updated', v2.id],
      ['ad.removed', gone.id],
      ['ad.updated', sentinel.id],
    ]);
    const updated = events[1] as Updated;
    expect(updated.data).toMatchObject({ adVersion: 2, changedFields: ['price'], previousContentHash: (events[0] as Ingested).data.contentHash });
    expect((events[2] as Removed).data).toMatchObject({ removedAt: gone.data.updatedAt, removedBy: 'unknown', channel: 'kafka' });
    expect((events[3] as Updated).data).toMatchObject({ adVersion: 3, changedFields: ['body', 'status'] });
  });

  it('dead-letters invalid records with the reason while valid records in the same partition still flow', async () => {
    const partition = 0;
    const valid = [0, 1, 2, 3].map((n) => submitted(sampleAd(`kd-ok-${n}-${randomHex()}`)));
    const unknownTenant = `${tenantPrefix}unregistered`;
    const wrongSubject = submitted(sampleAd(`kd-real-${randomHex()}`), platform.id, subjectFor(platform.id, `kd-other-${randomHex()}`));
    const ingestedExample = EVENT_DEFINITIONS.find((d) => d.type === 'ad.ingested')?.example as Ingested;
    const notSubmitted = createEvent('ad.ingested', {
      tenant: platform.id,
      subject: subjectFor(platform.id, `kd-type-${randomHex()}`),
      source: 'platform:rogue',
      data: { ...ingestedExample.data, platformAdId: `kd-type-${randomHex()}` },
    });
    const contractBreaking = { ...submitted(sampleAd(`kd-price-${randomHex()}`)) } as { data: Record<string, unknown> };
    contractBreaking.data = { ...contractBreaking.data, price: 'cheap' };

    const bad: { label: string; record: Outgoing; reason: RegExp }[] = [
      { label: 'bad JSON', record: { key: `${platform.id}:kd-json`, value: Buffer.from('{"id": "01890a5d-ac96-774b-bcce-b302099a8057", "type": ') }, reason: /contract violation.*Invalid JSON/ },
      { label: 'contract violation', record: { key: `${platform.id}:kd-price`, value: Buffer.from(JSON.stringify(contractBreaking)) }, reason: /contract violation.*\/data\/price/ },
      {
        label: 'unknown platform',
        record: asRecord(submitted(sampleAd(`kd-unknown-${randomHex()}`), unknownTenant)),
        reason: new RegExp(`/tenant.*unknown platform "${unknownTenant}"`),
      },
      { label: 'subject not matching the ad', record: asRecord(wrongSubject), reason: /\/subject/ },
      {
        label: 'publishedAt in the future',
        record: asRecord(submitted(sampleAd(`kd-future-${randomHex()}`, { publishedAt: isoIn(3600_000), updatedAt: isoIn(3600_000) }))),
        reason: /\/data\/publishedAt.*future/,
      },
      {
        label: 'updatedAt in the future',
        record: asRecord(submitted(sampleAd(`kd-future2-${randomHex()}`, { updatedAt: isoIn(24 * 3600_000) }))),
        reason: /\/data\/updatedAt.*future/,
      },
      { label: 'another event type', record: { key: notSubmitted.subject, value: encodeEvent(notSubmitted) }, reason: /\/type.*ad\.submitted/ },
      { label: 'keyed by something else than its subject', record: { key: `${platform.id}:another-ad`, value: encodeEvent(submitted(sampleAd(`kd-key-${randomHex()}`))) }, reason: /\/key.*record key must be the subject/ },
      { label: 'tombstone', record: { key: `${platform.id}:kd-null`, value: null }, reason: /Empty message/ },
      {
        label: 'text emptied by normalisation',
        record: asRecord(submitted(sampleAd(`kd-zw-${randomHex()}`, { category: '\u200b\u200c' }))),
        reason: /\/category/,
      },
    ];
    const records: Outgoing[] = [];
    bad.forEach((entry, n) => {
      if (n % 3 === 0) records.push(asRecord(valid[n / 3]));
      records.push(entry.record);
    });
    await produce(records.map((record) => ({ ...record, partition })));

    const dead = await dlq.waitForItems((record) => record.headers['vigie-dlq-original-topic'] === Topics.AdsSubmitted, bad.length);
    await ingested.waitForItems((item) => valid.some((event) => event.id === item.event.causationId), valid.length);
    // Nothing else trickles in afterwards.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(dlq.items).toHaveLength(bad.length);

    for (const entry of bad) {
      const letter = dead.find((record) => record.key === entry.record.key && (record.value ?? Buffer.alloc(0)).equals(entry.record.value ?? Buffer.alloc(0)));
      expect({ label: entry.label, found: letter !== undefined }).toEqual({ label: entry.label, found: true });
      expect({ label: entry.label, reason: letter?.headers['vigie-dlq-error'] }).toEqual({ label: entry.label, reason: expect.stringMatching(entry.reason) });
      expect(letter?.headers).toMatchObject({
        'vigie-dlq-original-topic': Topics.AdsSubmitted,
        'vigie-dlq-original-partition': String(partition),
        'vigie-dlq-original-offset': expect.stringMatching(/^\d+$/),
        'vigie-dlq-failed-at': expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        'vigie-dlq-consumer-group': ingest.consumerGroup,
      });
    }
    for (const event of valid) {
      expect(eventsFor(event.subject).map((e) => [e.type, e.causationId])).toEqual([['ad.ingested', event.id]]);
    }
    // Nothing was recorded for the rejected ads, and nothing published for the unknown tenant.
    expect(ingested.items.some((item) => item.event.tenant === unknownTenant)).toBe(false);
    const wrong = await ingest.call('GET', `/platforms/${platform.id}/ads/${wrongSubject.data.platformAdId}`, { key: platform.apiKey });
    expect(wrong.status).toBe(404);

    const metrics = (await ingest.call<string>('GET', '/metrics', { key: null })).body;
    expect(metricValue(metrics, 'vigie_ingest_ads_total', { outcome: 'rejected', channel: 'kafka' })).toBeGreaterThanOrEqual(6);
    expect(metricValue(metrics, 'vigie_ingest_ads_total', { outcome: 'accepted', channel: 'kafka' })).toBeGreaterThanOrEqual(3);
    expect(metricValue(metrics, 'vigie_ingest_rejections_total', { field: 'tenant' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(metrics, 'vigie_events_dead_lettered_total', { topic: Topics.AdsSubmitted })).toBeGreaterThanOrEqual(bad.length);
  });

  it('dead-letters a record whose bytes are not valid UTF-8 instead of ingesting U+FFFD', async () => {
    const ad = sampleAd(`kutf-${randomHex()}`, { title: 'TITLE_HERE' });
    const event = submitted(ad);
    const [head, tail] = encodeEvent(event).toString('utf8').split('TITLE_HERE');
    const value = Buffer.concat([Buffer.from(head), Buffer.from('Annonce '), Buffer.from([0xff, 0xfe]), Buffer.from(tail)]);
    const sentinel = submitted(sampleAd(`kutf-next-${randomHex()}`));
    await produce([
      { key: event.subject, value, partition: 1 },
      { ...asRecord(sentinel), partition: 1 },
    ]);
    await ingested.waitForItems((item) => item.event.causationId === sentinel.id, 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const published = eventsFor(event.subject) as Ingested[];
    expect(published.map((e) => e.data.title)).toEqual([]);
    const letter = dlq.items.find((record) => record.key === event.subject);
    expect(letter?.headers['vigie-dlq-error']).toMatch(/UTF-8/);
  });

  it('treats the HTTP and Kafka channels as one stream: same content is a duplicate, a change a new version', async () => {
    const ad = sampleAd(`kx-${randomHex()}`);
    const http = await ingest.call<BatchReport>('POST', `/platforms/${platform.id}/ads`, { key: platform.apiKey, body: [ad] });
    expect(http.body.accepted).toBe(1);
    const same = submitted({ ...ad, updatedAt: isoIn(-1000) });
    const changed = submitted({ ...ad, title: 'Titre changé', updatedAt: isoIn(-500) });
    await produce([asRecord(same), asRecord(changed)]);
    await ingested.waitForItems((item) => item.event.causationId === changed.id, 1);
    const events = eventsFor(same.subject);
    expect(events.map((e) => e.type)).toEqual(['ad.ingested', 'ad.updated']);
    expect((events[1] as Updated).data).toMatchObject({ adVersion: 2, changedFields: ['title'], channel: 'kafka' });
  });

  it('is still healthy and ready after the bad records', async () => {
    expect((await ingest.call('GET', '/health', { key: null })).status).toBe(200);
    const ready = await ingest.call<{ ready: boolean }>('GET', '/ready', { key: null });
    expect([ready.status, ready.body.ready]).toEqual([200, true]);
  });
});
