import { download, query, type Service } from './api.mjs';
import { h, replace } from './dom.mjs';
import { t, type MessageKey } from './i18n.mjs';
import type { Context } from './context.mjs';

interface ReportLink {
  title: MessageKey;
  service: Service;
  path: string;
  name: string;
  formats: ('json' | 'csv')[];
}

const REPORTS: ReportLink[] = [
  { title: 'reports.sla', service: 'audit', path: '/reports/sla', name: 'sla-report', formats: ['json', 'csv'] },
  { title: 'reports.transparency', service: 'audit', path: '/reports/transparency', name: 'transparency-report', formats: ['json', 'csv'] },
  { title: 'reports.sor', service: 'audit', path: '/exports/statements-of-reasons', name: 'statements-of-reasons', formats: ['json'] },
];

export function renderReports(context: Context): void {
  const bound = context.identity.role === 'officer' ? context.identity.platformId : null;
  const platform = h('input', { name: 'platformId', value: bound ?? '', disabled: bound !== null, placeholder: t('filters.all') });
  const from = h('input', { name: 'from', type: 'date' });
  const to = h('input', { name: 'to', type: 'date' });
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const fetchReport = (report: ReportLink, format: 'json' | 'csv') => {
    const params = { platformId: bound ?? platform.value.trim(), from: from.value, to: to.value, format: format === 'csv' ? 'csv' : null };
    const suffix = [params.platformId, params.from, params.to].filter(Boolean).join('_');
    download(report.service, `${report.path}${query(params)}`, `${report.name}${suffix ? `_${suffix}` : ''}.${format}`, format === 'csv' ? 'text/csv' : 'application/json').catch(
      (error: Error) => replace(status, h('p', { class: 'error' }, error.message)),
    );
  };
  replace(
    context.main,
    h('h1', {}, t('reports.title')),
    h('form', { class: 'filters', onsubmit: (event: Event) => event.preventDefault() }, h('label', {}, t('filters.platform'), platform), h('label', {}, t('filters.from'), from), h('label', {}, t('filters.to'), to)),
    REPORTS.map((report) =>
      h(
        'div',
        { class: 'panel' },
        h('h2', {}, t(report.title)),
        report.formats.map((format) => {
          const button = h('button', { class: format === 'json' ? 'primary' : 'secondary', type: 'button', 'data-download': `${report.name}.${format}` }, t(format === 'json' ? 'reports.json' : 'reports.csv'));
          button.addEventListener('click', () => fetchReport(report, format));
          return [button, ' '];
        }),
      ),
    ),
    status,
  );
}
