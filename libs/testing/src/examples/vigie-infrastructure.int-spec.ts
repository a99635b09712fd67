// How an integrator tests against real Kafka and PostgreSQL. Outside this library, import
// startVigieInfrastructure from '@vigie/testing'. Under `npm test` KAFKA_BROKERS and DATABASE_URL are
// already set, so it simply uses them; run elsewhere it starts containers or local services.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { startVigieInfrastructure, VigieInfrastructure } from '../start-vigie-infrastructure';

describe('Vigie infrastructure (integrator example)', () => {
  let infrastructure: VigieInfrastructure;

  beforeAll(async () => {
    infrastructure = await startVigieInfrastructure({ database: 'vigie_example' });
  });
  afterAll(async () => {
    await infrastructure?.stop();
  });

  it('delivers a produced message to a consumer', async () => {
    const kafka = new Kafka({ clientId: 'example', brokers: infrastructure.brokers, logLevel: logLevel.NOTHING });
    // Topics are never auto-created in Vigie: create them up front, and wait for their leaders.
    const topic = `example-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const consumer = kafka.consumer({ groupId: `example-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
    });

    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'ad-42', value: 'listing.flagged' }] });
    await producer.disconnect();

    await expect(received).resolves.toBe('listing.flagged');
    await consumer.disconnect();
  });

  it('runs a query', async () => {
    const client = new Client({ connectionString: infrastructure.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ answer: number }>('SELECT 6 * 7 AS answer');
      expect(rows[0].answer).toBe(42);
    } finally {
      await client.end();
    }
  });
});
