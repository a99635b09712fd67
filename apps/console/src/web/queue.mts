import { ApiError, api } from './api.mjs';
import { h, replace } from './dom.mjs';
import { formatInstant, t } from './i18n.mjs';
import { assessmentPanel, commandsTable, noticesTable, type CaseView } from './case.mjs';
import { caseLink, nearestDeadline, type CaseSummary } from './cases.mjs';
import type { Context } from './context.mjs';

const ACTIONS = ['remove', 'disable', 'restrict', 'no-action', 'insufficient'];
const GROUNDS = ['illegal', 'terms'];
const ACCOUNT_ACTIONS = ['none', 'suspend', 'terminate'];

type QueueItem = Omit<CaseSummary, 'status'> & { flagBand: string | null };

export async function renderQueue(context: Context): Promise<void> {
  replace(context.main, h('h1', {}, t('queue.title')), h('p', {}, t('common.loading')));
  const { cases } = await api<{ cases: QueueItem[] }>('nat', '/review/queue');
  const claim = async (caseId: string) => {
    await api('nat', `/review/cases/${caseId}/claim`, { method: 'POST' });
    context.navigate(`#/queue/${caseId}`);
  };
  const next = h('button', { class: 'primary', type: 'button' }, t('queue.next'));
  next.addEventListener('click', () =>
    void api<{ caseId: string } | null>('nat', '/review/next', { method: 'POST' }).then((claimed) => claimed?.caseId && context.navigate(`#/queue/${claimed.caseId}`)),
  );
  replace(
    context.main,
    h('h1', {}, t('queue.title')),
    h('div', { class: 'toolbar' }, cases.length > 0 ? next : null),
    cases.length === 0
      ? h('p', {}, t('queue.empty'))
      : h(
          'table',
          { 'data-testid': 'queue' },
          h('thead', {}, h('tr', {}, h('th', {}, t('cases.case')), h('th', {}, t('queue.priority')), h('th', {}, t('queue.origin')), h('th', {}, t('filters.category')), h('th', {}, t('cases.ad')), h('th', {}, t('cases.deadline')), h('th', {}, ''))),
          h(
            'tbody',
            {},
            cases.map((item) => {
              const button = h('button', { class: 'secondary', type: 'button', 'data-claim': item.caseId }, t('queue.claim'));
              button.addEventListener('click', () => void claim(item.caseId).catch((error: Error) => alert(error.message)));
              return h('tr', {}, h('td', {}, caseLink(item.caseId)), h('td', {}, item.priority), h('td', {}, item.origin, item.flagBand ? ` (${item.flagBand})` : ''), h('td', {}, item.category), h('td', {}, `${item.platformId} / ${item.platformAdId}`), h('td', { class: 'mono' }, formatInstant(nearestDeadline(item))), h('td', {}, button));
            }),
          ),
        ),
  );
}

function decisionForm(caseId: string, onDecided: (result: { commandId: string | null }) => void): HTMLFormElement {
  const select = (name: string, values: string[], optional: boolean) =>
    h('select', { name }, optional ? h('option', { value: '' }, t('common.default')) : null, ...values.map((value) => h('option', { value }, value)));
  const action = select('action', ACTIONS, false);
  const explanation = h('textarea', { name: 'explanation', required: true, minlength: 10, maxlength: 2000 });
  const ground = select('ground', GROUNDS, true);
  const legalReference = h('input', { name: 'legalReference', maxlength: 500 });
  const statementCategory = h('input', { name: 'statementCategory', placeholder: 'STATEMENT_CATEGORY_…' });
  const keywords = h('input', { name: 'keywords', placeholder: 'KEYWORD_…' });
  const accountAction = select('accountAction', ACCOUNT_ACTIONS, true);
  const territorialScope = h('input', { name: 'territorialScope', placeholder: 'FR, BE' });
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'panel', 'aria-label': t('queue.decide'), 'data-testid': 'decision-form' },
    h('h2', {}, t('queue.decide')),
    h('div', { class: 'grid2' },
      h('label', {}, t('queue.action'), action),
      h('label', {}, t('queue.ground'), ground),
      h('label', {}, t('queue.legalReference'), legalReference),
      h('label', {}, t('queue.accountAction'), accountAction),
      h('label', {}, t('queue.statementCategory'), statementCategory),
      h('label', {}, t('queue.keywords'), keywords),
      h('label', {}, t('queue.territorialScope'), territorialScope),
    ),
    h('label', {}, t('queue.explanation'), explanation),
    h('p', {}, h('button', { class: 'primary', type: 'submit' }, t('queue.submit'))),
    status,
  );
  const list = (value: string) => value.split(',').map((item) => item.trim()).filter(Boolean);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body: Record<string, unknown> = { action: action.value, explanation: explanation.value.trim() };
    if (ground.value) body.ground = ground.value;
    if (legalReference.value.trim()) body.legalReference = legalReference.value.trim();
    if (statementCategory.value.trim()) body.statementCategory = statementCategory.value.trim();
    if (list(keywords.value).length > 0) body.keywords = list(keywords.value);
    if (accountAction.value) body.accountAction = accountAction.value;
    if (list(territorialScope.value).length > 0) body.territorialScope = list(territorialScope.value);
    api<{ commandId: string | null }>('nat', `/review/cases/${caseId}/decision`, { method: 'POST', body }).then(
      (result) => {
        replace(status, h('p', { class: 'notice', 'data-testid': 'decision-result' }, t('queue.decided'), result.commandId ? ` ${t('queue.command')} ${result.commandId}` : ''));
        onDecided(result);
      },
      (error: Error) => {
        const details = error instanceof ApiError && typeof error.body === 'object' ? JSON.stringify(error.body) : '';
        replace(status, h('p', { class: 'error' }, `${error.message} ${details}`));
      },
    );
  });
  return form;
}

export async function renderReview(context: Context, caseId: string): Promise<void> {
  replace(context.main, h('h1', {}, t('queue.title')), h('p', {}, t('common.loading')));
  const view = await api<CaseView>('nat', `/cases/${encodeURIComponent(caseId)}`);
  const commands = h('div', {}, view.commands.length > 0 ? commandsTable(view) : null);
  const refreshCommands = async () => {
    const latest = await api<CaseView>('nat', `/cases/${encodeURIComponent(caseId)}`);
    replace(commands, latest.commands.length > 0 ? [h('h2', {}, t('case.commands')), commandsTable(latest)] : null);
  };
  replace(
    context.main,
    h('h1', {}, `${t('queue.decide')} — `, caseLink(caseId)),
    h('p', {}, `${view.platformId} / ${view.platformAdId} · ${view.category} · ${view.priority}`, view.url ? h('span', { class: 'mono' }, ` · ${view.url}`) : null),
    h('h2', {}, t('case.notices')),
    noticesTable(view),
    await assessmentPanel(view),
    view.status === 'open'
      ? decisionForm(caseId, () => {
          void refreshCommands();
          // Delivery to the platform happens in the background: follow it for a while.
          context.timers.push(window.setInterval(() => void refreshCommands(), 2000));
        })
      : null,
    commands,
  );
}
