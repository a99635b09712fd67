import { ApiError, api, session, type Identity } from './api.mjs';
import { renderCase } from './case.mjs';
import { renderBreaches, renderOpenCases } from './cases.mjs';
import type { Context } from './context.mjs';
import { renderDashboard } from './dashboard.mjs';
import { h, replace } from './dom.mjs';
import { language, setLanguage, t, type MessageKey } from './i18n.mjs';
import { renderQueue, renderReview } from './queue.mjs';
import { renderReports } from './reports.mjs';

const header = document.getElementById('top') as HTMLElement;
const main = document.getElementById('main') as HTMLElement;
let identity: Identity | null = null;
let timers: number[] = [];

const REPORT_ROLES = ['officer', 'regulator', 'admin'];
const REVIEW_ROLES = ['moderator', 'admin'];
const CASE_ROLES = ['platform', 'moderator', 'officer', 'regulator', 'admin'];

interface NavItem {
  hash: string;
  label: MessageKey;
  roles: string[];
}

const NAV: NavItem[] = [
  { hash: '#/dashboard', label: 'nav.dashboard', roles: REPORT_ROLES },
  { hash: '#/cases', label: 'nav.cases', roles: CASE_ROLES },
  { hash: '#/breaches', label: 'nav.breaches', roles: REPORT_ROLES },
  { hash: '#/queue', label: 'nav.queue', roles: REVIEW_ROLES },
  { hash: '#/reports', label: 'nav.reports', roles: REPORT_ROLES },
];

function homeFor(role: string): string {
  return REPORT_ROLES.includes(role) ? '#/dashboard' : REVIEW_ROLES.includes(role) ? '#/queue' : '#/cases';
}

function navigate(hash: string): void {
  if (location.hash === hash) void route();
  else location.hash = hash;
}

function renderHeader(current: string): void {
  const toggle = h('button', { type: 'button', lang: language() === 'en' ? 'fr' : 'en', 'data-testid': 'language' }, t('lang.toggle'));
  toggle.addEventListener('click', () => {
    setLanguage(language() === 'en' ? 'fr' : 'en');
    void route();
  });
  const signOut = h('button', { type: 'button' }, t('signout'));
  signOut.addEventListener('click', () => {
    session.clear();
    identity = null;
    navigate('#/signin');
  });
  replace(
    header,
    h('span', { class: 'brand' }, `Vigie · ${t('app.title')}`),
    h(
      'nav',
      { 'aria-label': 'main' },
      identity
        ? NAV.filter((item) => item.roles.includes(identity?.role ?? '')).map((item) =>
            h('a', { href: item.hash, 'aria-current': current.startsWith(item.hash) ? 'page' : null }, t(item.label)),
          )
        : null,
    ),
    identity ? h('span', { class: 'who', 'data-testid': 'who' }, `${identity.principalId} · ${identity.role}${identity.platformId ? ` · ${identity.platformId}` : ''}`) : null,
    toggle,
    identity ? signOut : null,
  );
}

function renderSignIn(message?: string): void {
  renderHeader('#/signin');
  const key = h('input', { id: 'api-key', name: 'apiKey', type: 'password', autocomplete: 'off', required: true });
  const form = h(
    'form',
    {},
    h('label', { for: 'api-key' }, t('signin.key'), key),
    h('button', { class: 'primary', type: 'submit' }, t('signin.submit')),
    h('p', {}, t('signin.help')),
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    session.set(key.value.trim());
    identity = null;
    void whoami().then((who) => (who ? navigate(homeFor(who.role)) : renderSignIn(t('signin.failed'))));
  });
  replace(main, h('div', { class: 'signin panel' }, h('h1', {}, t('signin.title')), form));
  key.focus();
}

async function whoami(): Promise<Identity | null> {
  if (!session.key()) return null;
  try {
    identity = await api<Identity>('ingest', '/auth/whoami');
    return identity;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      session.clear();
      return null;
    }
    throw error;
  }
}

async function route(): Promise<void> {
  for (const timer of timers) clearInterval(timer);
  timers = [];
  document.documentElement.lang = language();
  const [path, search] = (location.hash || '#/').split('?');
  const params = new URLSearchParams(search ?? '');
  if (path === '#/signin' || !(identity ?? (await whoami()))) return renderSignIn();
  const who = identity as Identity;
  renderHeader(path);
  const context: Context = { identity: who, main, navigate, timers };
  const caseMatch = /^#\/cases\/([^/]+)$/.exec(path);
  const reviewMatch = /^#\/queue\/([^/]+)$/.exec(path);
  try {
    if (path === '#/dashboard') await renderDashboard(context, params);
    else if (path === '#/cases') await renderOpenCases(context);
    else if (caseMatch) await renderCase(context, decodeURIComponent(caseMatch[1]));
    else if (path === '#/breaches') await renderBreaches(context, params);
    else if (reviewMatch) await renderReview(context, decodeURIComponent(reviewMatch[1]));
    else if (path === '#/queue') await renderQueue(context);
    else if (path === '#/reports') renderReports(context);
    else return navigate(homeFor(who.role));
    main.setAttribute('data-ready', path);
  } catch (error) {
    const detail = error instanceof ApiError ? `HTTP ${error.status}: ${error.message}` : (error as Error).message;
    replace(main, h('h1', {}, t('common.error')), h('p', { class: 'error', role: 'alert' }, detail));
    main.setAttribute('data-ready', 'error');
  }
}

window.addEventListener('hashchange', () => {
  main.removeAttribute('data-ready');
  void route();
});
void route();
