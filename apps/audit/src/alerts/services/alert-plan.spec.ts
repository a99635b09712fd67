import { applyToCase, deriveCase, DEFAULT_PROJECTION_SETTINGS, emptyCase, type LogRecord } from '../../projections/services/case-projection';
import { at, logRecord } from '../../projections/test-support/log-records';
import { planAlerts, pausesOf } from './alert-plan';

const CASE = 'case-1';

function derive(records: LogRecord[]) {
  const doc = emptyCase(CASE, records[0]);
  for (const record of records) applyToCase(doc, record, DEFAULT_PROJECTION_SETTINGS);
  return deriveCase(doc, null, [], DEFAULT_PROJECTION_SETTINGS);
}

/** A notice received at T0 about a pimping ad, qualified (knowledge retroactive to T0). */
const opened = () => [
  logRecord('case.opened', 0, { caseId: CASE, platformAdId: 'ad-1', openedAt: at(0), noticeId: 'n-1', noticeSourceType: 'public', noticeReceivedAt: at(0), category: 'pimping' }),
  logRecord('case.knowledge-established', 0.2, { caseId: CASE, knowledgeAt: at(0), basis: 'notice-qualified', basisEventId: null }),
];

const byKind = (kind: string, plan: ReturnType<typeof planAlerts>) => plan.filter((alert) => alert.kind === kind).map(({ threshold, dueAt }) => [threshold, dueAt]);

describe('planAlerts', () => {
  it('plans each warning share and the breach of both SLAs of an open case (24 h HCE targets)', () => {
    const plan = planAlerts(derive(opened()));
    const expected = [
      ['0.5', at(12)],
      ['0.75', at(18)],
      ['0.9', at(21.6)],
      ['breached', new Date(Date.parse(at(24)) + 1).toISOString()],
    ];
    expect(byKind('response', plan)).toEqual(expected);
    expect(byKind('removal', plan)).toEqual(expected);
    expect(plan.every((alert) => alert.caseId === CASE)).toBe(true);
  });

  it('pushes the alerts of the paused SLA only, by the length of a closed pause', () => {
    const plan = planAlerts(
      derive([
        ...opened(),
        logRecord('case.clock-paused', 2, { caseId: CASE, pauseId: 'p-1', pausedAt: at(2), reason: 'clarification-requested', slas: ['removal'] }),
        logRecord('case.clock-resumed', 4, { caseId: CASE, pauseId: 'p-1', pausedAt: at(2), resumedAt: at(4), slas: ['removal'] }),
      ]),
    );
    expect(byKind('removal', plan)).toEqual([
      ['0.5', at(14)],
      ['0.75', at(20)],
      ['0.9', at(23.6)],
      ['breached', new Date(Date.parse(at(26)) + 1).toISOString()],
    ]);
    expect(byKind('response', plan).at(-1)).toEqual(['breached', new Date(Date.parse(at(24)) + 1).toISOString()]);
  });

  it('plans nothing for an SLA while its clock is paused before the deadline', () => {
    const derived = derive([...opened(), logRecord('case.clock-paused', 2, { caseId: CASE, pauseId: 'p-1', pausedAt: at(2), reason: 'force-majeure', slas: ['removal'] })]);
    expect(byKind('removal', planAlerts(derived))).toEqual([]);
    expect(pausesOf(derived.row.facts as never, 'removal')).toEqual([{ startMs: Date.parse(at(2)), endMs: null }]);
    expect(pausesOf(derived.row.facts as never, 'response')).toEqual([]);
  });

  it('still plans the breach when a pause starts after the deadline has passed', () => {
    const plan = planAlerts(derive([...opened(), logRecord('case.clock-paused', 30, { caseId: CASE, pauseId: 'p-2', pausedAt: at(30), reason: 'force-majeure', slas: ['removal'] })]));
    expect(byKind('removal', plan)).toEqual([['breached', new Date(Date.parse(at(24)) + 1).toISOString()]]);
  });

  it('plans `met` at the end of an SLA met in time and `breached` for one ended late', () => {
    const plan = planAlerts(
      derive([
        ...opened(),
        logRecord('takedown.confirmed', 3, { caseId: CASE, confirmedAt: at(3), action: 'remove' }),
        logRecord('notifier.informed', 30, { caseId: CASE, noticeId: 'n-1', informedAt: at(30) }),
      ]),
    );
    expect(byKind('removal', plan)).toEqual([['met', at(3)]]);
    expect(byKind('response', plan)).toEqual([['breached', new Date(Date.parse(at(24)) + 1).toISOString()]]);
  });

  it('plans nothing for a case without a notice nor knowledge', () => {
    const plan = planAlerts(derive([logRecord('case.opened', 0, { caseId: CASE, platformAdId: 'ad-1', openedAt: at(0), noticeId: null, noticeSourceType: null, noticeReceivedAt: null, category: 'pimping' })]));
    expect(plan).toEqual([]);
  });

  it('is pure: the same facts give the same plan', () => {
    expect(planAlerts(derive(opened()))).toEqual(planAlerts(derive(opened())));
  });
});
