import { at, logRecord } from '../test-support/log-records';
import {
  applyToCase,
  applyToNotice,
  applyToSubject,
  DEFAULT_PROJECTION_SETTINGS,
  deriveCase,
  emptyCase,
  emptyNotice,
  emptySubject,
  factTimeOf,
  keysOf,
  liveState,
  type LogRecord,
} from './case-projection';

const settings = DEFAULT_PROJECTION_SETTINGS;
const CASE = 'case-1';

function caseOf(records: LogRecord[]) {
  const doc = emptyCase(CASE, records[0]);
  for (const record of records) applyToCase(doc, record, settings);
  return doc;
}

describe('case projection: events → facts', () => {
  it('finds the cases and notices a record touches', () => {
    expect(keysOf(logRecord('notice.qualified', 0, { noticeId: 'n-1', caseIds: ['c-1', 'c-2'] }))).toEqual({ caseIds: ['c-1', 'c-2'], noticeIds: ['n-1'] });
    expect(keysOf(logRecord('ad.ingested', 0, { platformAdId: 'ad-1' }))).toEqual({ caseIds: [], noticeIds: [] });
  });

  it('takes the fact time from the event field of its type, else occurredAt', () => {
    expect(factTimeOf(logRecord('ad.removed', 5, { removedAt: at(4) }))).toBe(at(4));
    expect(factTimeOf(logRecord('takedown.requested', 5, {}))).toBe(at(5));
  });

  it('keeps the earliest publication, high/critical flags and removals of an ad', () => {
    const subject = emptySubject('acme:ad-1', 'acme');
    applyToSubject(subject, logRecord('ad.ingested', 1, { publishedAt: at(-3) }), settings);
    applyToSubject(subject, logRecord('ad.updated', 2, { publishedAt: at(-5) }), settings);
    applyToSubject(subject, logRecord('ad.scored', 3, { band: 'low' }), settings);
    applyToSubject(subject, logRecord('ad.scored', 4, { band: 'critical' }), settings);
    applyToSubject(subject, logRecord('ad.removed', 6, { removedAt: at(5.5), removedBy: 'platform' }), settings);
    expect(applyToSubject(subject, logRecord('case.opened', 7, {}), settings)).toBe(false);
    expect(subject).toMatchObject({ publishedAt: at(-5), firstFlagAt: at(4), criticalFlags: [{ at: at(4) }], removals: [{ at: at(5.5), by: 'platform' }] });
    // ad.updated changes facts but is not a timeline entry.
    expect(subject.events.map((e) => e.type)).toEqual(['ad.ingested', 'ad.scored', 'ad.scored', 'ad.removed']);
  });

  it('records a notice: receipt, source, trusted flagger, authority deadline, qualification', () => {
    const notice = emptyNotice('n-1', 'acme', 'acme:ad-1');
    applyToNotice(notice, logRecord('notice.received', 0, { noticeId: 'n-1', receivedAt: at(0), category: 'minors', sourceType: 'public', notifier: { trustedFlaggerId: 'FR-TF-1' }, authorityOrder: { deadline: at(2) } }), settings);
    applyToNotice(notice, logRecord('notice.qualified', 1, { noticeId: 'n-1', caseIds: ['c-1'] }), settings);
    expect(notice).toMatchObject({ receivedAt: at(0), category: 'minors', sourceType: 'public', trustedFlagger: true, authorityDeadline: at(2), qualified: true, caseIds: ['c-1'] });
    applyToNotice(notice, logRecord('notice.rejected', 2, { noticeId: 'n-1', reason: 'not illegal' }), settings);
    expect(notice).toMatchObject({ qualified: false, rejectionReason: 'not illegal' });
  });

  it('maps case events to clock facts', () => {
    const doc = caseOf([
      logRecord('case.opened', 0, { caseId: CASE, platformAdId: 'ad-1', openedAt: at(0), noticeId: 'n-1', noticeSourceType: 'trusted-flagger', noticeReceivedAt: at(-0.5), publishedAt: at(-9), category: 'trafficking', policyVersion: 'v1' }),
      logRecord('case.knowledge-established', 0.1, { caseId: CASE, knowledgeAt: at(-0.5), basis: 'notice-qualified', basisEventId: 'e-1' }),
      logRecord('case.decided', 3, { caseId: CASE, decisionId: 'd-2', decidedAt: at(3), action: 'remove', ground: 'illegal', automatedDetection: true, automatedDecision: 'partially', accountAction: 'suspend' }),
      logRecord('case.decided', 2, { caseId: CASE, decisionId: 'd-1', decidedAt: at(2), action: 'remove', ground: 'terms' }),
      logRecord('notifier.informed', 4, { caseId: CASE, noticeId: 'n-2', informedAt: at(4) }),
      logRecord('takedown.requested', 5, { caseId: CASE }),
      logRecord('takedown.confirmed', 6, { caseId: CASE, confirmedAt: at(6), action: 'remove' }),
      logRecord('takedown.confirmed', 7, { caseId: CASE, confirmedAt: at(7), action: 'reinstate' }),
      logRecord('takedown.verified', 8, { caseId: CASE, verifiedAt: at(8), probe: { outcome: 'gone' } }),
      logRecord('case.appeal-decided', 9, { caseId: CASE, appealId: 'a-1', outcome: 'upheld', decidedAt: at(9) }),
      logRecord('case.closed', 10, { caseId: CASE, closedAt: at(10), outcome: 'removed' }),
    ]);
    expect(doc).toMatchObject({
      openedAt: at(0),
      category: 'trafficking',
      policyVersion: 'v1',
      noticeIds: ['n-1', 'n-2'],
      noticeSourceType: 'trusted-flagger',
      noticeReceivedAt: at(-0.5),
      publishedAt: at(-9),
      knowledge: [{ at: at(-0.5), basis: 'notice-qualified', basisEventId: 'e-1' }],
      notifierInformedAt: at(4),
      takedownRequestedAt: at(5),
      confirmations: [{ at: at(6) }],
      verifiedAt: at(8),
      closedAt: at(10),
      outcome: 'removed',
      appeals: [{ appealId: 'a-1', appellant: 'unknown', outcome: 'upheld', decidedAt: at(9) }],
    });
    // Decisions sorted by decision time, whatever the log order.
    expect(doc.decisions.map((d) => d.decisionId)).toEqual(['d-1', 'd-2']);
    expect(doc.decisions[1]).toMatchObject({ automatedDetection: true, automatedDecision: 'partially', accountAction: 'suspend' });
    expect(doc.events).toHaveLength(11);
  });

  it('keeps both ends of a resume whose pause is missing (partial import)', () => {
    const doc = caseOf([logRecord('case.clock-resumed', 5, { caseId: CASE, pauseId: 'p-1', pausedAt: at(2), resumedAt: at(5), slas: ['removal'] })]);
    expect(doc.pauses).toEqual([{ pauseId: 'p-1', startAt: at(2), endAt: at(5), reason: 'unknown', slas: ['removal'] }]);
  });
});

describe('case projection: facts → row and SLA states', () => {
  const opened = logRecord('case.opened', 0, { caseId: CASE, platformAdId: 'ad-1', openedAt: at(0), noticeId: 'n-1', noticeSourceType: 'public', noticeReceivedAt: at(0), category: 'pimping' });
  const knowledge = logRecord('case.knowledge-established', 0.2, { caseId: CASE, knowledgeAt: at(0), basis: 'notice-qualified', basisEventId: null });

  it('derives met and breached states, knowledge and removal from the subject stream', () => {
    const subject = emptySubject('acme:ad-1', 'acme');
    applyToSubject(subject, logRecord('ad.removed', 2, { removedAt: at(2) }), settings);
    const derived = deriveCase(caseOf([opened, knowledge, logRecord('notifier.informed', 30, { caseId: CASE, informedAt: at(30) })]), subject, [], settings);
    expect(derived.row).toMatchObject({ knowledge_at: at(0), knowledge_basis: 'notice-qualified', removed_at: at(2), source_type: 'public', category: 'pimping', policy_applied: settings.defaultPolicy.version });
    expect(derived.sla.removal).toMatchObject({ final_state: 'met', deadline: at(24), elapsed_ms: 2 * 3_600_000 });
    expect(derived.sla.response).toMatchObject({ final_state: 'breached', ended_at: at(30) });
  });

  it('runs the knowledge clock provisionally from receipt until the notice is qualified', () => {
    const derived = deriveCase(caseOf([opened]), null, [], settings);
    expect(derived.row).toMatchObject({ knowledge_at: at(0), knowledge_provisional: true, knowledge_basis: 'provisional' });
  });

  it('gives live states open, at-risk, open-breached and paused', () => {
    const open = deriveCase(caseOf([opened, knowledge]), null, [], settings).sla.removal;
    expect(liveState(open, Date.parse(at(1)))).toBe('open');
    expect(liveState(open, Date.parse(at(13)))).toBe('at-risk');
    expect(liveState(open, Date.parse(at(25)))).toBe('open-breached');
    const paused = deriveCase(caseOf([opened, knowledge, logRecord('case.clock-paused', 3, { caseId: CASE, pauseId: 'p', pausedAt: at(3), reason: 'force-majeure', slas: ['removal'] })]), null, [], settings).sla.removal;
    expect(liveState(paused, Date.parse(at(40)))).toBe('paused');
  });

  it('does not apply the removal SLA when the decision was to take no action', () => {
    const derived = deriveCase(caseOf([opened, knowledge, logRecord('case.decided', 1, { caseId: CASE, decisionId: 'd', decidedAt: at(1), action: 'no-action' })]), null, [], settings);
    expect(derived.sla.removal.applicable).toBe(false);
    expect(liveState(derived.sla.removal, Date.parse(at(40)))).toBeNull();
  });

  /** A notice of the case's ad received at `hours`, from `sourceType`, about `category`. */
  function noticeOf(id: string, hours: number, sourceType: string, category: string) {
    const notice = emptyNotice(id, 'acme', 'acme:ad-1');
    applyToNotice(notice, logRecord('notice.received', hours, { noticeId: id, receivedAt: at(hours), category, sourceType, notifier: null }), settings);
    applyToNotice(notice, logRecord('notice.qualified', hours + 0.1, { noticeId: id, caseIds: [CASE] }), settings);
    return notice;
  }

  it('takes source and category from the earliest notice, whatever order the notices come in', () => {
    // No case.opened: the case learns its source and category from its notices alone.
    const doc = caseOf([knowledge, logRecord('notice.qualified', 3, { noticeId: 'n-late', caseIds: [CASE] }), logRecord('notice.qualified', 1, { noticeId: 'n-early', caseIds: [CASE] })]);
    const late = noticeOf('n-late', 3, 'trusted-flagger', 'minors');
    const early = noticeOf('n-early', 1, 'public', 'pimping');
    const unknown = emptyNotice('n-unread', 'acme', 'acme:ad-1');
    unknown.caseIds.push(CASE);
    for (const notices of [[late, early, unknown], [unknown, early, late], [early, unknown, late]]) {
      expect(deriveCase(doc, null, notices, settings).row).toMatchObject({ source_type: 'public', category: 'pimping', notice_received_at: at(1), trusted_flagger: true });
    }
  });

  it('links a notice to its case without copying the notice\'s entries onto the case', () => {
    const doc = caseOf([opened, logRecord('notice.received', 0.5, { noticeId: 'n-2', receivedAt: at(0.5) }), logRecord('notice.qualified', 0.6, { noticeId: 'n-2', caseIds: [CASE] })]);
    expect(doc.noticeIds).toEqual(['n-1', 'n-2']);
    expect(doc.events.map((e) => e.type)).toEqual(['case.opened']);
  });

  it('dates a case that has no opening event from its earliest notice', () => {
    const doc = caseOf([knowledge, logRecord('notice.qualified', 2, { noticeId: 'n-early', caseIds: [CASE] })]);
    expect(deriveCase(doc, null, [noticeOf('n-early', -1, 'public', 'pimping')], settings).row.opened_at).toBe(at(-1));
  });

  it('flags an unknown policy version and a removal before knowledge', () => {
    const subject = emptySubject('acme:ad-1', 'acme');
    applyToSubject(subject, logRecord('ad.removed', 0.1, { removedAt: at(-1) }), settings);
    const unknown = logRecord('case.opened', 0, { caseId: CASE, platformAdId: 'ad-1', openedAt: at(0), noticeId: 'n-1', noticeSourceType: 'public', noticeReceivedAt: at(0), category: 'pimping', policyVersion: 'nope@1' });
    const derived = deriveCase(caseOf([unknown, knowledge]), subject, [], settings);
    const codes = (derived.row.anomalies as { code: string }[]).map((a) => a.code);
    expect(codes).toContain('unknown-policy-version');
    expect(codes.some((code) => code.includes('before'))).toBe(true);
  });
});
