/** English and French strings; the language choice is kept in localStorage. */
const en = {
  'app.title': 'Compliance console',
  'nav.dashboard': 'SLA dashboard',
  'nav.cases': 'Open cases',
  'nav.breaches': 'Breaches',
  'nav.queue': 'Review queue',
  'nav.reports': 'Reports',
  'signin.title': 'Sign in',
  'signin.key': 'API key',
  'signin.submit': 'Sign in',
  'signin.help': 'Your key stays in this browser tab only (session storage) and is sent to Vigie with every request.',
  'signin.failed': 'This key was not accepted.',
  'signout': 'Sign out',
  'lang.toggle': 'Français',
  'filters.platform': 'Platform',
  'filters.category': 'Category',
  'filters.source': 'Source',
  'filters.from': 'From',
  'filters.to': 'To',
  'filters.all': 'All',
  'filters.apply': 'Apply',
  'dash.title': 'SLA dashboard',
  'dash.removalRate': 'Removal compliance (24 h target)',
  'dash.responseRate': 'Response compliance (24 h target)',
  'dash.removalMedian': 'Time to removal: median',
  'dash.removalP90': 'Time to removal: p90',
  'dash.responseMedian': 'Time to response: median',
  'dash.responseP90': 'Time to response: p90',
  'dash.breaches': 'Breaches',
  'dash.atRisk': 'At risk',
  'dash.open': 'open',
  'dash.cases': 'cases',
  'dash.metOf': 'met of ended',
  'dash.trend': 'Daily trend (removal SLA, last 14 days, by day the case opened)',
  'dash.met': 'met',
  'dash.breached': 'breached',
  'cases.title': 'Open cases by remaining time',
  'cases.remaining': 'Remaining',
  'cases.deadline': 'Deadline',
  'cases.case': 'Case',
  'cases.ad': 'Ad',
  'cases.status': 'Status',
  'cases.overdue': 'overdue',
  'cases.none': 'No open case.',
  'breaches.title': 'Breach list',
  'breaches.sla': 'SLA',
  'breaches.started': 'Started',
  'breaches.ended': 'Ended',
  'breaches.none': 'No breach in this period.',
  'case.title': 'Case',
  'case.notFound': 'No such case is visible to this key.',
  'case.timeline': 'Timeline against the deadline',
  'case.facts': 'Every fact',
  'case.time': 'Exact time (UTC)',
  'case.fact': 'Fact',
  'case.source': 'Source',
  'case.chain': 'Chain',
  'case.evidence': 'Download the evidence bundle',
  'case.noAudit': 'The audit timeline is not available to this key.',
  'case.deadline': 'deadline',
  'case.notices': 'Notices',
  'case.commands': 'Takedown commands',
  'case.assessment': 'Automated assessment',
  'case.noAssessment': 'No automated assessment of this ad.',
  'stage.publishedAt': 'published',
  'stage.firstFlagAt': 'flagged',
  'stage.noticeReceivedAt': 'notice',
  'stage.knowledgeAt': 'knowledge',
  'stage.decidedAt': 'decision',
  'stage.takedownRequestedAt': 'command',
  'stage.removedAt': 'removal',
  'stage.verifiedAt': 'verification',
  'queue.title': 'Review queue',
  'queue.claim': 'Claim',
  'queue.next': 'Claim the next case',
  'queue.empty': 'The queue is empty.',
  'queue.priority': 'Priority',
  'queue.origin': 'Origin',
  'queue.decide': 'Decision',
  'queue.action': 'Action',
  'queue.explanation': 'Facts and reasons (statement of reasons)',
  'queue.ground': 'Ground',
  'queue.legalReference': 'Legal reference',
  'queue.statementCategory': 'Statement category (Transparency Database)',
  'queue.keywords': 'Keywords (comma-separated)',
  'queue.accountAction': 'Account action',
  'queue.territorialScope': 'Territorial scope (comma-separated country codes)',
  'queue.submit': 'Record the decision',
  'queue.decided': 'Decision recorded.',
  'queue.command': 'Command',
  'queue.delivery': 'delivery',
  'reports.title': 'Reports',
  'reports.sla': 'SLA compliance report',
  'reports.transparency': 'DSA transparency report',
  'reports.sor': 'Statements of reasons (Transparency Database export)',
  'reports.json': 'Download JSON',
  'reports.csv': 'Download CSV',
  'common.loading': 'Loading…',
  'common.error': 'Something went wrong',
  'common.default': 'default',
  'common.none': '—',
} as const;

export type MessageKey = keyof typeof en;

const fr: Record<MessageKey, string> = {
  'app.title': 'Console de conformité',
  'nav.dashboard': 'Tableau de bord SLA',
  'nav.cases': 'Dossiers ouverts',
  'nav.breaches': 'Dépassements',
  'nav.queue': "File d'examen",
  'nav.reports': 'Rapports',
  'signin.title': 'Connexion',
  'signin.key': "Clé d'API",
  'signin.submit': 'Se connecter',
  'signin.help': "Votre clé reste dans cet onglet (stockage de session) et accompagne chaque requête vers Vigie.",
  'signin.failed': "Cette clé n'a pas été acceptée.",
  'signout': 'Se déconnecter',
  'lang.toggle': 'English',
  'filters.platform': 'Plateforme',
  'filters.category': 'Catégorie',
  'filters.source': 'Source',
  'filters.from': 'Du',
  'filters.to': 'Au',
  'filters.all': 'Toutes',
  'filters.apply': 'Appliquer',
  'dash.title': 'Tableau de bord SLA',
  'dash.removalRate': 'Conformité du retrait (objectif 24 h)',
  'dash.responseRate': 'Conformité de la réponse (objectif 24 h)',
  'dash.removalMedian': 'Délai de retrait : médiane',
  'dash.removalP90': 'Délai de retrait : p90',
  'dash.responseMedian': 'Délai de réponse : médiane',
  'dash.responseP90': 'Délai de réponse : p90',
  'dash.breaches': 'Dépassements',
  'dash.atRisk': 'À risque',
  'dash.open': 'ouverts',
  'dash.cases': 'dossiers',
  'dash.metOf': 'respectés sur terminés',
  'dash.trend': "Tendance quotidienne (SLA de retrait, 14 derniers jours, par jour d'ouverture)",
  'dash.met': 'respecté',
  'dash.breached': 'dépassé',
  'cases.title': 'Dossiers ouverts par temps restant',
  'cases.remaining': 'Temps restant',
  'cases.deadline': 'Échéance',
  'cases.case': 'Dossier',
  'cases.ad': 'Annonce',
  'cases.status': 'Statut',
  'cases.overdue': 'en retard',
  'cases.none': 'Aucun dossier ouvert.',
  'breaches.title': 'Liste des dépassements',
  'breaches.sla': 'SLA',
  'breaches.started': 'Début',
  'breaches.ended': 'Fin',
  'breaches.none': 'Aucun dépassement sur la période.',
  'case.title': 'Dossier',
  'case.notFound': "Aucun dossier de ce nom n'est visible avec cette clé.",
  'case.timeline': "Chronologie face à l'échéance",
  'case.facts': 'Tous les faits',
  'case.time': 'Heure exacte (UTC)',
  'case.fact': 'Fait',
  'case.source': 'Source',
  'case.chain': 'Chaîne',
  'case.evidence': 'Télécharger le dossier de preuve',
  'case.noAudit': "La chronologie d'audit n'est pas accessible avec cette clé.",
  'case.deadline': 'échéance',
  'case.notices': 'Notifications',
  'case.commands': 'Ordres de retrait',
  'case.assessment': 'Évaluation automatisée',
  'case.noAssessment': "Pas d'évaluation automatisée de cette annonce.",
  'stage.publishedAt': 'publication',
  'stage.firstFlagAt': 'signalement',
  'stage.noticeReceivedAt': 'notification',
  'stage.knowledgeAt': 'connaissance',
  'stage.decidedAt': 'décision',
  'stage.takedownRequestedAt': 'ordre',
  'stage.removedAt': 'retrait',
  'stage.verifiedAt': 'vérification',
  'queue.title': "File d'examen",
  'queue.claim': 'Prendre',
  'queue.next': 'Prendre le dossier suivant',
  'queue.empty': 'La file est vide.',
  'queue.priority': 'Priorité',
  'queue.origin': 'Origine',
  'queue.decide': 'Décision',
  'queue.action': 'Mesure',
  'queue.explanation': 'Faits et motifs (exposé des motifs)',
  'queue.ground': 'Fondement',
  'queue.legalReference': 'Référence juridique',
  'queue.statementCategory': 'Catégorie (base de données de transparence)',
  'queue.keywords': 'Mots-clés (séparés par des virgules)',
  'queue.accountAction': 'Mesure sur le compte',
  'queue.territorialScope': 'Portée territoriale (codes pays séparés par des virgules)',
  'queue.submit': 'Enregistrer la décision',
  'queue.decided': 'Décision enregistrée.',
  'queue.command': 'Ordre',
  'queue.delivery': 'livraison',
  'reports.title': 'Rapports',
  'reports.sla': 'Rapport de conformité SLA',
  'reports.transparency': 'Rapport de transparence DSA',
  'reports.sor': 'Exposés des motifs (export base de données de transparence)',
  'reports.json': 'Télécharger en JSON',
  'reports.csv': 'Télécharger en CSV',
  'common.loading': 'Chargement…',
  'common.error': 'Une erreur est survenue',
  'common.default': 'par défaut',
  'common.none': '—',
};

export type Language = 'en' | 'fr';
const LANGUAGE_STORAGE = 'vigie.language';

export function language(): Language {
  return localStorage.getItem(LANGUAGE_STORAGE) === 'fr' ? 'fr' : 'en';
}

export function setLanguage(value: Language): void {
  localStorage.setItem(LANGUAGE_STORAGE, value);
  document.documentElement.lang = value;
}

export function t(key: MessageKey): string {
  return language() === 'fr' ? fr[key] : en[key];
}

/** A duration for people: `3 h 05 min`, `12 min 30 s`, `2 d 4 h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const sign = ms < 0 ? '−' : '';
  let seconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = language() === 'fr' ? 'j' : 'd';
  if (days > 0) return `${sign}${days} ${day} ${hours} h`;
  if (hours > 0) return `${sign}${hours} h ${pad(minutes)} min`;
  if (minutes > 0) return `${sign}${minutes} min ${pad(seconds)} s`;
  return `${sign}${seconds} s`;
}

export function formatPercent(share: number | null): string {
  if (share === null) return '—';
  return `${(share * 100).toLocaleString(language() === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 })} %`;
}

/** Exact instants are shown in UTC with milliseconds, as the audit log records them. */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace('Z', ' UTC');
}

/** A live countdown to the second: `23:59:58`, or `2 d 03:00:00`. */
export function formatCountdown(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(total / 86400);
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor((total % 86400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return days > 0 ? `${days} ${language() === 'fr' ? 'j' : 'd'} ${clock}` : clock;
}
