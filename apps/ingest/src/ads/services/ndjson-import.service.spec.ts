import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { Readable } from 'node:stream';
import type { AdSubmissionService, BatchReport } from './ad-submission.service';
import { IngestMetrics } from './ingest-metrics';
import { NdjsonImportService } from './ndjson-import.service';

const MiB = 1024 * 1024;

/** Records what the import hands over for recording; accepts it unless it says `"bad": true`. */
function fakeSubmissions() {
  const submitted: { line: number; value: unknown }[] = [];
  const submissions = {
    async submit(_platformId: string, rawAds: readonly unknown[], _channel: string, _receivedAt: Date, lineNumbers?: number[]): Promise<BatchReport> {
      rawAds.forEach((value, i) => submitted.push({ line: lineNumbers?.[i] ?? i, value }));
      const results = rawAds.map((value, i) =>
        (value as { bad?: boolean }).bad
          ? { index: lineNumbers?.[i] ?? i, platformAdId: `ad-${i}`, status: 'rejected' as const, errors: [{ field: '/price', reason: 'wrong type' }] }
          : { index: lineNumbers?.[i] ?? i, platformAdId: `ad-${i}`, status: 'accepted' as const },
      );
      const rejected = results.filter((r) => r.status === 'rejected').length;
      return { accepted: results.length - rejected, duplicates: 0, rejected, results };
    },
  };
  return { submissions: submissions as unknown as AdSubmissionService, submitted };
}

function importer() {
  const { submissions, submitted } = fakeSubmissions();
  const logger = { info: () => undefined } as unknown as Logger;
  return { service: new NdjsonImportService(submissions, new IngestMetrics(new Registry()), logger), submitted };
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
