import fc from 'fast-check';
import { CLOCK_ANOMALY_CODES, detectClockAnomalies, type ClockFacts } from './anomalies';

const T0 = Date.UTC(2026, 10, 23, 8);
const MIN = 60_000;
const BASE = { nowMs: T0 + 48 * 60 * MIN, maxSkewMs: 5 * MIN };

const HEALTHY: ClockFacts = {
  ...BASE,
  publishedMs: T0 - 60 * MIN,
  noticeReceivedMs: T0,
  knowledgeMs: T0,
  decidedMs: T0 + 10 * MIN,
  notifierInformedMs: T0 + 11 * MIN,
  takedownRequestedMs: T0 + 11 * MIN,
  removedMs: T0 + 20 * MIN,
  verifiedMs: T0 + 25 * MIN,
  occurredMs: T0 + 25 * MIN,
  brokerMs: T0 + 25 * MIN + 30,
  recordedMs: T0 + 25 * MIN + 120,
  pauses: [{ startMs: T0 + MIN, endMs: T0 + 2 * MIN }],
};

describe('detectClockAnomalies', () => {
  it('finds nothing in a healthy case', () => {
    expect(detectClockAnomalies(HEALTHY)).toEqual([]);
    expect(detectClockAnomalies(BASE)).toEqual([]);
  });

  it.each<[string, Partial<ClockFacts>, string[]]>([
    ['removal before knowledge', { removedMs: T0 - MIN, verifiedMs: T0 }, ['removal-before-knowledge']],
    ['decision before the notice', { decidedMs: T0 - MIN, knowledgeMs: T0 - 2 * MIN }, ['decision-before-notice']],
    ['decision before knowledge', { decidedMs: T0 + MIN, knowledgeMs: T0 + 2 * MIN }, ['decision-before-knowledge']],
    ['notice before publication', { publishedMs: T0 + MIN, knowledgeMs: T0 + MIN }, ['notice-before-publication']],
    ['knowledge and removal before publication', { publishedMs: T0 + 30 * MIN, noticeReceivedMs: null }, ['knowledge-before-publication', 'removal-before-publication']],
    ['notifier informed before the decision', { notifierInformedMs: T0 + 5 * MIN }, ['notifier-informed-before-decision']],
    ['takedown before the decision', { takedownRequestedMs: T0 + 5 * MIN }, ['takedown-before-decision']],
    ['verification before removal', { verifiedMs: T0 + 15 * MIN }, ['verification-before-removal']],
    ['inverted pause', { pauses: [{ startMs: T0 + 2 * MIN, endMs: T0 + MIN }] }, ['pause-inverted']],
    ['overlapping pauses', { pauses: [{ startMs: T0, endMs: null }, { startMs: T0 + MIN, endMs: T0 + 2 * MIN }] }, ['pause-overlap']],
    ['broker far from business time', { brokerMs: T0 + 45 * MIN }, ['large-skew', 'large-skew']],
    ['invalid value', { removedMs: Number.NaN }, ['invalid-timestamp']],
  ])('flags %s', (_name, changes, codes) => {
    expect(detectClockAnomalies({ ...HEALTHY, ...changes }).map((anomaly) => anomaly.code)).toEqual(codes);
  });

  it('flags a timestamp beyond now plus the tolerance, naming the field', () => {
    const anomalies = detectClockAnomalies({ ...BASE, decidedMs: BASE.nowMs + 6 * MIN, removedMs: BASE.nowMs + 4 * MIN });
    expect(anomalies).toEqual([
      {
        code: 'future-timestamp',
        detail: 'decidedMs 2026-11-25T08:06:00.000Z is 6 min after now (2026-11-25T08:00:00.000Z)',
        fields: ['decidedMs'],
      },
    ]);
  });

  it('explains an ordering anomaly in words', () => {
    const [anomaly] = detectClockAnomalies({ ...BASE, knowledgeMs: T0 + 90 * MIN + 1500, removedMs: T0 });
    expect(anomaly).toEqual({
      code: 'removal-before-knowledge',
      detail: 'removedMs 2026-11-23T08:00:00.000Z is 1 h 30 min 1.5 s before knowledgeMs 2026-11-23T09:30:01.500Z',
      fields: ['knowledgeMs', 'removedMs'],
    });
  });

  it('is deterministic and uses only known codes', () => {
    const time = fc.option(fc.integer({ min: T0 - 1_000_000, max: T0 + 1_000_000 }), { nil: undefined });
    fc.assert(
      fc.property(
        fc.record({ publishedMs: time, noticeReceivedMs: time, knowledgeMs: time, decidedMs: time, removedMs: time, verifiedMs: time, occurredMs: time, recordedMs: time }),
        (partial) => {
          const anomalies = detectClockAnomalies({ ...BASE, nowMs: T0, ...partial });
          for (const anomaly of anomalies) expect(CLOCK_ANOMALY_CODES).toContain(anomaly.code);
          expect(detectClockAnomalies({ ...BASE, nowMs: T0, ...partial })).toEqual(anomalies);
        },
      ),
    );
  });
});
