import { Topics, type AnyEvent } from '@vigie/contracts';
import { Readable } from 'node:stream';
import {
  isoIn,
  metricValue,
  ndjsonStream,
  postStream,
  randomHex,
  smallAd,
  startIngest,
  TopicTap,
  type CreatedPlatform,
  type IngestFixture,
} from '../test-support/ingest-fixture';

jest.setTimeout(180_000);

/** What this spec keeps of an ingested event: little, since the backfill publishes 100k of them. */
interface LightEvent {
  id: string;
  type: string;
  tenant: string;
  subject: string;
  channel: string | undefined;
  adVersion: number | undefined;
}

describe('ingest NDJSON backfill (real Kafka and PostgreSQL)', () => {
  const tenantPrefix = `it-ndjson-${randomHex(3)}-`;
  let ingest: IngestFixture;
  let tap: TopicTap<LightEvent>;

  beforeAll(async () => {
    [ingest, tap] = await Promise.all([
      startIngest(),
      TopicTap.open<LightEvent>(Topics.AdsIngested, (record) => {
        if (!record.value || !record.key.startsWith(tenantPrefix)) return undefined;
        const event = JSON.parse(record.value.toString('utf8')) as AnyEvent;
        if (!event.tenant.startsWith(tenantPrefix)) return undefined;
        const data = event.data as { channel?: string; adVersion?: number };
        return { id: event.id, type: event.type, tenant: event.tenant, subject: event.subject, channel: data.channel, adVersion: data.adVersion };
      }),
    ]);
  });

  afterAll(async () => {
    await tap?.close();
    await ingest?.close();
  });

  let counter = 0;
  const newPlatform = () => ingest.createPlatform({ id: `${tenantPrefix}${counter++}` });
  const post = (platform: CreatedPlatform, source: Readable, contentType?: string) =>
    postStream(ingest.url, `/platforms/${platform.id}/ads/ndjson`, platform.apiKey, source, { contentType });
  const eventsOf = async (platform: CreatedPlatform) => (await tap.readUpTo(await tap.snapshot(), 120_000)).filter((e) => e.tenant === platform.id);

  // About a minute on a busy two-core machine: client, broker reader and service share one process.
  it('imports a 100,000-line stream with scattered bad lines: exact counts, exact bad line numbers, every accepted ad published', async () => {
    const platform = await newPlatform();
    const total = 100_000;
    const template = JSON.stringify(smallAd('__ID__'));
    const line = (n: number) => template.split('__ID__').join(`nd-${n}`);
    const [head, tail] = JSON.stringify(smallAd('__ID__', { title: '__TITLE__' })).split('__TITLE__');

    type Kind = 'bad-json' | 'utf8' | 'wrong-type' | 'missing' | 'future' | 'not-object' | 'blank' | 'crlf' | 'repeat' | 'too-long';
    const kinds: Kind[] = ['bad-json', 'utf8', 'wrong-type', 'missing', 'future', 'not-object', 'blank', 'crlf', 'repeat'];
    const special = new Map<number, Kind>();
    for (let n = 150, k = 0; n <= total; n += 211, k++) special.set(n, kinds[k % kinds.length]);
    special.set(33_333, 'too-long');
    special.set(77_777, 'too-long');
    special.set(total, 'bad-json'); // the very last line

    const expectedErrors: { line: number; field: string; platformAdId?: string }[] = [];
    let blanks = 0;
    let repeats = 0;
    for (const [n, kind] of special) {
      if (kind === 'blank') blanks++;
      else if (kind === 'repeat') repeats++;
      else if (kind === 'bad-json' || kind === 'utf8' || kind === 'too-long') expectedErrors.push({ line: n, field: 'line' });
      else if (kind === 'not-object') expectedErrors.push({ line: n, field: '' });
      else if (kind === 'wrong-type') expectedErrors.push({ line: n, field: '/price', platformAdId: `nd-${n}` });
      else if (kind === 'missing') expectedErrors.push({ line: n, field: '/body', platformAdId: `nd-${n}` });
      else if (kind === 'future') expectedErrors.push({ line: n, field: '/publishedAt', platformAdId: `nd-${n}` });
    }
    expectedErrors.sort((a, b) => a.line - b.line);
    expect(expectedErrors.length).toBeLessThan(1000);

    function* lines(): Generator<string | Buffer> {
      for (let n = 1; n <= total; n++) {
        const kind = special.get(n);
        if (!kind || kind === 'crlf') {
          yield kind === 'crlf' ? `${line(n)}\r` : line(n);
          continue;
        }
        switch (kind) {
          case 'bad-json':
            yield `{"platformAdId": "nd-${n}", "title": `;
            break;
          case 'utf8':
            yield Buffer.concat([Buffer.from(head.replace('__ID__', `nd-${n}`).replace('__ID__', `nd-${n}`)), Buffer.from([0x41, 0xff, 0x42]), Buffer.from(tail)]);
            break;
          case 'wrong-type':
            yield JSON.stringify({ ...JSON.parse(line(n)), price: 'cheap' });
            break;
          case 'missing': {
            const { body: _body, ...rest } = JSON.parse(line(n));
            yield JSON.stringify(rest);
            break;
          }
          case 'future':
            yield JSON.stringify({ ...JSON.parse(line(n)), publishedAt: isoIn(3600_000), updatedAt: isoIn(3600_000) });
            break;
          case 'not-object':
            yield '42';
            break;
          case 'blank':
            yield '';
            break;
          case 'repeat':
            yield line(n - 3); // the same ad again, identical: a duplicate, not an error
            break;
          case 'too-long':
            yield `{"platformAdId": "nd-${n}", "body": "${'x'.repeat(1536 * 1024)}"}`;
            break;
        }
      }
    }

    const startedAt = Date.now();
    const answer = await post(platform, ndjsonStream(lines()));
    const elapsed = Date.now() - startedAt;
    expect(answer.status).toBe(200);
    const report = answer.body;
    const rejected = expectedErrors.length;
    expect({
      lines: report.lines,
      accepted: report.accepted,
      duplicates: report.duplicates,
      rejected: report.rejected,
      errorsTruncated: report.errorsTruncated,
    }).toEqual({
      lines: total,
      accepted: total - rejected - repeats - blanks,
      duplicates: repeats,
      rejected,
      errorsTruncated: false,
    });
    const reported = [...report.errors].sort((a, b) => a.line - b.line);
    expect(reported.map(({ line: n, field, platformAdId }) => ({ line: n, field, ...(platformAdId ? { platformAdId } : {}) }))).toEqual(expectedErrors);
    for (const error of reported) {
      const kind = special.get(error.line);
      if (kind === 'bad-json') expect(error.reason).toMatch(/not valid JSON/);
      if (kind === 'utf8') expect(error.reason).toMatch(/UTF-8/);
      if (kind === 'too-long') expect(error.reason).toMatch(/longer than/);
      if (kind === 'future') expect(error.reason).toMatch(/future/);
    }

    // Every accepted ad was on ads.ingested.v1 when the answer came, once.
    const events = await eventsOf(platform);
    expect(events).toHaveLength(report.accepted);
    expect(new Set(events.map((e) => e.subject)).size).toBe(report.accepted);
    expect(events.every((e) => e.type === 'ad.ingested' && e.channel === 'ndjson' && e.adVersion === 1)).toBe(true);
    expect(events.some((e) => e.subject === `${platform.id}:nd-33333`)).toBe(false);

    const metrics = (await ingest.call<string>('GET', '/metrics', { key: null })).body;
    expect(metricValue(metrics, 'vigie_ingest_ads_total', { outcome: 'accepted', channel: 'ndjson' })).toBeGreaterThanOrEqual(report.accepted);
    expect(metricValue(metrics, 'vigie_ingest_rejections_total', { field: 'line' })).toBeGreaterThanOrEqual(
      expectedErrors.filter((e) => e.field === 'line').length,
    );
    console.log(`NDJSON import of ${total} lines (${report.accepted} accepted) took ${elapsed} ms`);
  }, 240_000);

  it('handles CRLF, blank lines, a last line without newline, changes and removals within one stream, in order', async () => {
    const platform = await newPlatform();
    const ad = smallAd('stream-1');
    const changed = { ...ad, body: 'Texte modifié.', updatedAt: isoIn(-1000) };
    const removed = { ...changed, status: 'removed', updatedAt: isoIn(-500) };
    const other = smallAd('stream-2');
    const body = [
      JSON.stringify(ad),
      '',
      JSON.stringify(ad), // same content again: duplicate
      `${JSON.stringify(changed)}\r`,
      '{"oops"',
      JSON.stringify(removed),
      JSON.stringify(other), // no trailing newline
    ].join('\n');
    const answer = await post(platform, Readable.from([Buffer.from(body)]));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ lines: 7, accepted: 4, duplicates: 1, rejected: 1, errorsTruncated: false });
    expect(answer.body.errors).toEqual([{ line: 5, field: 'line', reason: expect.stringMatching(/not valid JSON/) }]);

    const events = await eventsOf(platform);
    const first = events.filter((e) => e.subject === `${platform.id}:stream-1`);
    expect(first.map((e) => [e.type, e.adVersion])).toEqual([
      ['ad.ingested', 1],
      ['ad.updated', 2],
      ['ad.removed', undefined],
    ]);
    expect(events.filter((e) => e.subject === `${platform.id}:stream-2`).map((e) => e.type)).toEqual(['ad.ingested']);
    const state = await ingest.call<{ status: string; version: number }>('GET', `/platforms/${platform.id}/ads/stream-1`, { key: platform.apiKey });
    expect(state.body).toMatchObject({ status: 'removed', version: 2 });
  });

  it('takes a backfill sent in one piece with a Content-Length beyond the 5 MB JSON body limit (as curl --data-binary does)', async () => {
    const platform = await newPlatform();
    const body = Buffer.from(`${Array.from({ length: 12_500 }, (_, n) => JSON.stringify(smallAd(`cl-${n}`))).join('\n')}\n`);
    expect(body.length).toBeGreaterThan(5 * 1024 * 1024);
    const response = await fetch(`${ingest.url}/platforms/${platform.id}/ads/ndjson`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.apiKey}`, 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ lines: 12_500, accepted: 12_500, rejected: 0 });
  });

  it('answers an empty stream with an empty report', async () => {
    const platform = await newPlatform();
    const answer = await post(platform, Readable.from([]));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ lines: 0, accepted: 0, duplicates: 0, rejected: 0, errors: [], errorsTruncated: false });
  });

  it('reports a single over-long last line without a newline', async () => {
    const platform = await newPlatform();
    const answer = await post(platform, Readable.from([Buffer.from(`{"x": "${'y'.repeat(2 * 1024 * 1024)}"}`)]));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ lines: 1, accepted: 0, rejected: 1 });
    expect(answer.body.errors).toEqual([{ line: 1, field: 'line', reason: expect.stringMatching(/longer than/) }]);
  });

  it('caps the listed errors at 1,000, listing the first 1,000 bad lines, with exact counts', async () => {
    const platform = await newPlatform();
    // Lines 1-600: valid JSON with a wrong type; 601-1200: not JSON; 1201-1600: wrong type again.
    function* lines() {
      for (let n = 1; n <= 1600; n++) {
        yield n > 600 && n <= 1200 ? `{"platformAdId": "cap-${n}",` : JSON.stringify({ ...smallAd(`cap-${n}`), price: 'free' });
      }
    }
    const answer = await post(platform, ndjsonStream(lines()));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ lines: 1600, accepted: 0, duplicates: 0, rejected: 1600, errorsTruncated: true });
    expect(answer.body.errors).toHaveLength(1000);
    const listed = answer.body.errors.map((e) => e.line).sort((a, b) => a - b);
    expect(listed).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it('answers 415 unless the body is sent as application/x-ndjson, recording nothing', async () => {
    const platform = await newPlatform();
    const body = JSON.stringify(smallAd('ctype-1'));
    for (const contentType of ['application/json', 'text/plain']) {
      const answer = await post(platform, Readable.from([Buffer.from(contentType === 'application/json' ? `[${body}]` : body)]), contentType);
      expect({ contentType, status: answer.status }).toEqual({ contentType, status: 415 });
    }
    const json = await ingest.call('POST', `/platforms/${platform.id}/ads/ndjson`, { key: platform.apiKey, body: [smallAd('ctype-1')] });
    expect([json.status, json.body.code]).toEqual([415, 'WRONG_CONTENT_TYPE']);
    expect((await ingest.call('GET', `/platforms/${platform.id}/ads/ctype-1`, { key: platform.apiKey })).status).toBe(404);
  });

  it('is still healthy and ready after the backfills', async () => {
    expect((await ingest.call('GET', '/health', { key: null })).status).toBe(200);
    expect((await ingest.call('GET', '/ready', { key: null })).status).toBe(200);
  });
});

describe('ingest NDJSON upload that goes quiet (real Kafka and PostgreSQL)', () => {
  let ingest: IngestFixture;

  beforeAll(async () => {
    ingest = await startIngest({ INGEST_NDJSON_IDLE_TIMEOUT_MS: '1500' });
  });

  afterAll(async () => {
    await ingest?.close();
  });

  it('answers 408 with the line to resume from, having recorded the complete lines, and frees its intake slot', async () => {
    const platform = await ingest.createPlatform({ id: `it-quiet-${randomHex(3)}` });
    const quiet = new Readable({ read: () => undefined });
    quiet.push(`${JSON.stringify(smallAd('quiet-1'))}\n${JSON.stringify(smallAd('quiet-2'))}\n{"platformAdId":"quiet-3","ti`);
    const answer = await postStream(ingest.url, `/platforms/${platform.id}/ads/ndjson`, platform.apiKey, quiet);
    expect(answer.status).toBe(408);
    expect(answer.body).toMatchObject({ code: 'UPLOAD_IDLE', resumeFromLine: 3, report: { lines: 2, accepted: 2 } });
    const stored = await ingest.call<{ version: number }>('GET', `/platforms/${platform.id}/ads/quiet-2`, { key: platform.apiKey });
    expect(stored.status).toBe(200);
  });
});
