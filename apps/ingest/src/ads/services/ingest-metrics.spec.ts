import { Registry } from 'prom-client';
import { IngestMetrics, rejectionFieldLabel } from './ingest-metrics';

describe('rejectionFieldLabel', () => {
  it('keeps the top-level field of the ad, the envelope, or "line"', () => {
    expect(rejectionFieldLabel('/publishedAt')).toBe('publishedAt');
    expect(rejectionFieldLabel('/contacts/phones/3')).toBe('contacts');
    expect(rejectionFieldLabel('/tenant')).toBe('tenant');
    expect(rejectionFieldLabel('line')).toBe('line');
    expect(rejectionFieldLabel('')).toBe('/');
    expect(rejectionFieldLabel('/')).toBe('/');
  });

  it('counts fields named by the platform as "other", whatever they are', () => {
    expect(rejectionFieldLabel('/ad-000123')).toBe('other');
    expect(rejectionFieldLabel('/__proto__')).toBe('other');
    expect(rejectionFieldLabel('/constructor')).toBe('other');
  });
});

describe('IngestMetrics.rejected', () => {
  it('adds no series per unknown property, however many platforms send', async () => {
    const registry = new Registry();
    const metrics = new IngestMetrics(registry);
    for (let i = 0; i < 1000; i++) metrics.rejected(`/unexpected-${i}`, 'http-batch');
    metrics.rejected('/title', 'http-batch');
    const [rejections] = (await registry.getMetricsAsJSON()).filter((m) => m.name === 'vigie_ingest_rejections_total');
    expect(rejections.values.map((v) => [v.labels.field, v.value])).toEqual([
      ['other', 1000],
      ['title', 1],
    ]);
  });
});
