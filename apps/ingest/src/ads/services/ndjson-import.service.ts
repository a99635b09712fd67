import { Inject, Injectable } from '@nestjs/common';
import { isTransientDatabaseError } from '@vigie/messaging';
import { DATABASE_RETRY_AFTER_SECONDS, SERVICE_LOGGER } from '@vigie/service-kit';
import type { Logger } from 'pino';
import type { Readable } from 'node:stream';
import { AdIntakeException, AdIntakeExceptionCode } from '../exceptions/ad-intake.exception';
import { AdSubmissionService, type PreparedBatch } from './ad-submission.service';
import { IngestMetrics } from './ingest-metrics';

export interface NdjsonLineError {
  line: number;
  platformAdId?: string;
  field: string;
  reason: string;
}

export interface NdjsonImportReport {
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: NdjsonLineError[];
  /** More errors happened than are listed; the counts are still exact. */
  errorsTruncated: boolean;
}

const chunkSize = 1000;
/**
 * A chunk is also cut at this many bytes of lines: 1,000 lines of up to 1 MiB each, parsed and
 * held two chunks at a time, would be gigabytes; ads as platforms send them are about 1 KB.
 */
const maxChunkBytes = 8 * 1024 * 1024;
const maxLineBytes = 1024 * 1024;
/**
 * A chunk's lines share the receipt time of its first line, so a chunk is also cut when that
 * line is this old: a slow or live feed sending a line a minute had line 1,000 stamped as
 * received most of a day early (and its claims checked against that time).
 */
const maxChunkAgeMs = 1000;
/**
 * An upload that sends nothing for this long (INGEST_NDJSON_IDLE_TIMEOUT_MS) is ended (408, with
 * the line to resume from): it holds one of the service's few intake slots, which idle or
 * half-open connections would otherwise keep from every platform for good. Time spent waiting
 * for our own recording (backpressure) does not count.
 */
export const NDJSON_IDLE_TIMEOUT_MS = 60_000;

/** The client sent nothing for {@link NDJSON_IDLE_TIMEOUT_MS}. */
class UploadIdleError extends Error {}

/** The iterator's next value, or an {@link UploadIdleError} if none comes within `ms`. */
function nextWithin<T>(iterator: AsyncIterator<T>, ms: number): Promise<IteratorResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new UploadIdleError()), ms);
  });
  return Promise.race([iterator.next(), idle]).finally(() => clearTimeout(timer));
}
const maxReportedErrors = 1000;
const progressEveryLines = 100_000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Streams an NDJSON backfill: lines are parsed as they arrive and recorded in chunks of
 * 1,000; while one chunk is recorded and published the next is read, and reading stops when
 * that one is full, so a client sending millions of ads is held back by TCP rather than
 * buffered in memory. Each bad line is reported with its number; the rest of the stream is
 * unaffected.
 */
@Injectable()
export class NdjsonImportService {
  constructor(
    private readonly submissions: AdSubmissionService,
    private readonly metrics: IngestMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async import(platformId: string, stream: Readable, idleTimeoutMs = NDJSON_IDLE_TIMEOUT_MS): Promise<NdjsonImportReport> {
    const report: NdjsonImportReport = { lines: 0, accepted: 0, duplicates: 0, rejected: 0, errors: [], errorsTruncated: false };
    let pending: { value: unknown; line: number }[] = [];
    let pendingBytes = 0;
    let pendingIds = new Set<string>();
    // Errors of the lines not yet flushed, so the report lists bad lines in order whatever
    // stage (parsing or recording) rejected them.
    let pendingErrors: NdjsonLineError[] = [];
    let chunkReceivedAt = new Date();
    let skippingLongLine = false;

    // Rejections of the chunks recorded so far: `report.rejected` also counts the bad lines
    // read since (accepted and duplicate counts only ever come from recorded chunks).
    let recordedRejected = 0;
    const listInOrder = (errors: NdjsonLineError[]) => {
      recordedRejected += errors.length;
      for (const error of errors.sort((a, b) => a.line - b.line)) {
        if (report.errors.length < maxReportedErrors) report.errors.push(error);
        else report.errorsTruncated = true;
      }
    };

    const fail = (line: number, field: string, reason: string) => {
      report.rejected++;
      this.metrics.rejected(field, 'ndjson');
      pendingErrors.push({ line, field, reason });
    };
    // A stream of nothing but bad lines must not grow the pending list without bound.
    const errorsFlushThreshold = 2 * maxReportedErrors;

    // One chunk at a time is in the database and the broker (`recording`) while the next one
    // is read, parsed and validated: the CPU work overlaps the I/O wait, and memory holds at
    // most two chunks. Chunks are still recorded strictly in order, each after the previous
    // one is published, so an ad's versions and the resume line stay exact.
    let recording: Promise<void> = Promise.resolve();
    let recordingFailure: { error: unknown } | undefined;
    const previousChunkRecorded = async () => {
      await recording;
      if (recordingFailure) throw recordingFailure.error;
    };

    const recordChunk = async (firstLine: number, prepared: PreparedBatch | undefined, receivedAt: Date, errors: NdjsonLineError[]) => {
      if (!prepared) {
        listInOrder(errors);
        return;
      }
      let result;
      try {
        result = await this.submissions.recordPrepared(platformId, prepared, 'ndjson', receivedAt);
      } catch (error) {
        // Tell the client exactly where to resume (everything before this chunk is recorded),
        // with the report as it stood there: later lines are read meanwhile, and counted again
        // when the client sends them anew.
        const before = {
          lines: firstLine - 1,
          accepted: report.accepted,
          duplicates: report.duplicates,
          rejected: recordedRejected,
          errors: [...report.errors],
          errorsTruncated: report.errorsTruncated,
        };
        const resume = `lines before ${firstLine} are recorded, resume from there`;
        if (error instanceof AdIntakeException) {
          throw new AdIntakeException(error.code, `${error.message}; ${resume}`, { resumeFromLine: firstLine, report: before }, error.retryAfterSeconds);
        }
        if (isTransientDatabaseError(error)) {
          throw new AdIntakeException(
            AdIntakeExceptionCode.DATABASE_UNAVAILABLE,
            `the database cannot record ads right now; ${resume}`,
            { resumeFromLine: firstLine, report: before },
            DATABASE_RETRY_AFTER_SECONDS,
          );
        }
        throw error;
      }
      report.accepted += result.accepted;
      report.duplicates += result.duplicates;
      for (const item of result.results) {
        if (item.status !== 'rejected') continue;
        report.rejected++;
        const first = item.errors?.[0];
        errors.push({ line: item.index, ...(item.platformAdId ? { platformAdId: item.platformAdId } : {}), field: first?.field ?? '', reason: first?.reason ?? 'rejected' });
      }
      listInOrder(errors);
    };

    const flush = async () => {
      const batch = pending;
      const errors = pendingErrors;
      const receivedAt = chunkReceivedAt;
      pending = [];
      pendingBytes = 0;
      pendingIds = new Set();
      pendingErrors = [];
      const prepared = batch.length > 0 ? this.submissions.prepare(batch.map((p) => p.value), receivedAt, batch.map((p) => p.line)) : undefined;
      await previousChunkRecorded();
      recording = recordChunk(batch[0]?.line ?? 0, prepared, receivedAt, errors).catch((error: unknown) => {
        // Kept for the next flush to throw: the stream is still being read meanwhile.
        recordingFailure = { error };
      });
    };

    const handleLine = async (bytes: Buffer) => {
      report.lines++;
      const lineNumber = report.lines;
      if (report.lines % progressEveryLines === 0) {
        this.logger.info({ platformId, lines: report.lines, accepted: report.accepted, rejected: report.rejected }, 'NDJSON import progress');
      }
      const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
      if (end === 0) return; // blank lines are allowed and ignored
      if (end > maxLineBytes) {
        fail(lineNumber, 'line', `longer than ${maxLineBytes} bytes`);
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(utf8.decode(bytes.subarray(0, end)));
      } catch (error) {
        const reason = error instanceof SyntaxError ? `not valid JSON: ${error.message}` : 'not valid UTF-8';
        fail(lineNumber, 'line', reason);
        return;
      }
      const adId = (value as { platformAdId?: unknown } | null)?.platformAdId;
      // A second version of one ad in the same chunk would race with the first: cut the chunk.
      if (typeof adId === 'string' && pendingIds.has(adId)) await flush();
      else if (pending.length > 0 && Date.now() - chunkReceivedAt.getTime() > maxChunkAgeMs) await flush();
      if (pending.length === 0) chunkReceivedAt = new Date();
      pending.push({ value, line: lineNumber });
      pendingBytes += end;
      if (typeof adId === 'string') pendingIds.add(adId);
      if (pending.length >= chunkSize || pendingBytes >= maxChunkBytes) await flush();
    };
    const flushIfManyErrors = async () => {
      if (pendingErrors.length >= errorsFlushThreshold) await flush();
    };

    try {
      // The unfinished line grows in one buffer of doubling capacity: re-joining it with every
      // chunk was quadratic in its length (a long line sent in tiny chunks stalled the service
      // for minutes).
      let carry = Buffer.alloc(0);
      let carryLength = 0;
      const appendToCarry = (bytes: Buffer) => {
        if (carryLength + bytes.length > carry.length) {
          const grown = Buffer.allocUnsafe(Math.max(carryLength + bytes.length, 2 * carry.length, 4096));
          carry.copy(grown, 0, 0, carryLength);
          carry = grown;
        }
        bytes.copy(carry, carryLength);
        carryLength += bytes.length;
      };
      // Only the wait for the client is timed, not the wait for our own recording. The stream is
      // left as it is on a timeout (destroying the request would close the connection before
      // the answer saying where to resume could be sent).
      const chunks = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      for (;;) {
        const next = await nextWithin(chunks, idleTimeoutMs);
        if (next.done) break;
        const chunk = next.value;
        let start = 0;
        for (let newline = chunk.indexOf(0x0a, start); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
          if (skippingLongLine) {
            skippingLongLine = false;
          } else if (carryLength > 0) {
            appendToCarry(chunk.subarray(start, newline));
            const line = carry.subarray(0, carryLength);
            carry = Buffer.alloc(0);
            carryLength = 0;
            await handleLine(line);
            await flushIfManyErrors();
          } else {
            await handleLine(chunk.subarray(start, newline));
            await flushIfManyErrors();
          }
          start = newline + 1;
        }
        if (skippingLongLine || start === chunk.length) continue;
        appendToCarry(chunk.subarray(start));
        if (carryLength > maxLineBytes) {
          report.lines++;
          fail(report.lines, 'line', `longer than ${maxLineBytes} bytes`);
          skippingLongLine = true;
          carry = Buffer.alloc(0);
          carryLength = 0;
        }
      }
      carry = carry.subarray(0, carryLength);
      if (carry.length > 0 && !skippingLongLine) await handleLine(carry);
      await flush();
      await previousChunkRecorded();
    } catch (error) {
      if (!(error instanceof UploadIdleError)) throw error;
      // The complete lines read so far are recorded; the client resumes after them.
      await flush();
      await previousChunkRecorded();
      throw new AdIntakeException(
        AdIntakeExceptionCode.UPLOAD_IDLE,
        `nothing received for ${idleTimeoutMs / 1000} s; lines before ${report.lines + 1} are recorded, resume from there`,
        { resumeFromLine: report.lines + 1, report },
      );
    } finally {
      // Whatever stopped the import (a failed chunk, a broken upload), the chunk still in the
      // database or the broker finishes before the request ends and frees its intake slot.
      await recording;
    }
    this.logger.info({ platformId, ...report, errors: undefined }, 'NDJSON import finished');
    return report;
  }
}
