import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { Readable } from 'node:stream';
import { AdIntakeException, AdIntakeExceptionCode } from '../exceptions/ad-intake.exception';
import type { AdSubmissionService, BatchReport } from './ad-submission.service';
import { IngestMetrics } from './ingest-metrics';
import { NdjsonImportService } from './ndjson-import.service';

const MiB = 1024 * 1024;

/** Records what the import hands over for recording; accepts it unless it says `"bad": true`. */
function fakeSubmissions() {
  const submitted: { line: number; value: unknown }[] = [];
  /** Lines per chunk handed over, in order. */
  const chunks: number[] = [];
  const submissions = {
    prepare(rawAds: readonly unknown[], _receivedAt: Date, lineNumbers?: number[]) {
      chunks.push(rawAds.length);
      return { items: rawAds.map((value, i) => ({ value, line: lineNumbers?.[i] ?? i })), rejected: [] };
    },
    async recordPrepared(_platformId: string, prepared: { items: { value: unknown; line: number }[] }): Promise<BatchReport> {
      submitted.push(...prepared.items);
      const results = prepared.items.map(({ value, line }, i) =>
        (value as { bad?: boolean }).bad
          ? { index: line, platformAdId: `ad-${i}`, status: 'rejected' as const, errors: [{ field: '/price', reason: 'wrong type' }] }
          : { index: line, platformAdId: `ad-${i}`, status: 'accepted' as const },
      );
      const rejected = results.filter((r) => r.status === 'rejected').length;
      return { accepted: results.length - rejected, duplicates: 0, rejected, results };
    },
  };
  return { submissions: submissions as unknown as AdSubmissionService, submitted, chunks };
}

function importer() {
  const { submissions, submitted, chunks } = fakeSubmissions();
  const logger = { info: () => undefined } as unknown as Logger;
  return { service: new NdjsonImportService(submissions, new IngestMetrics(new Registry()), logger), submitted, chunks };
}

/** A JSON object line of exactly `bytes` bytes (padded with spaces, which JSON allows). */
function jsonLineOf(bytes: number, id: string): Buffer {
  const core = `{"platformAdId":"${id}"}`;
  return Buffer.from(`${core}${' '.repeat(bytes - core.length)}`);
}

function inChunks(data: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let start = 0; start < data.length; start += size) chunks.push(data.subarray(start, start + size));
  return Readable.from(chunks);
}

const newline = Buffer.from('\n');

describe('NdjsonImportService line limits', () => {
  it('cuts chunks at 8 MiB of lines as well as at 1,000 lines, so long lines do not pile up', async () => {
    const { service, submitted, chunks } = importer();
    const lines = Array.from({ length: 40 }, (_, i) => Buffer.concat([jsonLineOf(900 * 1024, `big-${i}`), newline]));
    const report = await service.import('demo', inChunks(Buffer.concat(lines), 64 * 1024));
    expect(report).toMatchObject({ lines: 40, accepted: 40, rejected: 0 });
    expect(submitted.map((s) => s.line)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // 900 KiB a line: the tenth line passes 8 MiB.
    expect(chunks).toEqual([10, 10, 10, 10]);
  });

  it('refuses a line longer than 1 MiB even when it arrives whole, with its newline, in one chunk', async () => {
    const { service, submitted } = importer();
    const data = Buffer.concat([jsonLineOf(MiB + 100, 'too-long'), newline, jsonLineOf(40, 'fine'), newline]);
    const report = await service.import('demo', Readable.from([data]));
    expect(report).toMatchObject({ lines: 2, accepted: 1, rejected: 1 });
    expect(report.errors).toEqual([{ line: 1, field: 'line', reason: expect.stringMatching(/longer than/) }]);
    expect(submitted.map((s) => s.line)).toEqual([2]);
  });

  it('refuses a line longer than 1 MiB that arrives in 64 KiB pieces, and keeps counting lines after it', async () => {
    const { service, submitted } = importer();
    const data = Buffer.concat([
      jsonLineOf(40, 'before'),
      newline,
      jsonLineOf(MiB + 300 * 1024, 'too-long'),
      newline,
      jsonLineOf(40, 'after'),
      newline,
    ]);
    const report = await service.import('demo', inChunks(data, 64 * 1024));
    expect(report).toMatchObject({ lines: 3, accepted: 2, rejected: 1 });
    expect(report.errors).toEqual([{ line: 2, field: 'line', reason: expect.stringMatching(/longer than/) }]);
    expect(submitted.map((s) => s.line)).toEqual([1, 3]);
  });

  it('takes a line of exactly 1 MiB', async () => {
    const { service, submitted } = importer();
    const data = Buffer.concat([jsonLineOf(MiB, 'just-fits'), newline, jsonLineOf(40, 'next'), newline]);
    const report = await service.import('demo', inChunks(data, 64 * 1024));
    expect(report).toMatchObject({ lines: 2, accepted: 2, rejected: 0 });
    expect(submitted.map((s) => s.line)).toEqual([1, 2]);
  });

  it('lists the first 1,000 bad lines by number when more lines fail', async () => {
    const { service } = importer();
    // Lines 1-600 are refused when their chunk is recorded, 601-1200 are not JSON (refused at
    // once), 1201-1600 are refused with the chunk again.
    const lines = Array.from({ length: 1600 }, (_, i) => (i >= 600 && i < 1200 ? '{' : `{"platformAdId":"ad-${i + 1}","bad":true}`));
    const report = await service.import('demo', Readable.from([Buffer.from(`${lines.join('\n')}\n`)]));
    expect(report).toMatchObject({ lines: 1600, accepted: 0, rejected: 1600, errorsTruncated: true });
    expect(report.errors.map((e) => e.line).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });
});

/** Submissions whose recording takes a few event-loop turns, logging what happens when. */
function slowSubmissions(failOnChunkStartingAt?: number, failure: () => Error = () => new AdIntakeException(AdIntakeExceptionCode.BROKER_UNAVAILABLE, 'broker down', {}, 5)) {
  const log: string[] = [];
  let recordingNow = 0;
  let mostAtOnce = 0;
  const submissions = {
    prepare(rawAds: readonly unknown[], _receivedAt: Date, lineNumbers: number[]) {
      log.push(`prepare ${lineNumbers[0]}`);
      return { items: rawAds.map((value, i) => ({ value, line: lineNumbers[i] })), rejected: [] };
    },
    async recordPrepared(_platformId: string, prepared: { items: { line: number }[] }): Promise<BatchReport> {
      const first = prepared.items[0].line;
      recordingNow++;
      mostAtOnce = Math.max(mostAtOnce, recordingNow);
      log.push(`record ${first}`);
      try {
        for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
        if (first === failOnChunkStartingAt) throw failure();
        log.push(`recorded ${first}`);
        const results = prepared.items.map(({ line }) => ({ index: line, platformAdId: `ad-${line}`, status: 'accepted' as const }));
        return { accepted: results.length, duplicates: 0, rejected: 0, results };
      } finally {
        recordingNow--;
      }
    },
  };
  const logger = { info: () => undefined } as unknown as Logger;
  const service = new NdjsonImportService(submissions as unknown as AdSubmissionService, new IngestMetrics(new Registry()), logger);
  return { service, log, mostAtOnce: () => mostAtOnce };
}

/** A stream of `count` ad lines, 100 lines per network chunk, each chunk a separate turn. */
function adLines(count: number): Readable {
  const chunks: Buffer[] = [];
  for (let start = 1; start <= count; start += 100) {
    let text = '';
    for (let line = start; line < start + 100 && line <= count; line++) text += `{"platformAdId":"ad-${line}"}\n`;
    chunks.push(Buffer.from(text));
  }
  return Readable.from(chunks);
}

describe('NdjsonImportService pipelining', () => {
  it('prepares the next chunk while the previous one is recorded, and records one chunk at a time, in order', async () => {
    const { service, log, mostAtOnce } = slowSubmissions();
    const report = await service.import('demo', adLines(3000));
    expect(report).toMatchObject({ lines: 3000, accepted: 3000, rejected: 0 });
    expect(mostAtOnce()).toBe(1);
    expect(log.filter((entry) => entry.startsWith('record '))).toEqual(['record 1', 'record 1001', 'record 2001']);
    // Chunk 1001 was read and prepared before chunk 1 finished recording.
    expect(log.indexOf('prepare 1001')).toBeLessThan(log.indexOf('recorded 1'));
    expect(log.indexOf('recorded 1')).toBeLessThan(log.indexOf('record 1001'));
  });

  it('stops at a chunk that cannot be recorded, gives the line to resume from and records nothing after it', async () => {
    const { service, log } = slowSubmissions(1001);
    const failure = await service.import('demo', adLines(5000)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AdIntakeException);
    expect((failure as AdIntakeException).details).toMatchObject({ resumeFromLine: 1001, report: { accepted: 1000 } });
    expect((failure as AdIntakeException).retryAfterSeconds).toBe(5);
    expect(log.filter((entry) => entry.startsWith('record'))).toEqual(['record 1', 'recorded 1', 'record 1001']);
  });

  it('says where to resume when the database goes away too, with the report as it stood at that line', async () => {
    const databaseAway = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const { service } = slowSubmissions(1001, databaseAway);
    const failure = await service.import('demo', adLines(5000)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AdIntakeException);
    expect((failure as AdIntakeException).code).toBe(AdIntakeExceptionCode.DATABASE_UNAVAILABLE);
    // Lines after 1,000 were read while chunk 1001 was being recorded: the report leaves them out.
    expect((failure as AdIntakeException).details).toEqual({
      resumeFromLine: 1001,
      report: { lines: 1000, accepted: 1000, duplicates: 0, rejected: 0, errors: [], errorsTruncated: false },
    });
    expect((failure as AdIntakeException).retryAfterSeconds).toBe(2);
  });
});

describe('NdjsonImportService idle uploads', () => {
  it('ends an upload that sends nothing for the idle timeout, recording the complete lines and saying where to resume', async () => {
    const { service, submitted } = importer();
    const quiet = new Readable({ read: () => undefined });
    quiet.push('{"platformAdId":"a"}\n{"platformAdId":"b"}\n{"platformAdId":"c", "tit');
    const failure = await service.import('demo', quiet, 300).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AdIntakeException);
    expect((failure as AdIntakeException).code).toBe(AdIntakeExceptionCode.UPLOAD_IDLE);
    expect((failure as AdIntakeException).getStatus()).toBe(408);
    expect((failure as AdIntakeException).details).toMatchObject({ resumeFromLine: 3, report: { lines: 2, accepted: 2 } });
    expect(submitted.map((s) => s.line)).toEqual([1, 2]);
  });
});

describe('NdjsonImportService receipt times', () => {
  it('cuts a chunk when its first line is more than a second old, so each line keeps a receipt time close to its own', async () => {
    const receivedAts: number[] = [];
    const { service, chunks } = (() => {
      const fake = fakeSubmissions();
      const prepare = fake.submissions.prepare.bind(fake.submissions);
      (fake.submissions as unknown as { prepare: typeof prepare }).prepare = (rawAds, receivedAt, lineNumbers) => {
        receivedAts.push(receivedAt.getTime());
        return prepare(rawAds, receivedAt, lineNumbers);
      };
      const logger = { info: () => undefined } as unknown as Logger;
      return { service: new NdjsonImportService(fake.submissions, new IngestMetrics(new Registry()), logger), chunks: fake.chunks };
    })();
    // A live feed: three lines, then a pause of 1.2 s, then two more.
    async function* feed() {
      yield Buffer.from('{"platformAdId":"a"}\n{"platformAdId":"b"}\n{"platformAdId":"c"}\n');
      await new Promise((resolve) => setTimeout(resolve, 1200));
      yield Buffer.from('{"platformAdId":"d"}\n{"platformAdId":"e"}\n');
    }
    const report = await service.import('demo', Readable.from(feed()));
    expect(report).toMatchObject({ lines: 5, accepted: 5 });
    expect(chunks).toEqual([3, 2]);
    expect(receivedAts[1] - receivedAts[0]).toBeGreaterThanOrEqual(1000);
  });
});
