import { api, query } from './api.mjs';
import { h, replace } from './dom.mjs';
import { formatCountdown, formatDuration, formatInstant, t } from './i18n.mjs';
import { filterForm, filtersFromHash } from './dashboard.mjs';
import type { SlaReport } from './reports-model.mjs';
import type { Context } from './context.mjs';

export interface CaseSummary {
  caseId: string;
  platformId: string;
  platformAdId: string;
  category: string;
  origin: string;
  priority: string;
  status: string;
  openedAt: string;
  responseDeadline: string | null;
  removalDeadline: string | null;
}

/** The deadline that runs out first: what a compliance officer must watch. */
export function nearestDeadline(summary: Pick<CaseSummary, 'responseDeadline' | 'removalDeadline'>): string | null {
  const deadlines = [summary.responseDeadline, summary.removalDeadline].filter((d): d is string => d !== null);
  return deadlines.sort()[0] ?? null;
}

export function caseLink(caseId: string): HTMLAnchorElement {
  return h('a', { href: `#/cases/${caseId}`, class: 'mono' }, caseId.slice(0, 8) + '…' + caseId.slice(-4));
}

export async function renderOpenCases(context: Context): Promise<void> {
  replace(context.main, h('h1', {}, t('cases.title')), h('p', {}, t('common.loading')));
  const { cases } = await api<{ cases: CaseSummary[] }>('nat', `/cases${query({ status: 'open', limit: 500 })}`);
  const rows = cases
    .map((summary) => ({ summary, deadline: nearestDeadline(summary) }))
    .sort((a, b) => (a.deadline ?? '9999').localeCompare(b.deadline ?? '9999'));
  const countdowns: { cell: HTMLElement; deadline: string }[] = [];
  const table = h(
    'table',
    { 'data-testid': 'open-cases' },
    h('thead', {}, h('tr', {}, h('th', {}, t('cases.remaining')), h('th', {}, t('cases.deadline')), h('th', {}, t('cases.case')), h('th', {}, t('filters.platform')), h('th', {}, t('cases.ad')), h('th', {}, t('filters.category')), h('th', {}, t('queue.priority')))),
    h(
      'tbody',
      {},
      rows.map(({ summary, deadline }) => {
        const cell = h('td', { class: 'num', 'data-deadline': deadline ?? '' }, '—');
        if (deadline) countdowns.push({ cell, deadline });
        return h('tr', {}, cell, h('td', { class: 'mono' }, formatInstant(deadline)), h('td', {}, caseLink(summary.caseId)), h('td', {}, summary.platformId), h('td', {}, summary.platformAdId), h('td', {}, summary.category), h('td', {}, summary.priority));
      }),
    ),
  );
  const tick = () => {
    const now = Date.now();
    for (const { cell, deadline } of countdowns) {
      const remaining = Date.parse(deadline) - now;
      cell.textContent = remaining < 0 ? `${formatCountdown(-remaining)} ${t('cases.overdue')}` : formatCountdown(remaining);
      cell.className = `num ${remaining < 0 ? 'bad' : remaining < 3_600_000 ? 'warn' : ''}`;
    }
  };
  tick();
  context.timers.push(window.setInterval(tick, 1000));
  replace(context.main, h('h1', {}, t('cases.title')), rows.length === 0 ? h('p', {}, t('cases.none')) : table);
}

export async function renderBreaches(context: Context, params: URLSearchParams): Promise<void> {
  const filters = filtersFromHash(params);
  const list = h('div', {}, t('common.loading'));
  replace(context.main, h('h1', {}, t('breaches.title')), filterForm(context, filters, (next) => context.navigate(`#/breaches${query({ ...next })}`)), list);
  const report = await api<SlaReport>('audit', `/reports/sla${query({ ...filters, limit: 1000 })}`);
  if (report.breaches.length === 0) return replace(list, h('p', {}, t('breaches.none')));
  replace(
    list,
    h(
      'table',
      { 'data-testid': 'breaches' },
      h('thead', {}, h('tr', {}, h('th', {}, t('cases.case')), h('th', {}, t('breaches.sla')), h('th', {}, t('cases.status')), h('th', {}, t('filters.platform')), h('th', {}, t('filters.category')), h('th', {}, t('filters.source')), h('th', {}, t('breaches.started')), h('th', {}, t('cases.deadline')), h('th', {}, t('breaches.ended')), h('th', { class: 'num' }, 'Δ'))),
      h(
        'tbody',
        {},
        report.breaches.map((breach) =>
          h('tr', {}, h('td', {}, caseLink(breach.caseId)), h('td', {}, breach.sla), h('td', {}, h('span', { class: 'badge bad' }, breach.state)), h('td', {}, breach.platformId), h('td', {}, breach.category), h('td', {}, breach.source), h('td', { class: 'mono' }, formatInstant(breach.startedAt)), h('td', { class: 'mono' }, formatInstant(breach.deadline)), h('td', { class: 'mono' }, formatInstant(breach.endedAt)), h('td', { class: 'num' }, formatDuration(breach.elapsedMs))),
        ),
      ),
    ),
  );
}
