import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { SlaMetrics } from './sla-metrics';

describe('SlaMetrics', () => {
  function setUp(rows: unknown[]) {
    const registry = new Registry();
    const queries: string[] = [];
    const dataSource = {
      query: async (sql: string) => {
        queries.push(sql);
        return rows;
      },
    } as unknown as DataSource;
    return { registry, queries, metrics: new SlaMetrics(registry, dataSource) };
  }

  it('exports cases per platform, SLA and live state, read when scraped and cached briefly', async () => {
    const { registry, queries } = setUp([
      { platform: 'acme', 'removal:at-risk': 3, 'response:open-breached': '1', 'response:open': 0 },
      { platform: 'beta', 'response:met': 2 },
    ]);
    const text = await registry.metrics();
    expect(text).toContain('vigie_audit_sla_cases{platform="acme",sla="removal",state="at-risk"} 3');
    expect(text).toContain('vigie_audit_sla_cases{platform="acme",sla="response",state="open-breached"} 1');
    expect(text).toContain('vigie_audit_sla_cases{platform="beta",sla="response",state="met"} 2');
    // States without cases are not exported.
    expect(text).not.toContain('state="open"}');
    // Both SLAs in one pass, with the report's own per-state predicates.
    expect(queries).toHaveLength(1);
    expect(queries[0]).toContain('"removal:at-risk"');
    expect(queries[0]).toContain('"response:paused"');
    expect(queries[0]).toContain('GROUP BY tenant');
    await registry.metrics();
    expect(queries).toHaveLength(1);
  });

  it('reads again after the cache expires and drops states that no longer have cases', async () => {
    const { metrics, queries } = setUp([{ platform: 'acme', 'removal:open': 2 }]);
    const now = Date.now();
    await metrics.caseCounts(now);
    await metrics.caseCounts(now + 5_000);
    expect(queries).toHaveLength(1);
    await metrics.caseCounts(now + 10_000);
    expect(queries).toHaveLength(2);
  });

  it('exports nothing rather than failing the scrape when the database does not answer', async () => {
    const registry = new Registry();
    const metrics = new SlaMetrics(registry, { query: () => Promise.reject(new Error('down')) } as unknown as DataSource);
    await expect(metrics.caseCounts()).resolves.toEqual([]);
    expect(await registry.metrics()).not.toContain('vigie_audit_sla_cases{');
  });

  it('counts the alerts sent by SLA and kind', async () => {
    const { registry, metrics } = setUp([]);
    metrics.alertsSent([
      { sla: 'removal', alert: 'breached' },
      { sla: 'removal', alert: 'breached' },
      { sla: 'response', alert: 'at-risk' },
    ]);
    const text = await registry.metrics();
    expect(text).toContain('vigie_audit_sla_alerts_total{sla="removal",alert="breached"} 2');
    expect(text).toContain('vigie_audit_sla_alerts_total{sla="response",alert="at-risk"} 1');
  });
});
