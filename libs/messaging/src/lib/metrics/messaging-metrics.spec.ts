import { Registry } from 'prom-client';
import { KafkaEventPublisher } from '../kafka/kafka-event-publisher';
import { MessagingMetrics } from './messaging-metrics';

async function valuesOf(registry: Registry, name: string): Promise<{ labels: Record<string, string | number>; value: number }[]> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return (await metric.get()).values.map(({ labels, value }) => ({ labels: labels as Record<string, string | number>, value }));
}

describe('MessagingMetrics', () => {
  it('reports consumer lag per consumer group, topic and partition', async () => {
    const registry = new Registry();
    const metrics = new MessagingMetrics(registry);
    metrics.consumerLag.set({ group: 'vigie-scoring', topic: 'ads.ingested.v1', partition: '3' }, 42);
    expect(await valuesOf(registry, 'vigie_consumer_lag')).toEqual([{ labels: { group: 'vigie-scoring', topic: 'ads.ingested.v1', partition: '3' }, value: 42 }]);
  });

  it('reads the outbox backlog once per scrape for both gauges, and says -1 when the database does not answer', async () => {
    const registry = new Registry();
    const metrics = new MessagingMetrics(registry);
    expect(await valuesOf(registry, 'vigie_outbox_backlog')).toEqual([{ labels: {}, value: 0 }]);
    let reads = 0;
    metrics.observeOutbox(async () => {
      reads++;
      return { rows: 17, oldestSeconds: 2.5 };
    });
    const text = await registry.metrics();
    expect(text).toContain('vigie_outbox_backlog 17');
    expect(text).toContain('vigie_outbox_oldest_seconds 2.5');
    expect(reads).toBe(1);
    await registry.metrics();
    expect(reads).toBe(2);
    metrics.observeOutbox(() => Promise.reject(new Error('database down')));
    expect(await registry.metrics()).toContain('vigie_outbox_backlog -1');
  });

  it('counts records the producer got acknowledged, per topic', async () => {
    const registry = new Registry();
    const metrics = new MessagingMetrics(registry);
    const sent: unknown[] = [];
    const producer = { connect: async () => undefined, sendBatch: async (batch: unknown) => void sent.push(batch), disconnect: async () => undefined };
    const kafka = { producer: () => producer } as unknown as ConstructorParameters<typeof KafkaEventPublisher>[0];
    const publisher = new KafkaEventPublisher(kafka, metrics);
    const record = (topic: string) => ({ topic, key: 'k', value: Buffer.from('{}'), headers: {} });
    await publisher.publish([record('ads.scored.v1'), record('cases.v1'), record('ads.scored.v1')]);
    expect(sent).toHaveLength(1);
    expect(await valuesOf(registry, 'vigie_events_published_total')).toEqual(
      expect.arrayContaining([
        { labels: { topic: 'ads.scored.v1' }, value: 2 },
        { labels: { topic: 'cases.v1' }, value: 1 },
      ]),
    );
  });
});
