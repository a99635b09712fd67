// Child process for the outbox crash test: publishes one batch, then SIGKILLs itself after
// the broker's acknowledgement and before the outbox rows are deleted.
import { DataSource } from 'typeorm';
import { createKafkaClient } from '../lib/kafka/kafka-config';
import { KafkaEventPublisher } from '../lib/kafka/kafka-event-publisher';
import { Outbox } from '../lib/outbox/outbox';
import { OutboxRelay } from '../lib/outbox/outbox-relay';

async function main(): Promise<void> {
  const schema = process.env.RELAY_SCHEMA ?? '';
  const topic = process.env.RELAY_TOPIC ?? '';
  const dataSource = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL, schema });
  await dataSource.initialize();
  const kafka = createKafkaClient({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'vigie-relay-crash' });
  const relay = new OutboxRelay(dataSource, new Outbox(schema, () => topic), new KafkaEventPublisher(kafka), {
    batchSize: 50,
    afterPublish: () => {
      process.kill(process.pid, 'SIGKILL');
      return new Promise(() => undefined);
    },
  });
  await relay.drainOnce();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
