// The order a service starts in, against the real broker and database: state its providers load
// at start (scoring's hash lists and contact graph) is there before the first event is handled.
import { Controller, Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { createEvent, encodeEvent, EVENT_DEFINITIONS, subjectFor, type AnyEvent } from '@vigie/contracts';
import { createKafkaClient, createMessagingTables, dropMessagingTables, type EventBatch } from '@vigie/messaging';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { bootstrapService, type RunningService } from './bootstrap-service';

const suffix = randomBytes(4).toString('hex');
const topic = `it.bootstrap-order-${suffix}.v1`;
const schema = `it_bootstrap_${suffix}`;
const WARM_UP_MS = 4000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stands for a provider that loads state at start, as scoring's hash-list store does. */
@Injectable()
class SlowWarmUp implements OnApplicationBootstrap {
  loaded = false;

  async onApplicationBootstrap(): Promise<void> {
    await sleep(WARM_UP_MS);
    this.loaded = true;
  }
}

/** Whether the warm-up had finished when each event was handled. */
const handledWhileLoaded: boolean[] = [];

@Controller()
class OrderConsumer {
  constructor(private readonly warmUp: SlowWarmUp) {}

  @EventPattern(topic)
  onEvents(@Payload() batch: EventBatch): void {
    for (let i = 0; i < batch.events.length; i++) handledWhileLoaded.push(this.warmUp.loaded);
  }
}

@Module({ controllers: [OrderConsumer], providers: [SlowWarmUp] })
class OrderModule {}

class OrderTables1763850000000 implements MigrationInterface {
  name = 'OrderTables1763850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createMessagingTables(queryRunner, schema);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTables(queryRunner, schema);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('bootstrapService start order (real Kafka and PostgreSQL)', () => {
  const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
  const kafka = createKafkaClient({ brokers, clientId: `bootstrap-it-${suffix}` });
  const producer = kafka.producer();
  let service: RunningService | undefined;

  afterAll(async () => {
    await service?.close();
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
    const client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => client.end());
  });

  it('runs every provider start hook before the consumer handles its first event', async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }, { topic: `${topic}.dlq`, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    // Waiting before the service starts: with the consumer started ahead of the hooks, they are
    // handled while the warm-up is still running.
    const example = EVENT_DEFINITIONS.find((d) => d.type === 'ad.submitted')?.example as AnyEvent;
    const events = Array.from({ length: 3 }, (_, i) =>
      createEvent('ad.submitted', { tenant: example.tenant, subject: subjectFor(example.tenant, `ad-${i}`), source: 'bootstrap-test', data: example.data as never }),
    );
    await producer.connect();
    await producer.send({ topic, messages: events.map((event) => ({ key: event.subject, value: encodeEvent(event) })) });

    service = await bootstrapService(
      { name: 'bootstrap-order', description: 'start order spec', defaultPort: 0, schema, migrations: [OrderTables1763850000000], module: OrderModule },
      {
        KAFKA_BROKERS: process.env.KAFKA_BROKERS,
        DATABASE_URL: process.env.DATABASE_URL,
        BOOTSTRAP_ORDER_PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
        KAFKA_CONSUMER_START: 'earliest',
        KAFKA_CONSUMER_GROUP_PREFIX: `it-bootstrap-${suffix}`,
      },
    );
    const deadline = Date.now() + 60_000;
    while (handledWhileLoaded.length < events.length && Date.now() < deadline) await sleep(100);
    expect(handledWhileLoaded).toEqual([true, true, true]);
  });
});
