import { validateEvent } from '@vigie/contracts';
import { eventsForRow, HISTORY_IMPORT_SOURCE } from './moderation-log-events';
import { parseModerationLogRow, type ModerationLogRow } from './moderation-log-rows';

const NOW = Date.parse('2026-11-20T12:00:00Z');
function row(raw: Record<string, unknown>): ModerationLogRow {
  const result = parseModerationLogRow({ adId: 'ad-9', category: 'pimping', ...raw }, 1, 2, NOW);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}
const importedAt = new Date(NOW);

describe('eventsForRow', () => {
  const decidedAndRemoved = row({
    reference: 'T-1',
    noticeReceivedAt: '2026-10-01T08:00:00Z',
    noticeSource: 'trusted-flagger',
    decidedAt: '2026-10-02T12:00:00Z',
    decision: 'remove',
    removedAt: '2026-10-02T13:00:00Z',
  });

  it('stands for the case, knowledge, decision, answer, removal and closing, all valid contract events', () => {
    const events = eventsForRow('demo', decidedAndRemoved, importedAt);
    expect(events.map((event) => event.type)).toEqual([
      'case.opened',
      'case.knowledge-established',
      'case.decided',
      'notifier.informed',
      'takedown.confirmed',
      'case.closed',
    ]);
    for (const event of events) {
      expect(validateEvent(event)).toMatchObject({ ok: true });
      expect(event).toMatchObject({ source: HISTORY_IMPORT_SOURCE, tenant: 'demo', subject: 'demo:ad-9', occurredAt: importedAt.toISOString() });
      expect(event.correlationId).toBe((events[0].data as { caseId: string }).caseId);
    }
    expect(events[0].data).toMatchObject({ origin: 'notice', noticeReceivedAt: '2026-10-01T08:00:00.000Z', priority: 'high', openedAt: '2026-10-01T08:00:00.000Z' });
    expect(events[4].data).toMatchObject({ confirmedAt: '2026-10-02T13:00:00.000Z', action: 'remove', platformReference: 'T-1' });
  });

  it('gives the same ids when the same row is imported again, other ids for another row', () => {
    const ids = (r: ModerationLogRow) => eventsForRow('demo', r, importedAt).map((event) => event.id);
    expect(ids(decidedAndRemoved)).toEqual(eventsForRow('demo', decidedAndRemoved, new Date(NOW + 60_000)).map((event) => event.id));
    expect(ids(row({ reference: 'T-2', noticeReceivedAt: '2026-10-01T08:00:00Z' }))[0]).not.toBe(ids(decidedAndRemoved)[0]);
    expect(eventsForRow('other', decidedAndRemoved, importedAt)[0].id).not.toBe(ids(decidedAndRemoved)[0]);
  });

  it('leaves a removal decision without a known removal open, and closes a no-action decision', () => {
    const open = eventsForRow('demo', row({ noticeReceivedAt: '2026-10-01T08:00:00Z', decidedAt: '2026-10-01T09:00:00Z', decision: 'remove' }), importedAt);
    expect(open.map((event) => event.type)).not.toContain('case.closed');
    const noAction = eventsForRow('demo', row({ noticeReceivedAt: '2026-10-01T08:00:00Z', decidedAt: '2026-10-01T09:00:00Z', decision: 'no-action' }), importedAt);
    expect(noAction.at(-1)).toMatchObject({ type: 'case.closed', data: { outcome: 'no-action', finalAction: null } });
  });

  it('records a removal without a removal decision as the ad leaving the platform', () => {
    const events = eventsForRow('demo', row({ knowledgeAt: '2026-10-01T08:00:00Z', removedAt: '2026-10-01T10:00:00Z' }), importedAt);
    expect(events.map((event) => event.type)).toEqual(['case.opened', 'case.knowledge-established', 'ad.removed']);
    expect(events[0].data).toMatchObject({ origin: 'own-initiative', noticeId: null });
    expect(events[1].data).toMatchObject({ basis: 'flag-confirmed' });
    expect(events[2].data).toMatchObject({ channel: 'history-import', removedBy: 'platform-moderation' });
  });
});
