import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { processesMentioning } from '../process/processes-mentioning';
import { KafkaEndpoint, provisionKafka } from './provision-kafka';

async function roundTrip(brokers: string[]): Promise<string> {
  const kafka = new Kafka({ clientId: 'provisioning-it', brokers, logLevel: logLevel.WARN });
  const topic = `provisioning-it-${randomUUID()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();

  const consumer = kafka.consumer({ groupId: `provisioning-it-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received = new Promise<string>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k', value: 'hello from provisionKafka' }] });
  await producer.disconnect();
  try {
    return await received;
  } finally {
    await consumer.disconnect();
  }
}

describe('provisionKafka without KAFKA_BROKERS', () => {
  let workDir: string;
  let endpoint: KafkaEndpoint | undefined;

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'vigie-kafka-it-'));
  });
  afterAll(async () => {
    await endpoint?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('starts a real broker that serves topics, and stop() leaves no JVM or data behind', async () => {
    endpoint = await provisionKafka({ env: {}, workDir, log: () => undefined });

    expect(endpoint.managed).toBe(true);
    expect(endpoint.brokers).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
    expect(processesMentioning(workDir)).toHaveLength(1);
    await expect(roundTrip(endpoint.brokers)).resolves.toBe('hello from provisionKafka');

    await endpoint.stop();
    await endpoint.stop(); // idempotent

    expect(processesMentioning(workDir)).toEqual([]);
    expect(readdirSync(workDir)).toEqual([]);
  });
});
