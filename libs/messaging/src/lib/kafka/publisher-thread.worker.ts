// The worker side of `ThreadedKafkaPublisher`: an idempotent `KafkaEventPublisher` of its own,
// fed records over the message port. Encoding produce requests is the dearest part of
// publishing in kafkajs; here it runs beside the service's event loop instead of on it.
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createKafkaClient } from './kafka-config';
import { KafkaEventPublisher } from './kafka-event-publisher';
import { toThreadError, type PublisherThreadReply, type PublisherThreadRequest, type PublisherThreadSettings } from './publisher-thread.protocol';

/**
 * This file, as the worker thread runs it. `ThreadedKafkaPublisher` imports it by name, so
 * every build that includes the publisher also emits the worker.
 */
export const PUBLISHER_THREAD_FILE = __filename;

export const PUBLISHER_THREAD_ROLE = 'vigie-kafka-publisher';

if (!isMainThread && parentPort && (workerData as PublisherThreadSettings | undefined)?.role === PUBLISHER_THREAD_ROLE) {
  servePublisherThread(parentPort, workerData as PublisherThreadSettings);
}

function servePublisherThread(port: MessagePort, settings: PublisherThreadSettings): void {
  const reply = (message: PublisherThreadReply) => port.postMessage(message);

  // Log extras may hold what cannot be cloned (sockets, errors): they travel as JSON.
  const cloneable = (extra: Record<string, unknown>): Record<string, unknown> => {
    try {
      return JSON.parse(JSON.stringify(extra)) as Record<string, unknown>;
    } catch {
      return {};
    }
  };

  const kafka = createKafkaClient({
    brokers: settings.brokers,
    clientId: settings.clientId,
    connectionTimeoutMs: settings.connectionTimeoutMs,
    requestTimeoutMs: settings.requestTimeoutMs,
    log: settings.forwardLogs ? (level, message, extra) => reply({ kind: 'log', level, message, extra: cloneable(extra) }) : undefined,
  });
  const publisher = new KafkaEventPublisher(kafka, {
    published: { inc: (labels, count) => reply({ kind: 'counted', topic: labels.topic, count }) },
  });

  publisher.connect().then(
    () => reply({ kind: 'connected' }),
    (error: unknown) => reply({ kind: 'connect-failed', error: toThreadError(error) }),
  );

  port.on('message', (request: PublisherThreadRequest) => {
    if (request.kind === 'disconnect') {
      void publisher
        .disconnect()
        .catch(() => undefined)
        .then(() => reply({ kind: 'disconnected' }));
      return;
    }
    const payload = Buffer.from(request.payload);
    let offset = 0;
    const records = request.slots.map(({ topic, key, headers, length }) => {
      const value = payload.subarray(offset, offset + length);
      offset += length;
      return { topic, key, headers, value };
    });
    publisher.publish(records).then(
      () => reply({ kind: 'published', id: request.id }),
      (error: unknown) => reply({ kind: 'failed', id: request.id, error: toThreadError(error) }),
    );
  });
}
