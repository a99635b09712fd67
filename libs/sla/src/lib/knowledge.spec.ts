import fc from 'fast-check';
import { establishKnowledge, type KnowledgeFacts } from './knowledge';
import { DEFAULT_SLA_POLICY, type SlaPolicy } from './policy';

const NONE: KnowledgeFacts = { notices: [], authorityOrders: [], flagConfirmations: [], automatedCritical: [] };
const AUTOMATED_KNOWS: SlaPolicy = { ...DEFAULT_SLA_POLICY, automatedCriticalGivesKnowledge: true };

function facts(overrides: Partial<KnowledgeFacts>): KnowledgeFacts {
  return { ...NONE, ...overrides };
}

describe('establishKnowledge', () => {
  it('is null when nothing gives knowledge', () => {
    expect(establishKnowledge(NONE, DEFAULT_SLA_POLICY)).toBeNull();
    expect(establishKnowledge(facts({ notices: [{ noticeId: 'n1', receivedMs: 10, qualified: false }] }), DEFAULT_SLA_POLICY)).toBeNull();
  });

  it('dates a qualified notice back to its receipt', () => {
    expect(establishKnowledge(facts({ notices: [{ noticeId: 'n1', receivedMs: 10, qualified: true }] }), DEFAULT_SLA_POLICY)).toEqual({
      provisional: false,
      knowledgeAtMs: 10,
      basis: 'notice-qualified',
      sourceId: 'n1',
      policyVersion: 'sla-2026.11.1',
    });
  });

  it('takes the earliest of the facts that give knowledge', () => {
    const result = establishKnowledge(
      facts({
        notices: [
          { noticeId: 'n1', receivedMs: 50, qualified: true },
          { noticeId: 'n0', receivedMs: 5, qualified: false },
        ],
        authorityOrders: [{ receivedMs: 40, eventId: 'order-1' }],
        flagConfirmations: [{ confirmedMs: 30, eventId: 'confirm-1' }],
      }),
      DEFAULT_SLA_POLICY,
    );
    expect(result).toMatchObject({ knowledgeAtMs: 30, basis: 'flag-confirmed', sourceId: 'confirm-1' });
  });

  it('counts an automated critical detection only when the policy says so', () => {
    const withDetection = facts({ automatedCritical: [{ flaggedMs: 3 }], authorityOrders: [{ receivedMs: 9 }] });
    expect(establishKnowledge(withDetection, DEFAULT_SLA_POLICY)).toMatchObject({ knowledgeAtMs: 9, basis: 'authority-order', sourceId: null });
    expect(establishKnowledge(withDetection, AUTOMATED_KNOWS)).toMatchObject({ knowledgeAtMs: 3, basis: 'automated-critical' });
  });

  it('runs a provisional clock from the earliest unjudged notice while nothing else is known', () => {
    const unjudged = facts({
      notices: [
        { noticeId: 'n2', receivedMs: 20, qualified: null },
        { noticeId: 'n1', receivedMs: 15, qualified: null },
        { noticeId: 'n0', receivedMs: 5, qualified: false },
      ],
    });
    expect(establishKnowledge(unjudged, DEFAULT_SLA_POLICY)).toEqual({
      provisional: true,
      provisionalFromMs: 15,
      noticeId: 'n1',
      policyVersion: 'sla-2026.11.1',
    });
  });

  it('prefers established knowledge to a provisional clock, even a later one', () => {
    const result = establishKnowledge(
      facts({ notices: [{ noticeId: 'n1', receivedMs: 15, qualified: null }], flagConfirmations: [{ confirmedMs: 40 }] }),
      DEFAULT_SLA_POLICY,
    );
    expect(result).toMatchObject({ provisional: false, knowledgeAtMs: 40, basis: 'flag-confirmed' });
  });

  it('breaks ties by basis: authority order, qualified notice, confirmed flag, automated detection', () => {
    const result = establishKnowledge(
      facts({
        automatedCritical: [{ flaggedMs: 7 }],
        flagConfirmations: [{ confirmedMs: 7 }],
        notices: [{ noticeId: 'n', receivedMs: 7, qualified: true }],
        authorityOrders: [{ receivedMs: 7, eventId: 'o' }],
      }),
      AUTOMATED_KNOWS,
    );
    expect(result).toMatchObject({ knowledgeAtMs: 7, basis: 'authority-order', sourceId: 'o' });
  });

  describe('properties', () => {
    const time = fc.integer({ min: 0, max: 1_000 });
    const id = fc.stringMatching(/^[a-z]{1,3}$/);
    const factsArb: fc.Arbitrary<KnowledgeFacts> = fc.record({
      notices: fc.array(fc.record({ noticeId: id, receivedMs: time, qualified: fc.constantFrom(true, false, null) }), { maxLength: 5 }),
      authorityOrders: fc.array(fc.record({ receivedMs: time, eventId: id }, { requiredKeys: ['receivedMs'] }), { maxLength: 3 }),
      flagConfirmations: fc.array(fc.record({ confirmedMs: time, eventId: id }, { requiredKeys: ['confirmedMs'] }), { maxLength: 3 }),
      automatedCritical: fc.array(fc.record({ flaggedMs: time, eventId: id }, { requiredKeys: ['flaggedMs'] }), { maxLength: 3 }),
    });
    const policyArb = fc.constantFrom(DEFAULT_SLA_POLICY, AUTOMATED_KNOWS);

    it('does not depend on the order of the facts', () => {
      fc.assert(
        fc.property(factsArb, policyArb, (known, policy) => {
          const reversed: KnowledgeFacts = {
            notices: [...known.notices].reverse(),
            authorityOrders: [...known.authorityOrders].reverse(),
            flagConfirmations: [...known.flagConfirmations].reverse(),
            automatedCritical: [...known.automatedCritical].reverse(),
          };
          expect(establishKnowledge(reversed, policy)).toEqual(establishKnowledge(known, policy));
        }),
      );
    });

    it('is no later than any fact that gives knowledge, and is one of them', () => {
      fc.assert(
        fc.property(factsArb, policyArb, (known, policy) => {
          const times = [
            ...known.notices.filter((notice) => notice.qualified === true).map((notice) => notice.receivedMs),
            ...known.authorityOrders.map((order) => order.receivedMs),
            ...known.flagConfirmations.map((confirmation) => confirmation.confirmedMs),
            ...(policy.automatedCriticalGivesKnowledge ? known.automatedCritical.map((detection) => detection.flaggedMs) : []),
          ];
          const result = establishKnowledge(known, policy);
          if (times.length > 0) {
            expect(result).toMatchObject({ provisional: false, knowledgeAtMs: Math.min(...times) });
          } else if (known.notices.some((notice) => notice.qualified === null)) {
            const unjudged = known.notices.filter((notice) => notice.qualified === null).map((notice) => notice.receivedMs);
            expect(result).toMatchObject({ provisional: true, provisionalFromMs: Math.min(...unjudged) });
          } else {
            expect(result).toBeNull();
          }
        }),
      );
    });

    it('only moves earlier when a notice is qualified', () => {
      fc.assert(
        fc.property(factsArb, policyArb, fc.nat(), (known, policy, pick) => {
          const before = establishKnowledge(known, policy);
          if (known.notices.length === 0 || before === null || before.provisional) return;
          const index = pick % known.notices.length;
          const notices = known.notices.map((notice, i) => (i === index ? { ...notice, qualified: true } : notice));
          const after = establishKnowledge({ ...known, notices }, policy);
          expect(after).toMatchObject({ provisional: false });
          expect((after as { knowledgeAtMs: number }).knowledgeAtMs).toBeLessThanOrEqual(before.knowledgeAtMs);
        }),
      );
    });
  });
});
