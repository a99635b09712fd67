import { Registry } from 'prom-client';
import { DecisionMetrics } from './decision-metrics';

describe('DecisionMetrics', () => {
  it('observes time to first decision from the clock start, by origin and decider', async () => {
    const registry = new Registry();
    const metrics = new DecisionMetrics(registry);
    const decidedAt = new Date('2026-11-23T12:00:00.000Z');
    const base = { origin: 'notice' as const, knowledge_at: null, notice_received_at: null, first_flag_at: null, opened_at: new Date('2026-11-23T11:00:00.000Z') };
    // Knowledge wins over the notice's receipt, which wins over the opening.
    metrics.firstDecision({ ...base, knowledge_at: new Date('2026-11-23T11:50:00.000Z'), notice_received_at: new Date('2026-11-23T11:00:00.000Z') }, 'moderator', decidedAt);
    metrics.firstDecision({ ...base, notice_received_at: new Date('2026-11-23T11:30:00.000Z') }, 'moderator', decidedAt);
    metrics.firstDecision({ ...base, origin: 'automated-flag', first_flag_at: decidedAt }, 'system', decidedAt);
    const text = await registry.metrics();
    expect(text).toContain('vigie_nat_time_to_decision_seconds_sum{origin="notice",decided_by="moderator"} 2400');
    expect(text).toContain('vigie_nat_time_to_decision_seconds_count{origin="notice",decided_by="moderator"} 2');
    expect(text).toContain('vigie_nat_time_to_decision_seconds_bucket{le="900",origin="notice",decided_by="moderator"} 1');
    expect(text).toContain('vigie_nat_time_to_decision_seconds_sum{origin="automated-flag",decided_by="system"} 0');
  });
});
