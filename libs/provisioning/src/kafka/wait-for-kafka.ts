import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';

export interface WaitForKafkaOptions {
  timeoutMs: number;
  /** Aborting stops the wait early with the signal's reason (e.g. the broker process exited). */
  signal?: AbortSignal;
}

/** Resolves once an admin client can describe the cluster at `brokers`, i.e. the broker serves requests. */
export async function waitForKafka(brokers: string[], { timeoutMs, signal }: WaitForKafkaOptions): Promise<void> {
  // No retries or logging inside kafkajs: this loop is the retry, and refused connections are expected.
  const kafka = new Kafka({
    clientId: 'vigie-provisioning-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await delay(250);
  }
  signal?.throwIfAborted();
  throw new Error(
    `Kafka at ${brokers.join(',')} did not answer within ${timeoutMs / 1000}s ` +
      `(last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`,
  );
}
