import { isUuidV7, type Ad, type AnyEvent, type EventOf } from '@vigie/contracts';
import { Readable } from 'node:stream';
import {
  isoIn,
  metricValue,
  randomHex,
  sampleAd,
  smallAd,
  startIngest,
  tapIngested,
  type BatchReport,
  type ErrorBody,
  type CreatedPlatform,
  type IngestFixture,
  type ItemResult,
  type TappedEvent,
  type TopicTap,
} from '../test-support/ingest-fixture';

jest.setTimeout(60000);

type Ingested = EventOf<'ad.ingested'>;
type Updated = EventOf<'ad.updated'>;
type Removed = EventOf<'ad.removed'>;

describe('ingest HTTP intake: batches, removals, ad state (real Kafka and PostgreSQL)', () => {
  const tenantPrefix = `it-http-${randomHex(3)}-`;
  let ingest: IngestFixture;
  let tap: TopicTap<TappedEvent>;
  let platform: CreatedPlatform;
  let other: CreatedPlatform;

  beforeAll(async () => {
    [ingest, tap] = await Promise.all([startIngest(), tapIngested(tenantPrefix)]);
    platform = await ingest.createPlatform({ id: `${tenantPrefix}a` });
    other = await ingest.createPlatform({ id: `${tenantPrefix}b` });
  });

  afterAll(async () => {
    await tap?.close();
    await ingest?.close();
  });

  const submit = (ads: unknown, key = platform.apiKey, platformId = platform.id) =>
    ingest.call<BatchReport & Partial<ErrorBody>>('POST', `/platforms/${platformId}/ads`, { key, body: ads });

  /** The events on ads.ingested.v1 right after an answer: everything acknowledged is below these offsets. */
  async function publishedNow(): Promise<(TappedEvent & { offset: bigint; partition: number })[]> {
    return tap.readUpTo(await tap.snapshot());
  }

  function eventById(events: TappedEvent[], id: string | undefined): AnyEvent {
    const found = events.find((e) => e.event.id === id);
    if (!found) throw new Error(`event ${id} is not on ads.ingested.v1`);
    return found.event;
  }

  describe('a valid batch', () => {
    it('accepts each ad, and every accepted ad is on ads.ingested.v1 when the answer arrives', async () => {
      const messy = sampleAd(`ok-${randomHex()}`, {
        title: 'Nouvelle <b>en</b>\u200b ville  -  ｄｉｓｐｏ &amp; co',
        body: 'Jeune\u00a0femme\u200d de passage\r\n\r\nà Lyon.<script>alert(1)</script> Contact\u0007 par SMS.',
        category: ' Rencontres ',
      });
      const ads = [messy, sampleAd(`ok-${randomHex()}`), smallAd(`ok-${randomHex()}`, { price: null, language: undefined })];
      const before = Date.now();
      const answer = await submit(ads);
      const after = Date.now();
      const published = await publishedNow();

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ accepted: 3, duplicates: 0, rejected: 0 });
      expect(answer.body.results).toEqual(
        ads.map((ad, index) => ({
          index,
          platformAdId: ad.platformAdId,
          status: 'accepted',
          event: 'ad.ingested',
          eventId: expect.any(String),
          version: 1,
        })),
      );
      for (const [index, result] of answer.body.results.entries()) {
        expect(isUuidV7(result.eventId ?? '')).toBe(true);
        const found = published.find((e) => e.event.id === result.eventId);
        expect(found).toBeDefined();
        const event = found?.event as Ingested;
        expect(found?.key).toBe(`${platform.id}:${ads[index].platformAdId}`);
        expect(found?.headers['vigie-event-type']).toBe('ad.ingested');
        expect(event).toMatchObject({
          type: 'ad.ingested',
          tenant: platform.id,
          subject: `${platform.id}:${ads[index].platformAdId}`,
          source: 'ingest',
          causationId: null,
        });
        expect(event.data).toMatchObject({ platformAdId: ads[index].platformAdId, adVersion: 1, channel: 'http-batch' });
        expect(event.data.contentHash).toMatch(/^[0-9a-f]{64}$/);
        // Receipt time is the server's, never the platform's claim.
        const receivedAt = Date.parse(event.data.receivedAt);
        expect(receivedAt).toBeGreaterThanOrEqual(before - 5);
        expect(receivedAt).toBeLessThanOrEqual(after + 5);
        expect(event.occurredAt).toBe(event.data.receivedAt);
        expect(event.data.publishedAt).toBe(ads[index].publishedAt);
        expect(event.data.updatedAt).toBe(ads[index].updatedAt);
      }

      const first = eventById(published, answer.body.results[0].eventId) as Ingested;
      expect(first.data.originalText).toEqual({ title: messy.title, body: messy.body });
      expect(first.data.title).toBe('Nouvelle en ville - dispo & co');
      expect(first.data.body).toBe('Jeune femme de passage à Lyon. Contact par SMS.');
      expect(first.data.category).toBe('rencontres');
      expect(first.data.contacts.phones).toEqual(['+33639981234']);
      expect(first.data.images).toEqual(messy.images);
    });

    it('records the ad state: GET answers version, content hash and status', async () => {
      const ad = sampleAd(`state-${randomHex()}`);
      const answer = await submit([ad]);
      const event = eventById(await publishedNow(), answer.body.results[0].eventId) as Ingested;
      const state = await ingest.call<Record<string, unknown>>('GET', `/platforms/${platform.id}/ads/${ad.platformAdId}`, { key: platform.apiKey });
      expect(state.status).toBe(200);
      expect(state.body).toEqual({
        platformAdId: ad.platformAdId,
        version: 1,
        contentHash: event.data.contentHash,
        status: 'live',
        firstReceivedAt: event.data.receivedAt,
        lastReceivedAt: event.data.receivedAt,
        removedAt: null,
        lastEventId: event.id,
      });
      // The admin key may read it too; another platform's key may not; unknown ads are 404.
      expect((await ingest.call('GET', `/platforms/${platform.id}/ads/${ad.platformAdId}`)).status).toBe(200);
      const foreign = await ingest.call('GET', `/platforms/${platform.id}/ads/${ad.platformAdId}`, { key: other.apiKey });
      expect([foreign.status, foreign.body.code]).toEqual([403, 'OTHER_PLATFORM']);
      const unknown = await ingest.call('GET', `/platforms/${platform.id}/ads/never-${randomHex()}`, { key: platform.apiKey });
      expect([unknown.status, unknown.body.code]).toEqual([404, 'AD_NOT_FOUND']);
      // The same ad id on another platform is another ad.
      const elsewhere = await ingest.call('GET', `/platforms/${other.id}/ads/${ad.platformAdId}`, { key: other.apiKey });
      expect(elsewhere.status).toBe(404);
    });

    it('lets the admin key submit for a platform', async () => {
      const answer = await submit([smallAd(`admin-${randomHex()}`)], ingest.adminKey);
      expect(answer.status).toBe(200);
      expect(answer.body.accepted).toBe(1);
    });
  });

  describe('idempotency and versions', () => {
    it('answers duplicate for the same content, even with cosmetic or timestamp-only differences, and publishes nothing', async () => {
      const ad = sampleAd(`dup-${randomHex()}`);
      const first = await submit([ad]);
      expect(first.body.results[0].status).toBe('accepted');

      const cosmetic = { ...ad, title: ` ${ad.title.replace(/ /g, '  ')}\u200b `, updatedAt: isoIn(-60_000) };
      for (const again of [ad, cosmetic]) {
        const answer = await submit([again]);
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({
          accepted: 0,
          duplicates: 1,
          rejected: 0,
          results: [{ index: 0, platformAdId: ad.platformAdId, status: 'duplicate', version: 1 }],
        });
      }
      const events = (await publishedNow()).filter((e) => e.event.subject === `${platform.id}:${ad.platformAdId}`);
      expect(events.map((e) => e.event.id)).toEqual([first.body.results[0].eventId]);
    });

    it('publishes ad.updated with the next version, the changed fields and the previous hash when content changes', async () => {
      const ad = sampleAd(`upd-${randomHex()}`);
      const v1 = await submit([ad]);
      const changed: Ad = { ...ad, price: { amount: 90, currency: 'EUR' }, body: `${ad.body} Nouveau.`, updatedAt: isoIn(-1000) };
      const v2 = await submit([changed]);
      expect(v2.body.results[0]).toMatchObject({ status: 'accepted', event: 'ad.updated', version: 2 });
      const published = await publishedNow();
      const ingested = eventById(published, v1.body.results[0].eventId) as Ingested;
      const updated = eventById(published, v2.body.results[0].eventId) as Updated;
      expect(updated.type).toBe('ad.updated');
      expect(updated.data).toMatchObject({
        adVersion: 2,
        previousContentHash: ingested.data.contentHash,
        channel: 'http-batch',
        price: { amount: 90, currency: 'EUR' },
      });
      expect(updated.data.changedFields).toEqual(['body', 'price']);
      expect(updated.data.contentHash).not.toBe(ingested.data.contentHash);
      // The ad's events stay in order on one partition.
      const ours = published.filter((e) => e.event.subject === ingested.subject);
      expect(new Set(ours.map((e) => e.partition)).size).toBe(1);
      expect(ours.map((e) => e.event.type)).toEqual(['ad.ingested', 'ad.updated']);

      const state = await ingest.call<{ version: number; contentHash: string }>('GET', `/platforms/${platform.id}/ads/${ad.platformAdId}`, {
        key: platform.apiKey,
      });
      expect(state.body).toMatchObject({ version: 2, contentHash: updated.data.contentHash });
    });

    it('refuses content older, by its updatedAt, than the recorded version or removal: a late resend is not a new version', async () => {
      const ad = sampleAd(`late-${randomHex()}`, { updatedAt: isoIn(-60_000) });
      await submit([ad]);
      const newer = { ...ad, title: `${ad.title} (nouveau prix)`, updatedAt: isoIn(-30_000) };
      expect((await submit([newer])).body.results[0]).toMatchObject({ status: 'accepted', version: 2 });
      // The first request again (a client retry after a timeout): older than version 2.
      const late = await submit([ad]);
      expect(late.body.results[0]).toMatchObject({ status: 'rejected', errors: [{ field: '/updatedAt', reason: expect.stringMatching(/older than version 2/) }] });
      const state = await ingest.call<{ version: number; status: string }>('GET', `/platforms/${platform.id}/ads/${ad.platformAdId}`, { key: platform.apiKey });
      expect(state.body).toMatchObject({ version: 2, status: 'live' });
      // A lagging snapshot that still shows the ad live does not re-list it after its removal.
      expect((await submit([{ ...newer, status: 'removed', updatedAt: isoIn(-10_000) }])).body.results[0]).toMatchObject({ status: 'accepted', event: 'ad.removed' });
      expect((await submit([newer])).body.results[0]).toMatchObject({ status: 'rejected', errors: [{ field: '/updatedAt', reason: expect.stringMatching(/older than its removal/) }] });
    });

    it("turns an ad submitted with status 'removed' into ad.removed, once; relisting it is a new version", async () => {
      const ad = sampleAd(`rm-${randomHex()}`);
      await submit([ad]);
      const removedAt = isoIn(-30_000);
      const gone = await submit([{ ...ad, status: 'removed', updatedAt: removedAt }]);
      expect(gone.body.results[0]).toMatchObject({ status: 'accepted', event: 'ad.removed' });
      const again = await submit([{ ...ad, status: 'removed', updatedAt: removedAt }]);
      expect(again.body.results[0].status).toBe('duplicate');

      const removed = eventById(await publishedNow(), gone.body.results[0].eventId) as Removed;
      expect(removed.data).toMatchObject({
        platformAdId: ad.platformAdId,
        removedAt,
        removedBy: 'unknown',
        commandId: null,
        channel: 'http-batch',
      });
      const state = await ingest.call<{ status: string; removedAt: string; version: number }>(
        'GET',
        `/platforms/${platform.id}/ads/${ad.platformAdId}`,
        { key: platform.apiKey },
      );
      expect(state.body).toMatchObject({ status: 'removed', removedAt, version: 1 });

      const relisted = await submit([{ ...ad, updatedAt: isoIn(-1000) }]);
      expect(relisted.body.results[0]).toMatchObject({ status: 'accepted', event: 'ad.updated', version: 2 });
      const updated = eventById(await publishedNow(), relisted.body.results[0].eventId) as Updated;
      expect(updated.data.changedFields).toEqual(['status']);
    });

    it('gives concurrent submissions of one new ad a single event (platform retries must not duplicate)', async () => {
      const rounds = 4;
      const concurrency = 8;
      const outcomes: string[][] = [];
      for (let round = 0; round < rounds; round++) {
        const ad = smallAd(`race-${round}-${randomHex()}`);
        const answers = await Promise.all(Array.from({ length: concurrency }, () => submit([ad])));
        expect(answers.map((a) => a.status)).toEqual(Array(concurrency).fill(200));
        outcomes.push(answers.map((a) => a.body.results[0].status).sort());
      }
      const expected = Array.from({ length: rounds }, () => ['accepted', ...Array(concurrency - 1).fill('duplicate')]);
      expect(outcomes).toEqual(expected);
    });

    it('gives concurrent changes of one new ad distinct, consecutive versions', async () => {
      const id = `race-v-${randomHex()}`;
      // One updatedAt for all six: the platform's claims do not order them, their arrival does.
      const updatedAt = isoIn(-3600_000);
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, n) => submit([smallAd(id, { body: `version ${n}`, updatedAt })])),
      );
      const versions = answers.map((a) => a.body.results[0].version).sort();
      expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
      const events = (await publishedNow()).filter((e) => e.event.subject === `${platform.id}:${id}`);
      expect(events.map((e) => e.event.type)).toEqual(['ad.ingested', 'ad.updated', 'ad.updated', 'ad.updated', 'ad.updated', 'ad.updated']);
      // Consumers rebuild the ad from its events in partition order: versions must come in order.
      expect(events.map((e) => (e.event as Ingested | Updated).data.adVersion)).toEqual([1, 2, 3, 4, 5, 6]);
    });
  });

  describe('overlapping batches', () => {
    it('gives every new ad shared by concurrent batches one first sighting and consecutive versions', async () => {
      const ids = Array.from({ length: 100 }, (_, n) => `overlap-${n}-${randomHex()}`);
      // Each batch lists the same new ads in its own order, with its own text (and one updatedAt:
      // the claims do not order the batches, their arrival does).
      const updatedAt = isoIn(-3600_000);
      const batches = Array.from({ length: 4 }, (_, b) => {
        const order = b % 2 === 0 ? ids : [...ids].reverse();
        return order.map((id) => smallAd(id, { body: `batch ${b} text of ${id}`, updatedAt }));
      });
      const answers = await Promise.all(batches.map((batch) => submit(batch)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      for (const answer of answers) expect(answer.body.results.every((r: { status: string }) => r.status === 'accepted')).toBe(true);
      const published = await publishedNow();
      for (const id of ids) {
        const events = published.filter((e) => e.event.subject === `${platform.id}:${id}`);
        expect(events.map((e) => e.event.type)).toEqual(['ad.ingested', 'ad.updated', 'ad.updated', 'ad.updated']);
        expect(events.map((e) => (e.event as Ingested | Updated).data.adVersion)).toEqual([1, 2, 3, 4]);
      }
    });
  });

  describe('bad items in a batch', () => {
    it('rejects each bad item with its index, field and reason; the good ones are accepted and published', async () => {
      const okId = `mx-ok-${randomHex()}`;
      const base = () => sampleAd(`mx-${randomHex()}`);
      const withoutTitle: Record<string, unknown> = { ...base() };
      delete withoutTitle.title;
      const items: [unknown, 'accepted' | string][] = [
        [sampleAd(okId), 'accepted'],
        [{ ...base(), price: 'cheap' }, '/price'],
        [withoutTitle, '/title'],
        [{ ...base(), body: 'x'.repeat(20001) }, '/body'],
        [{ ...base(), location: { city: 'Lyon', country: 'France' } }, '/location/country'],
        [{ ...base(), platformAdId: 'has:colon' }, '/platformAdId'],
        [{ ...base(), publishedAt: isoIn(10 * 60_000), updatedAt: isoIn(10 * 60_000) }, '/publishedAt'],
        [{ ...base(), updatedAt: isoIn(24 * 3600_000) }, '/updatedAt'],
        [{ ...base(), publishedAt: isoIn(-1000), updatedAt: isoIn(-3600_000) }, '/updatedAt'],
        [42, ''],
        [null, ''],
        [{ ...base(), sellerRating: 5 }, '/sellerRating'],
        [sampleAd(okId, { body: 'another version in the same batch' }), '/platformAdId'],
        [{ ...base(), publishedAt: isoIn(2 * 60_000), updatedAt: isoIn(2 * 60_000) }, 'accepted'],
        [{ ...base(), publishedAt: '2026-01-01T10:00:00Z' }, '/publishedAt'],
        [{ ...base(), contacts: { phones: ['call me maybe'], emails: [], handles: [] } }, '/contacts/phones/0'],
        [{ ...base(), images: [{ pdq: 'not-hex', quality: 80 }] }, '/images/0/pdq'],
        [{ ...base(), category: '\u200b\u200b' }, '/category'],
        [{ ...base(), title: '\u3300'.repeat(300) }, '/title'],
        [sampleAd(`mx-ok2-${randomHex()}`), 'accepted'],
        [{ ...base(), platformAdId: '*' }, '/platformAdId'],
        [{ ...base(), contacts: [] }, '/contacts'],
        [{ ...base(), status: 'deleted' }, '/status'],
        [{ ...base(), images: Array.from({ length: 51 }, () => ({ pdq: 'f'.repeat(64), quality: 90 })) }, '/images'],
        [{ ...base(), price: { amount: -1, currency: 'EUR' } }, '/price/amount'],
        ['{"platformAdId":"json-in-a-string"}', ''],
      ];
      const answer = await submit(items.map(([item]) => item));
      expect(answer.status).toBe(200);
      const published = await publishedNow();

      const accepted = items.filter(([, expected]) => expected === 'accepted').length;
      expect({ accepted: answer.body.accepted, duplicates: answer.body.duplicates, rejected: answer.body.rejected }).toEqual({
        accepted,
        duplicates: 0,
        rejected: items.length - accepted,
      });
      expect(answer.body.results.map((r) => r.index)).toEqual(items.map((_, index) => index));
      const summary = answer.body.results.map((result: ItemResult) =>
        result.status === 'accepted' ? 'accepted' : result.errors?.some((e) => e.field === items[result.index][1]) ? items[result.index][1] : result,
      );
      expect(summary).toEqual(items.map(([, expected]) => expected));
      for (const result of answer.body.results) {
        if (result.status === 'rejected') {
          expect(result.errors?.length).toBeGreaterThan(0);
          for (const error of result.errors ?? []) expect(error.reason.length).toBeGreaterThan(0);
          expect(result.eventId).toBeUndefined();
        } else {
          expect(published.some((e) => e.event.id === result.eventId)).toBe(true);
        }
      }
      const duplicateInBatch = answer.body.results[12];
      expect(duplicateInBatch.platformAdId).toBe(okId);
      expect(duplicateInBatch.errors?.[0].reason).toMatch(/index 0/);
      expect(answer.body.results[6].errors?.[0].reason).toMatch(/future/);
      // Only the accepted items produced events for this platform in this batch.
      const batchIds = new Set(answer.body.results.map((r) => r.eventId).filter(Boolean));
      expect(published.filter((e) => batchIds.has(e.event.id))).toHaveLength(accepted);
    });
  });

  describe('bad batches', () => {
    it('answers 400 NOT_AN_ARRAY or EMPTY_BATCH for bodies that are not a list of ads', async () => {
      for (const body of [{ platformAdId: 'x' }, 'ads', 42, null, true]) {
        const answer = await ingest.call('POST', `/platforms/${platform.id}/ads`, { key: platform.apiKey, body: JSON.stringify(body) });
        expect({ body, status: answer.status, code: answer.body.code }).toEqual({ body, status: 400, code: 'NOT_AN_ARRAY' });
      }
      const empty = await submit([]);
      expect([empty.status, empty.body.code]).toEqual([400, 'EMPTY_BATCH']);
    });

    it('takes 1,000 ads in one batch and answers 413 BATCH_TOO_LARGE for 1,001', async () => {
      const prefix = `bulk-${randomHex()}`;
      const ads = Array.from({ length: 1000 }, (_, n) => smallAd(`${prefix}-${n}`));
      const answer = await submit(ads);
      expect(answer.status).toBe(200);
      expect(answer.body.accepted).toBe(1000);
      const published = new Set((await publishedNow()).map((e) => e.event.id));
      expect(answer.body.results.filter((r) => !published.has(r.eventId ?? ''))).toEqual([]);

      const tooMany = await submit([...ads, smallAd(`${prefix}-1000`)]);
      expect([tooMany.status, tooMany.body.code]).toEqual([413, 'BATCH_TOO_LARGE']);
      const notRecorded = await ingest.call('GET', `/platforms/${platform.id}/ads/${prefix}-1000`, { key: platform.apiKey });
      expect(notRecorded.status).toBe(404);
    });

    it('answers 413 to a 10 MB body, announced or streamed', async () => {
      const big = JSON.stringify([smallAd(`big-${randomHex()}`, { body: 'x'.repeat(10 * 1024 * 1024) })]);
      const announced = await ingest.call('POST', `/platforms/${platform.id}/ads`, { key: platform.apiKey, body: big });
      expect(announced.status).toBe(413);

      const chunks = (function* () {
        for (let sent = 0; sent < big.length; sent += 256 * 1024) yield Buffer.from(big.slice(sent, sent + 256 * 1024));
      })();
      const streamed = await fetch(`${ingest.url}/platforms/${platform.id}/ads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${platform.apiKey}`, 'content-type': 'application/json' },
        body: Readable.toWeb(Readable.from(chunks)) as ReadableStream,
        duplex: 'half',
      } as RequestInit).catch((error: Error) => error);
      // Either the 413 arrives, or the server cut the upload short: never a 200.
      if (streamed instanceof Error) expect(streamed.message).toMatch(/fetch failed|other side closed|socket/i);
      else expect(streamed.status).toBe(413);
    });

    it('answers 400 INVALID_JSON to malformed JSON', async () => {
      const bodies = ['[{"platformAdId": "x",', '[{platformAdId: "x"}]', "[{'a': 1}]", '[1, 2,]', '[] []'];
      const answers = [];
      for (const body of bodies) {
        const answer = await ingest.call('POST', `/platforms/${platform.id}/ads`, { key: platform.apiKey, body });
        answers.push({ body, status: answer.status, code: answer.body.code, message: answer.body.message });
      }
      expect(answers).toEqual(bodies.map((body) => ({ body, status: 400, code: 'INVALID_JSON', message: expect.stringMatching(/JSON/) })));
    });

    it('answers 400 INVALID_UTF8 to a body with invalid UTF-8 bytes, rather than recording U+FFFD', async () => {
      const id = `utf8-${randomHex()}`;
      const json = JSON.stringify([sampleAd(id, { title: 'TITLE_HERE' })]);
      const [head, tail] = json.split('TITLE_HERE');
      const sequences = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xe2, 0x82]];
      const answers = [];
      for (const bad of sequences) {
        const body = Buffer.concat([Buffer.from(head), Buffer.from('Annonce '), Buffer.from(bad), Buffer.from(tail)]);
        const answer = await ingest.call('POST', `/platforms/${platform.id}/ads`, { key: platform.apiKey, body });
        answers.push({ bad, status: answer.status, code: answer.body.code });
      }
      expect(answers).toEqual(sequences.map((bad) => ({ bad, status: 400, code: 'INVALID_UTF8' })));
      expect((await ingest.call('GET', `/platforms/${platform.id}/ads/${id}`, { key: platform.apiKey })).status).toBe(404);
    });

    it('refuses a batch that is not sent as JSON, recording nothing', async () => {
      const id = `ctype-${randomHex()}`;
      // text/plain reaches the handler as a string (400 NOT_AN_ARRAY); other types have no parser (415).
      for (const [contentType, status] of [
        ['text/plain', 400],
        ['application/x-www-form-urlencoded', 415],
        ['application/x-ndjson', 400],
      ] as const) {
        const answer = await ingest.call('POST', `/platforms/${platform.id}/ads`, {
          key: platform.apiKey,
          body: JSON.stringify([smallAd(id)]),
          headers: { 'content-type': contentType },
        });
        expect({ contentType, status: answer.status }).toEqual({ contentType, status });
      }
      expect((await ingest.call('GET', `/platforms/${platform.id}/ads/${id}`, { key: platform.apiKey })).status).toBe(404);
    });
  });

  describe('removal reports', () => {
    it('records a removal as ad.removed with the claims kept and the server receipt time; a second report is a duplicate', async () => {
      const ad = sampleAd(`gone-${randomHex()}`);
      await submit([ad]);
      const removedAt = isoIn(-5000);
      const commandId = '01890a5d-ac96-774b-bcce-b302099a8057';
      const before = Date.now();
      const answer = await ingest.call<ItemResult>('POST', `/platforms/${platform.id}/ads/${ad.platformAdId}/removal`, {
        key: platform.apiKey,
        body: { removedAt, removedBy: 'takedown-command', commandId, reason: 'Retrait suite à signalement' },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        index: 0,
        platformAdId: ad.platformAdId,
        status: 'accepted',
        event: 'ad.removed',
        eventId: expect.any(String),
        version: 1,
      });
      const removed = eventById(await publishedNow(), answer.body.eventId) as Removed;
      expect(removed).toMatchObject({ type: 'ad.removed', tenant: platform.id, subject: `${platform.id}:${ad.platformAdId}` });
      expect(removed.data).toMatchObject({
        platformAdId: ad.platformAdId,
        removedAt,
        removedBy: 'takedown-command',
        commandId,
        reason: 'Retrait suite à signalement',
        channel: 'http-batch',
      });
      expect(Date.parse(removed.data.receivedAt)).toBeGreaterThanOrEqual(before - 5);

      const again = await ingest.call<ItemResult>('POST', `/platforms/${platform.id}/ads/${ad.platformAdId}/removal`, {
        key: platform.apiKey,
        body: { removedAt },
      });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'duplicate', platformAdId: ad.platformAdId });
      const state = await ingest.call<{ status: string; removedAt: string }>('GET', `/platforms/${platform.id}/ads/${ad.platformAdId}`, {
        key: platform.apiKey,
      });
      expect(state.body).toMatchObject({ status: 'removed', removedAt });
    });

    it('records the removal of an ad never submitted; content updated after it is then version 1, older content is refused', async () => {
      const id = `unseen-${randomHex()}`;
      const answer = await ingest.call<ItemResult>('POST', `/platforms/${platform.id}/ads/${id}/removal`, {
        key: platform.apiKey,
        body: { removedAt: isoIn(-1000) },
      });
      expect(answer.body).toMatchObject({ status: 'accepted', event: 'ad.removed' });
      const removed = eventById(await publishedNow(), answer.body.eventId) as Removed;
      expect(removed.data).toMatchObject({ removedBy: 'unknown', commandId: null, reason: null });
      // Updated an hour ago by the platform's claim: content from before the removal.
      const older = await submit([sampleAd(id)]);
      expect(older.body.results[0]).toMatchObject({ status: 'rejected', errors: [{ field: '/updatedAt' }] });
      const later = await submit([sampleAd(id, { updatedAt: isoIn(-500) })]);
      expect(later.body.results[0]).toMatchObject({ status: 'accepted', version: 1 });
    });

    it('answers 400 to a removal from the future, a malformed report or an invalid ad id', async () => {
      const id = `bad-rm-${randomHex()}`;
      await submit([sampleAd(id)]);
      const future = await ingest.call('POST', `/platforms/${platform.id}/ads/${id}/removal`, {
        key: platform.apiKey,
        body: { removedAt: isoIn(3600_000) },
      });
      expect([future.status, future.body.code]).toEqual([400, 'INVALID_REMOVAL']);
      for (const [body, field] of [
        [{}, '/removedAt'],
        [{ removedAt: 'yesterday' }, '/removedAt'],
        [{ removedAt: isoIn(-1000), removedBy: 'aliens' }, '/removedBy'],
        [{ removedAt: isoIn(-1000), commandId: 'not-a-uuid' }, '/commandId'],
        [{ removedAt: isoIn(-1000), reason: 'r'.repeat(501) }, '/reason'],
        [{ removedAt: isoIn(-1000), extra: 1 }, '/extra'],
      ] as const) {
        const answer = await ingest.call('POST', `/platforms/${platform.id}/ads/${id}/removal`, { key: platform.apiKey, body });
        expect({ field, status: answer.status, code: answer.body.code }).toEqual({ field, status: 400, code: 'INVALID_REQUEST' });
        expect(answer.body.errors?.map((e) => e.field)).toContain(field);
      }
      const star = await ingest.call('POST', `/platforms/${platform.id}/ads/*/removal`, { key: platform.apiKey, body: { removedAt: isoIn(-1000) } });
      expect([star.status, star.body.code]).toEqual([400, 'INVALID_REMOVAL']);
      const state = await ingest.call<{ status: string }>('GET', `/platforms/${platform.id}/ads/${id}`, { key: platform.apiKey });
      expect(state.body.status).toBe('live');
    });
  });

  describe('after all the bad input', () => {
    it('is still healthy and ready, and counts outcomes and rejections in its metrics', async () => {
      expect((await ingest.call('GET', '/health', { key: null })).status).toBe(200);
      const ready = await ingest.call<{ ready: boolean }>('GET', '/ready', { key: null });
      expect([ready.status, ready.body.ready]).toEqual([200, true]);
      const read = async () => (await ingest.call<string>('GET', '/metrics', { key: null })).body;
      const count = (exposition: string, labels: Record<string, string>) => metricValue(exposition, 'vigie_ingest_ads_total', labels);
      const before = await read();

      // A last good batch still goes through; its duplicate and a bad item are counted.
      const last = smallAd(`last-${randomHex()}`);
      expect((await submit([last])).body.accepted).toBe(1);
      expect((await submit([last, smallAd(`late-${randomHex()}`, { publishedAt: isoIn(3600_000) })])).body).toMatchObject({
        duplicates: 1,
        rejected: 1,
      });

      const after = await read();
      expect(count(after, { outcome: 'accepted', channel: 'http-batch' }) - count(before, { outcome: 'accepted', channel: 'http-batch' })).toBe(1);
      expect(count(after, { outcome: 'duplicate', channel: 'http-batch' }) - count(before, { outcome: 'duplicate', channel: 'http-batch' })).toBe(1);
      expect(count(after, { outcome: 'rejected', channel: 'http-batch' }) - count(before, { outcome: 'rejected', channel: 'http-batch' })).toBe(1);
      const rejections = (exposition: string) => metricValue(exposition, 'vigie_ingest_rejections_total', { field: 'publishedAt' });
      expect(rejections(after) - rejections(before)).toBe(1);
      expect(after).toMatch(/^vigie_ingest_publish_breaker_open\{service="ingest"\} 0$/m);
    });
  });
});
