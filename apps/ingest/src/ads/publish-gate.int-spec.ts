import type { PendingRecord } from '@vigie/messaging';
import { Agent, get as httpGet } from 'node:http';
import { PassThrough } from 'node:stream';
import {
  metricValue,
  ndjsonStream,
  postStream,
  randomHex,
  smallAd,
  startIngest,
  tapIngested,
  waitFor,
  type BatchReport,
  type ErrorBody,
  type CreatedPlatform,
  type IngestFixture,
  type TappedEvent,
  type TopicTap,
} from '../test-support/ingest-fixture';

jest.setTimeout(60000);

/**
 * Admission control and the publish circuit breaker. The broker cannot be stopped under a
 * shared test run, so its failures are simulated at the one seam the HTTP intake publishes
 * through (`OutboxRelay.publishNow`): the real broker, database and relay do everything else.
 */
describe('ingest admission and publish breaker (real Kafka and PostgreSQL, simulated broker failures)', () => {
  const tenantPrefix = `it-gate-${randomHex(3)}-`;
  const maxConcurrent = 3;
  const breakerResetMs = 1000;
  const publishTimeoutMs = 2000;
  let ingest: IngestFixture;
  let tap: TopicTap<TappedEvent>;
  let platform: CreatedPlatform;

  beforeAll(async () => {
    [ingest, tap] = await Promise.all([
      startIngest({
        INGEST_MAX_CONCURRENT_INTAKES: String(maxConcurrent),
        INGEST_BREAKER_RESET_MS: String(breakerResetMs),
        // Long enough that a loaded CI machine publishes a 1,000-ad chunk in time.
        INGEST_PUBLISH_TIMEOUT_MS: String(publishTimeoutMs),
      }),
      tapIngested(tenantPrefix),
    ]);
    platform = await ingest.createPlatform({ id: `${tenantPrefix}g` });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await tap?.close();
    await ingest?.close();
  });

  const relay = () => ingest.service.infrastructure.relay;
  const submit = (ads: unknown[]) => ingest.call<BatchReport & Partial<ErrorBody>>('POST', `/platforms/${platform.id}/ads`, { key: platform.apiKey, body: ads });
  const stateOf = (adId: string) => ingest.call('GET', `/platforms/${platform.id}/ads/${adId}`, { key: platform.apiKey });
  const metrics = async () => (await ingest.call<string>('GET', '/metrics', { key: null })).body;

  /** Lets rows an HTTP request recorded but could not publish go to the relay now instead of after 30 s. */
  async function relayTakesOverNow(): Promise<void> {
    await ingest.service.infrastructure.dataSource.query(`UPDATE ingest.outbox SET available_at = clock_timestamp()`);
  }

  /** GET through a given agent; 'timeout' when no answer comes in time. */
  function getWithin(agent: Agent, url: string, timeoutMs: number): Promise<number | 'timeout' | 'closed'> {
    return new Promise((resolve) => {
      const request = httpGet(url, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.setTimeout(timeoutMs, () => {
        resolve('timeout');
        request.destroy();
      });
      request.on('error', () => resolve('closed'));
    });
  }

  /** Waits until a request goes through again (the breaker closed). */
  async function untilAccepted(): Promise<void> {
    await waitFor(async () => (await submit([smallAd(`probe-${randomHex()}`)])).status === 200, 10000, 'ingest to accept again');
  }

  it(`answers 429 TOO_MANY_CONCURRENT_REQUESTS with Retry-After beyond ${maxConcurrent} requests in flight`, async () => {
    const streams = Array.from({ length: maxConcurrent }, () => new PassThrough());
    const answers = streams.map((stream, n) => {
      const answer = postStream(ingest.url, `/platforms/${platform.id}/ads/ndjson`, platform.apiKey, stream);
      stream.write(`${JSON.stringify(smallAd(`held-${n}-${randomHex()}`))}\n`);
      return answer;
    });
    // Give the held requests time to be admitted before probing (a probe admitted first would
    // take one of their slots).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const busy = await waitFor(
      async () => {
        const answer = await submit([smallAd(`busy-${randomHex()}`)]);
        return answer.status === 429 ? answer : undefined;
      },
      10000,
      'the intake slots to fill up',
    );
    expect(busy.body).toMatchObject({ code: 'TOO_MANY_CONCURRENT_REQUESTS' });
    expect(busy.headers.get('retry-after')).toBe('1');
    const removal = await ingest.call('POST', `/platforms/${platform.id}/ads/x/removal`, {
      key: platform.apiKey,
      body: { removedAt: new Date().toISOString() },
    });
    expect(removal.status).toBe(429);
    // Reads are not intake: they still answer.
    expect((await stateOf('x')).status).toBe(404);

    for (const stream of streams) stream.end();
    const reports = await Promise.all(answers);
    expect(reports.map((r) => [r.status, r.body.accepted])).toEqual(Array(maxConcurrent).fill([200, 1]));
    expect((await submit([smallAd(`after-${randomHex()}`)])).status).toBe(200);
  });

  it('answers 503 mid-stream when publishing fails, saying from which line to resume; nothing acknowledged is lost', async () => {
    const real = relay().publishNow.bind(relay());
    let calls = 0;
    jest.spyOn(relay(), 'publishNow').mockImplementation(async (pending: readonly PendingRecord[]) => {
      calls++;
      if (calls === 2) throw new Error('simulated broker outage');
      return real(pending);
    });
    const lineOf = (n: number) => JSON.stringify(smallAd(`resume-${n}`));
    const all = Array.from({ length: 2500 }, (_, i) => lineOf(i + 1));
    // A keep-alive connection, as most HTTP clients (and node's own global agent) use.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const answer = await postStream(ingest.url, `/platforms/${platform.id}/ads/ndjson`, platform.apiKey, ndjsonStream(all), { agent });
    jest.restoreAllMocks();
    // The connection must stay usable (or be closed by the server): the client's next request
    // on it must be answered, not hang.
    const next = await getWithin(agent, `${ingest.url}/health`, 3000);
    agent.destroy();

    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: 'BROKER_UNAVAILABLE', resumeFromLine: 1001 });
    expect(answer.body.report).toMatchObject({ accepted: 1000 });
    expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const published = (await tap.readAll()).filter((e) => e.event.tenant === platform.id && e.event.subject.includes(':resume-'));
    expect(published).toHaveLength(1000);

    // The client resumes from the line it was given: the failed chunk was recorded, so its
    // ads are duplicates; the rest is accepted.
    await untilAccepted();
    const resumed = await postStream(ingest.url, `/platforms/${platform.id}/ads/ndjson`, platform.apiKey, ndjsonStream(all.slice(1000)));
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ lines: 1500, accepted: 500, duplicates: 1000, rejected: 0 });

    // The recorded-but-unpublished chunk is in the outbox; the relay publishes it.
    await relayTakesOverNow();
    const subjects = await waitFor(
      () => {
        const seen = new Set(tap.items.filter((e) => e.event.tenant === platform.id && e.event.subject.includes(':resume-')).map((e) => e.event.subject));
        return seen.size === 2500 ? seen : undefined;
      },
      15000,
      'every line of the backfill on ads.ingested.v1',
    );
    expect(subjects.size).toBe(2500);
    // Checked last so the rest of the story is verified either way.
    expect({ nextRequestOnTheSameConnection: next }).toEqual({ nextRequestOnTheSameConnection: 200 });
  });

  it('answers 503 with Retry-After when the broker is slower than the publish timeout; the client may retry safely', async () => {
    await untilAccepted();
    const real = relay().publishNow.bind(relay());
    jest.spyOn(relay(), 'publishNow').mockImplementation(async (pending: readonly PendingRecord[]) => {
      await new Promise((resolve) => setTimeout(resolve, publishTimeoutMs + 2000));
      return real(pending);
    });
    const ad = smallAd(`slow-${randomHex()}`);
    const startedAt = Date.now();
    const answer = await submit([ad]);
    expect(Date.now() - startedAt).toBeLessThan(publishTimeoutMs + 1500);
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The slow publish still completes: the ad reaches the topic once.
    await tap.waitForItems((e) => e.event.subject === `${platform.id}:${ad.platformAdId}`, 1, 10000);
    jest.restoreAllMocks();
    await untilAccepted();
    const retried = await submit([ad]);
    expect(retried.body.results[0].status).toBe('duplicate');
    expect(tap.items.filter((e) => e.event.subject === `${platform.id}:${ad.platformAdId}`)).toHaveLength(1);
  });

  it('opens the breaker when publishing keeps failing: 503 + Retry-After before any work, then closes once the broker is back', async () => {
    await untilAccepted();
    jest.spyOn(relay(), 'publishNow').mockRejectedValue(new Error('simulated broker outage'));

    const recordedButUnpublished: string[] = [];
    let turnedAway: string | undefined;
    // The breaker opens once failures reach half of the calls in its 10 s window, which
    // still holds the successes of the previous tests: allow for a few dozen failures.
    for (let attempt = 0; attempt < 40 && !turnedAway; attempt++) {
      const ad = smallAd(`outage-${attempt}-${randomHex()}`);
      const answer = await submit([ad]);
      expect(answer.status).toBe(503);
      expect(answer.body.code).toBe('BROKER_UNAVAILABLE');
      const retryAfter = Number(answer.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(Math.ceil(breakerResetMs / 1000));
      if ((await stateOf(ad.platformAdId)).status === 404) turnedAway = ad.platformAdId;
      else recordedButUnpublished.push(ad.platformAdId);
    }
    expect(turnedAway).toBeDefined();
    expect(metricValue(await metrics(), 'vigie_ingest_publish_breaker_open')).toBe(1);
    // Liveness and readiness do not depend on the breaker.
    expect((await ingest.call('GET', '/health', { key: null })).status).toBe(200);
    expect((await ingest.call('GET', '/ready', { key: null })).status).toBe(200);

    jest.restoreAllMocks();
    const recoveredAt = Date.now();
    await untilAccepted();
    expect(Date.now() - recoveredAt).toBeLessThan(breakerResetMs + 3000);
    expect(metricValue(await metrics(), 'vigie_ingest_publish_breaker_open')).toBe(0);

    // What was recorded before the breaker opened is not lost: a retry is a duplicate, and
    // the relay publishes it.
    for (const adId of recordedButUnpublished) {
      expect((await submit([smallAd(adId)])).body.results[0].status).toBe('duplicate');
    }
    await relayTakesOverNow();
    for (const adId of recordedButUnpublished) {
      await tap.waitForItems((e) => e.event.subject === `${platform.id}:${adId}`, 1, 10000);
    }
    // The ad turned away while open was never recorded: sending it now is a first sight.
    const now = await submit([smallAd(turnedAway ?? '')]);
    expect(now.body.results[0]).toMatchObject({ status: 'accepted', event: 'ad.ingested', version: 1 });
  });
});
