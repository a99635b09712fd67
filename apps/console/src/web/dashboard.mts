import { api, query } from './api.mjs';
import { h, replace, s } from './dom.mjs';
import { formatDuration, formatPercent, t, type MessageKey } from './i18n.mjs';
import { CATEGORIES, SOURCES, complianceRate, type SlaFilters, type SlaReport } from './reports-model.mjs';
import type { Context } from './context.mjs';

const DAY_MS = 86_400_000;
const TREND_DAYS = 14;

function card(testId: string, label: MessageKey, value: string, raw: number | null, sub?: string, tone?: string): HTMLElement {
  return h(
    'div',
    { class: 'card' },
    h('div', { class: 'label' }, t(label)),
    h('div', { class: `value ${tone ?? ''}`, 'data-testid': testId, 'data-value': raw === null ? 'null' : String(raw) }, value),
    sub ? h('div', { class: 'sub' }, sub) : null,
  );
}

function rateTone(rate: number | null): string {
  if (rate === null) return '';
  return rate >= 0.95 ? 'ok' : rate >= 0.8 ? 'warn' : 'bad';
}

export function filterForm(context: Context, filters: SlaFilters, onApply: (filters: SlaFilters) => void): HTMLFormElement {
  const bound = context.identity.role === 'officer' ? context.identity.platformId : null;
  const platform = h('input', { name: 'platformId', value: bound ?? filters.platformId, disabled: bound !== null, placeholder: t('filters.all') });
  const select = (name: string, values: string[], current: string) =>
    h('select', { name }, h('option', { value: '' }, t('filters.all')), ...values.map((value) => h('option', { value, selected: value === current }, value)));
  const category = select('category', CATEGORIES, filters.category);
  const source = select('source', SOURCES, filters.source);
  const form = h(
    'form',
    { class: 'filters', 'aria-label': 'filters' },
    h('label', {}, t('filters.platform'), platform),
    h('label', {}, t('filters.category'), category),
    h('label', {}, t('filters.source'), source),
    h('button', { class: 'primary', type: 'submit' }, t('filters.apply')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onApply({ platformId: bound ?? platform.value.trim(), category: category.value, source: source.value });
  });
  return form;
}

export function filtersFromHash(params: URLSearchParams): SlaFilters {
  return { platformId: params.get('platformId') ?? '', category: params.get('category') ?? '', source: params.get('source') ?? '' };
}

function trendChart(days: { day: string; report: SlaReport }[]): SVGElement {
  const width = 1180;
  const height = 220;
  const left = 40;
  const bottom = 30;
  const top = 14;
  const plotHeight = height - bottom - top;
  const max = Math.max(1, ...days.map(({ report }) => report.removal.met + report.removal.breached + report.removal.open));
  const slot = (width - left - 10) / days.length;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': t('dash.trend'), 'data-testid': 'trend-chart' });
  svg.appendChild(s('line', { x1: left, y1: top + plotHeight, x2: width - 10, y2: top + plotHeight, stroke: '#8a94a3' }));
  svg.appendChild(s('text', { x: left - 6, y: top + 10, 'text-anchor': 'end', 'font-size': 11, fill: '#5b6675' }, String(max)));
  svg.appendChild(s('text', { x: left - 6, y: top + plotHeight, 'text-anchor': 'end', 'font-size': 11, fill: '#5b6675' }, '0'));
  days.forEach(({ day, report }, index) => {
    const x = left + index * slot + slot * 0.2;
    const barWidth = slot * 0.6;
    let y = top + plotHeight;
    const segments: [number, string, string][] = [
      [report.removal.met, '#1d7a46', t('dash.met')],
      [report.removal.breached, '#b3261e', t('dash.breached')],
      [report.removal.open, '#9fb4cc', t('dash.open')],
    ];
    for (const [count, colour, label] of segments) {
      if (count === 0) continue;
      const barHeight = (count / max) * plotHeight;
      y -= barHeight;
      const rect = s('rect', { x, y, width: barWidth, height: barHeight, fill: colour });
      rect.appendChild(s('title', {}, `${day}: ${count} ${label}`));
      svg.appendChild(rect);
    }
    const rate = complianceRate(report.removal);
    if (rate !== null) svg.appendChild(s('text', { x: x + barWidth / 2, y: y - 4, 'text-anchor': 'middle', 'font-size': 10, fill: '#1c2430' }, formatPercent(rate)));
    svg.appendChild(s('text', { x: x + barWidth / 2, y: height - 10, 'text-anchor': 'middle', 'font-size': 11, fill: '#5b6675' }, day.slice(5)));
  });
  return svg;
}

export async function renderDashboard(context: Context, params: URLSearchParams): Promise<void> {
  const filters = filtersFromHash(params);
  const content = h('div', {}, t('common.loading'));
  replace(
    context.main,
    h('h1', {}, t('dash.title')),
    filterForm(context, filters, (next) => context.navigate(`#/dashboard${query({ ...next })}`)),
    content,
  );
  const base = { platformId: filters.platformId, category: filters.category, source: filters.source };
  const report = await api<SlaReport>('audit', `/reports/sla${query(base)}`);
  const removalRate = complianceRate(report.removal);
  const responseRate = complianceRate(report.response);
  const figures = h(
    'div',
    { class: 'cards' },
    card('removal-rate', 'dash.removalRate', formatPercent(removalRate), removalRate, `${report.removal.met} / ${report.removal.met + report.removal.breached} ${t('dash.metOf')}`, rateTone(removalRate)),
    card('response-rate', 'dash.responseRate', formatPercent(responseRate), responseRate, `${report.response.met} / ${report.response.met + report.response.breached} ${t('dash.metOf')}`, rateTone(responseRate)),
    card('breaches', 'dash.breaches', String(report.removal.breached + report.removal.openBreached + report.response.breached + report.response.openBreached),
      report.removal.breached + report.removal.openBreached + report.response.breached + report.response.openBreached, `${report.breachesTotal} · ${report.cases} ${t('dash.cases')}`, 'bad'),
    card('at-risk', 'dash.atRisk', String(report.removal.atRisk + report.response.atRisk), report.removal.atRisk + report.response.atRisk,
      `${report.removal.open + report.response.open} ${t('dash.open')}`, 'warn'),
    card('removal-median', 'dash.removalMedian', formatDuration(report.removal.timeTo.medianMs), report.removal.timeTo.medianMs),
    card('removal-p90', 'dash.removalP90', formatDuration(report.removal.timeTo.p90Ms), report.removal.timeTo.p90Ms),
    card('response-median', 'dash.responseMedian', formatDuration(report.response.timeTo.medianMs), report.response.timeTo.medianMs),
    card('response-p90', 'dash.responseP90', formatDuration(report.response.timeTo.p90Ms), report.response.timeTo.p90Ms),
  );
  const chart = h('div', { class: 'panel' }, t('common.loading'));
  replace(content, figures, h('h2', {}, t('dash.trend')), chart);
  // One report per day (the audit API aggregates a period), fetched together.
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const days = await Promise.all(
    Array.from({ length: TREND_DAYS }, (_, index) => {
      const start = today - (TREND_DAYS - 1 - index) * DAY_MS;
      const day = new Date(start).toISOString().slice(0, 10);
      const to = new Date(start + DAY_MS).toISOString().slice(0, 10);
      return api<SlaReport>('audit', `/reports/sla${query({ ...base, from: day, to, limit: 0 })}`).then((dayReport) => ({ day, report: dayReport }));
    }),
  );
  replace(chart, trendChart(days));
}
