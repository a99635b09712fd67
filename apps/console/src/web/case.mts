import { ApiError, api, download } from './api.mjs';
import { h, replace, s } from './dom.mjs';
import { formatDuration, formatInstant, t, type MessageKey } from './i18n.mjs';
import type { CaseSummary } from './cases.mjs';
import type { Context } from './context.mjs';

export interface CaseView extends CaseSummary {
  url: string | null;
  action: string | null;
  claimedBy: string | null;
  clock: Record<string, string | null>;
  sla: { response: unknown; removal: unknown; internalRemovalDeadline: string | null; authorityDeadline: string | null };
  notices: { noticeId: string; receivedAt: string; sourceType: string; category: string; status: string }[];
  decisions: { decisionId: string; decidedAt: string; action: string; explanation: string; decidedBy: { kind: string; id: string } }[];
  flag: { band: string; score: number; indicators: string[] | null } | null;
  commands: { commandId: string; kind: string; action: string; delivery: string; status: string; attempts: number; requestedAt: string; deliveredAt: string | null; confirmedAt: string | null; verifiedAt: string | null; lastError: string | null }[];
}

interface TimelineEntry {
  eventId: string;
  type: string;
  at: string;
  occurredAt: string;
  source: string;
  kind: 'fact' | 'marker';
  label: string;
}

interface CaseTimeline {
  entries: TimelineEntry[];
  chain: { status: 'verified' | 'broken' | 'unknown'; records: number; findings: { kind: string; detail: string }[] };
  knowledge: { at: string | null; basis: string | null; provisional: boolean };
}

interface Assessment {
  score: number;
  band: string;
  indicators: { code: string; strength: string; weight: number; spans: { field: string; start: number; end: number; excerpt: string }[] }[];
}

/** The stages drawn on the timeline, in the order a case goes through them. */
export const STAGES = ['publishedAt', 'firstFlagAt', 'noticeReceivedAt', 'knowledgeAt', 'decidedAt', 'takedownRequestedAt', 'removedAt', 'verifiedAt'] as const;

function timelineChart(view: CaseView): SVGElement {
  const width = 1180;
  const height = 290;
  const axisY = 150;
  const points = STAGES.map((stage) => ({ stage, at: view.clock[stage] })).filter((point): point is { stage: (typeof STAGES)[number]; at: string } => typeof point.at === 'string');
  const deadline = view.removalDeadline;
  const instants = [...points.map((point) => Date.parse(point.at)), ...(deadline ? [Date.parse(deadline)] : []), ...(view.status === 'open' ? [Date.now()] : [])];
  const start = Math.min(...instants);
  const end = Math.max(start + 1000, ...instants);
  const x = (ms: number) => 40 + ((ms - start) / (end - start)) * (width - 100);
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': t('case.timeline'), 'data-testid': 'case-timeline' });
  svg.appendChild(s('line', { x1: 30, y1: axisY, x2: width - 30, y2: axisY, stroke: '#8a94a3', 'stroke-width': 2 }));
  if (deadline) {
    const dx = x(Date.parse(deadline));
    svg.appendChild(s('line', { x1: dx, y1: 22, x2: dx, y2: height - 10, stroke: '#b3261e', 'stroke-width': 2, 'stroke-dasharray': '6 4', 'data-testid': 'deadline-line' }));
    svg.appendChild(s('text', { x: dx - 4, y: 16, 'text-anchor': 'end', 'font-size': 12, fill: '#b3261e' }, `${t('case.deadline')} ${formatInstant(deadline)}`));
  }
  // Facts seconds apart sit on one spot of a 24 h axis: they share one label, a line per
  // stage, and successive labels alternate above and below the axis.
  const clusters: { x: number; points: typeof points }[] = [];
  for (const point of points) {
    const px = x(Date.parse(point.at));
    const last = clusters[clusters.length - 1];
    if (last && px - last.x < 120) last.points.push(point);
    else clusters.push({ x: px, points: [point] });
  }
  clusters.forEach((cluster, index) => {
    const above = index % 2 === 0;
    for (const point of cluster.points) {
      const late = deadline !== null && point.at > deadline;
      const circle = s('circle', { cx: x(Date.parse(point.at)), cy: axisY, r: 7, fill: late ? '#b3261e' : '#1f5fae', 'data-stage': point.stage });
      circle.appendChild(s('title', {}, `${t(`stage.${point.stage}` as MessageKey)} ${formatInstant(point.at)}`));
      svg.appendChild(circle);
    }
    const tip = axisY + (above ? -24 : 24);
    svg.appendChild(s('line', { x1: cluster.x, y1: axisY, x2: cluster.x, y2: tip, stroke: '#c3cbd6' }));
    const lines = cluster.points.map((point) => `${t(`stage.${point.stage}` as MessageKey)} ${point.at.slice(11, 23)}`);
    lines.forEach((line, lineIndex) => {
      const y = above ? tip - 6 - (lines.length - 1 - lineIndex) * 14 : tip + 14 + lineIndex * 14;
      svg.appendChild(s('text', { x: cluster.x + 4, y, 'font-size': 12, fill: '#1c2430' }, line));
    });
  });
  return svg;
}

/**
 * The automated assessment: scoring's indicators with their evidence spans highlighted, for
 * moderators, officers, regulators and admins (a key bound to a platform reads its own ads).
 * When scoring has none (or answers 403), the flag recorded on the case by
 * notice-and-takedown (band, score, indicator codes) stands in.
 */
export async function assessmentPanel(view: CaseView): Promise<HTMLElement> {
  let assessment: Assessment;
  try {
    assessment = await api<Assessment>('scoring', `/platforms/${encodeURIComponent(view.platformId)}/ads/${encodeURIComponent(view.platformAdId)}/assessment`);
  } catch (error) {
    if (!(error instanceof ApiError && (error.status === 404 || error.status === 403))) throw error;
    if (!view.flag) return h('div', { class: 'panel' }, h('h2', {}, t('case.assessment')), h('p', {}, t('case.noAssessment')));
    return h(
      'div',
      { class: 'panel', 'data-testid': 'assessment' },
      h('h2', {}, `${t('case.assessment')} — ${view.flag.band} (${Number(view.flag.score).toFixed(2)})`),
      h('p', {}, (view.flag.indicators ?? []).map((code) => [h('span', { class: 'badge warn' }, code), ' '])),
    );
  }
  return h(
    'div',
    { class: 'panel', 'data-testid': 'assessment' },
    h('h2', {}, `${t('case.assessment')} — ${assessment.band} (${Number(assessment.score).toFixed(2)})`),
    h(
      'ul',
      {},
      assessment.indicators.map((indicator) =>
        h(
          'li',
          {},
          h('strong', {}, indicator.code),
          ` (${indicator.strength}, ${Number(indicator.weight).toFixed(2)}) `,
          indicator.spans.map((span) => h('span', {}, ' ', h('mark', { title: `${span.field} ${span.start}–${span.end}` }, span.excerpt), h('small', {}, ` ${span.field} [${span.start}, ${span.end})`))),
        ),
      ),
    ),
  );
}

export function noticesTable(view: CaseView): HTMLElement {
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, h('th', {}, t('case.time')), h('th', {}, t('filters.source')), h('th', {}, t('filters.category')), h('th', {}, t('cases.status')))),
    h('tbody', {}, view.notices.map((notice) => h('tr', {}, h('td', { class: 'mono' }, formatInstant(notice.receivedAt)), h('td', {}, notice.sourceType), h('td', {}, notice.category), h('td', {}, notice.status)))),
  );
}

export function commandsTable(view: CaseView): HTMLElement {
  return h(
    'table',
    { 'data-testid': 'commands' },
    h('thead', {}, h('tr', {}, h('th', {}, t('queue.command')), h('th', {}, t('queue.action')), h('th', {}, t('queue.delivery')), h('th', {}, t('cases.status')), h('th', {}, t('case.time')))),
    h('tbody', {}, view.commands.map((command) => h('tr', {}, h('td', { class: 'mono' }, command.commandId), h('td', {}, command.action), h('td', {}, `${command.delivery} (${command.attempts})`), h('td', { 'data-testid': 'command-status' }, command.status), h('td', { class: 'mono' }, formatInstant(command.confirmedAt ?? command.deliveredAt ?? command.requestedAt))))),
  );
}

export async function renderCase(context: Context, caseId: string): Promise<void> {
  replace(context.main, h('h1', {}, `${t('case.title')} ${caseId}`), h('p', {}, t('common.loading')));
  let view: CaseView;
  try {
    view = await api<CaseView>('nat', `/cases/${encodeURIComponent(caseId)}`);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 403)) {
      return replace(context.main, h('h1', {}, t('case.title')), h('p', { class: 'error', 'data-testid': 'case-not-found' }, t('case.notFound')));
    }
    throw error;
  }
  let timeline: CaseTimeline | null = null;
  try {
    timeline = await api<CaseTimeline>('audit', `/cases/${encodeURIComponent(caseId)}/timeline`);
  } catch (error) {
    if (!(error instanceof ApiError && [403, 404].includes(error.status))) throw error;
  }
  const remaining = view.removalDeadline ? Date.parse(view.removalDeadline) - Date.parse(view.clock.removedAt ?? new Date().toISOString()) : null;
  const chain = timeline?.chain;
  const evidenceButton = h('button', { class: 'secondary', type: 'button' }, t('case.evidence'));
  evidenceButton.addEventListener('click', () => void download('audit', `/cases/${encodeURIComponent(caseId)}/evidence`, `evidence-${caseId}.json`).catch((error: Error) => alert(error.message)));
  replace(
    context.main,
    h('h1', {}, `${t('case.title')} `, h('span', { class: 'mono' }, caseId)),
    h(
      'div',
      { class: 'panel' },
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('filters.platform')), h('dd', {}, view.platformId),
        h('dt', {}, t('cases.ad')), h('dd', {}, view.platformAdId, view.url ? h('span', { class: 'mono' }, ` ${view.url}`) : null),
        h('dt', {}, t('filters.category')), h('dd', {}, view.category),
        h('dt', {}, t('cases.status')), h('dd', { 'data-testid': 'case-status' }, view.status, view.action ? ` — ${view.action}` : ''),
        h('dt', {}, t('cases.deadline')), h('dd', { class: 'mono' }, formatInstant(view.removalDeadline), remaining !== null ? ` (${formatDuration(remaining)})` : ''),
        h('dt', {}, t('case.chain')),
        h('dd', { 'data-testid': 'chain-status' }, chain ? h('span', { class: `badge ${chain.status === 'verified' ? 'ok' : chain.status === 'broken' ? 'bad' : 'warn'}` }, `${chain.status} (${chain.records})`) : '—'),
      ),
      h('p', {}, timeline ? evidenceButton : null),
    ),
    h('h2', {}, t('case.timeline')),
    h('div', { class: 'panel' }, timelineChart(view)),
    h('h2', {}, t('case.facts')),
    timeline
      ? h(
          'table',
          { 'data-testid': 'facts' },
          h('thead', {}, h('tr', {}, h('th', {}, t('case.time')), h('th', {}, t('case.fact')), h('th', {}, t('case.source')), h('th', {}, 'event'))),
          h('tbody', {}, timeline.entries.map((entry) => h('tr', {}, h('td', { class: 'mono' }, formatInstant(entry.at)), h('td', {}, entry.kind === 'marker' ? h('em', {}, entry.label) : entry.label), h('td', {}, entry.source), h('td', { class: 'mono' }, entry.type)))),
        )
      : h(
          'div',
          {},
          h('p', { class: 'notice' }, t('case.noAudit')),
          h('table', {}, h('tbody', {}, STAGES.filter((stage) => view.clock[stage]).map((stage) => h('tr', {}, h('td', { class: 'mono' }, formatInstant(view.clock[stage])), h('td', {}, t(`stage.${stage}` as MessageKey)), h('td', {}, 'notice-and-takedown'))))),
        ),
    h('h2', {}, t('case.notices')),
    noticesTable(view),
    view.commands.length > 0 ? [h('h2', {}, t('case.commands')), commandsTable(view)] : null,
    await assessmentPanel(view),
  );
}
