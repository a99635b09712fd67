// The worker side of `LogVerification`: one walk of the log, on a database connection of its
// own, in a V8 heap of its own. The walk holds a chain state per subject (hundreds of MB for
// millions of subjects); here that memory is bounded by the thread's own limits, given back
// whole when the thread ends, and a log too large for them ends the thread, not the service.
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { Client } from 'pg';
import { verifyAuditLog, type VerificationReport } from './log-verifier';

/**
 * This file, as the worker thread runs it. `LogVerification` imports it by name, so every
 * build that includes the service also emits the worker.
 */
export const LOG_VERIFICATION_THREAD_FILE = __filename;

export const LOG_VERIFICATION_THREAD_ROLE = 'vigie-log-verification';

export interface LogVerificationThreadSettings {
  role: typeof LOG_VERIFICATION_THREAD_ROLE;
  databaseUrl: string;
}

export type LogVerificationThreadReply = { kind: 'report'; report: VerificationReport } | { kind: 'failed'; message: string };

if (!isMainThread && parentPort && (workerData as LogVerificationThreadSettings | undefined)?.role === LOG_VERIFICATION_THREAD_ROLE) {
  void walkInThread(parentPort, workerData as LogVerificationThreadSettings);
}

async function walkInThread(port: MessagePort, settings: LogVerificationThreadSettings): Promise<void> {
  const client = new Client({ connectionString: settings.databaseUrl, application_name: 'vigie-audit-verify', options: '-c jit=off' });
  let reply: LogVerificationThreadReply;
  try {
    await client.connect();
    reply = { kind: 'report', report: await verifyAuditLog(async (sql, params) => (await client.query(sql, params)).rows) };
  } catch (error) {
    reply = { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
  port.postMessage(reply);
}
