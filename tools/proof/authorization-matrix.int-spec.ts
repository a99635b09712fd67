import { EVENT_DEFINITIONS, Services, TOPIC_CATALOGUE } from '@vigie/contracts';
import { createKafkaClient } from '@vigie/messaging';
import { startVigieStack, waitFor, type StackServiceName, type VigieStack } from '@vigie/testing';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Client } from 'pg';

/**
 * Security proof over the whole stack (four services as processes, one database):
 *
 * - the authorisation matrix: every HTTP endpoint of ingest, scoring, notice-and-takedown and
 *   audit × every kind of caller × own and other tenant, against the policy table below; an
 *   endpoint a service documents (`/docs/json`) that the table does not classify fails the spec;
 * - API keys and webhook secrets are never stored in plaintext, and a revoked key answers 401
 *   on every service within the key-cache bound;
 * - anonymous notices are rate-limited per address (429 with Retry-After);
 * - what platforms consume (takedown commands) and the Transparency Database export carry no
 *   personal data of notifiers, uploaders or moderators.
 */

jest.setTimeout(180_000);

// ---------------------------------------------------------------------------------------------
// Callers. `platform`, `moderator` and `officer` keys are bound to platform A ("own tenant");
// platform B is the other tenant. The others are operator-wide.
// ---------------------------------------------------------------------------------------------

const ROLES = ['admin', 'platform', 'moderator', 'officer', 'trusted-flagger', 'authority', 'regulator'] as const;
type Role = (typeof ROLES)[number];
type Caller = 'anonymous' | 'bad-key' | 'revoked-key' | Role;
const CALLERS: readonly Caller[] = ['anonymous', 'bad-key', 'revoked-key', ...ROLES];
/** Callers whose key carries a platform: they must never reach another platform's data. */
const BOUND: ReadonlySet<Caller> = new Set(['platform', 'moderator', 'officer']);

const ANY_KEY: readonly Role[] = ROLES;
const MODERATION: readonly Role[] = ['moderator', 'admin'];
const CASE_READERS: readonly Role[] = ['platform', 'moderator', 'officer', 'regulator', 'admin'];
const REPORT_READERS: readonly Role[] = ['officer', 'regulator', 'admin'];
const PLATFORM_SELF: readonly Role[] = ['platform', 'admin'];
const ADMIN: readonly Role[] = ['admin'];

/**
 * - `none`: not tenant data (operations, admin registry, the caller's own identity);
 * - `path`: names one tenant's object (`{platformId}`, a case, a notice, an appeal): a bound
 *   caller gets 403 or 404 for another tenant's, and nothing of it in the answer;
 * - `filtered`: a list or report: a bound caller only ever sees its own tenant, also when it
 *   asks for the other (`?platformId=`): its own data only, or 403/404, never the other's.
 */
type TenantRule = 'none' | 'path' | 'filtered';

interface Policy {
  readonly service: StackServiceName;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly route: string;
  /** `public`: no key needed (a key, even a bad one, is ignored). Otherwise the roles allowed. */
  readonly allow: 'public' | readonly Role[];
  /** Also served without a key (a key, when sent, must be valid). */
  readonly anonymous?: boolean;
  readonly tenant: TenantRule;
  /** Roles that see only the objects they created (notifiers and their notices). */
  readonly ownOnly?: readonly Role[];
  /** Not in `/docs/json` (operations endpoints); probed all the same. */
  readonly undocumented?: boolean;
}

const p = (
  service: StackServiceName,
  method: Policy['method'],
  route: string,
  allow: Policy['allow'],
  tenant: TenantRule,
  extra: Partial<Pick<Policy, 'anonymous' | 'ownOnly' | 'undocumented'>> = {},
): Policy => ({ service, method, route, allow, tenant, ...extra });

const operations = (service: StackServiceName): Policy[] => [
  p(service, 'GET', '/health', 'public', 'none'),
  p(service, 'GET', '/ready', 'public', 'none'),
  p(service, 'GET', '/metrics', 'public', 'none', { undocumented: true }),
  p(service, 'GET', '/docs', 'public', 'none', { undocumented: true }),
  p(service, 'GET', '/docs/json', 'public', 'none', { undocumented: true }),
  p(service, 'GET', '/docs-yaml', 'public', 'none', { undocumented: true }),
];

// ---------------------------------------------------------------------------------------------
// THE POLICY: who may call what. One line per endpoint; a new endpoint must be added here.
// ---------------------------------------------------------------------------------------------
const POLICY: readonly Policy[] = [
  // ingest ------------------------------------------------------------------------------------
  ...operations('ingest'),
  p('ingest', 'GET', '/auth/whoami', ANY_KEY, 'none'),
  p('ingest', 'POST', '/admin/platforms', ADMIN, 'none'),
  p('ingest', 'GET', '/admin/platforms', ADMIN, 'none'),
  p('ingest', 'GET', '/admin/platforms/{platformId}', ADMIN, 'none'),
  p('ingest', 'GET', '/admin/platforms/{platformId}/delivery-target', ADMIN, 'none'), // holds the webhook secret
  p('ingest', 'POST', '/admin/platforms/{platformId}/api-keys', ADMIN, 'none'),
  p('ingest', 'DELETE', '/admin/platforms/{platformId}/api-keys/{keyId}', ADMIN, 'none'),
  p('ingest', 'POST', '/admin/keys', ADMIN, 'none'),
  p('ingest', 'GET', '/admin/keys', ADMIN, 'none'),
  p('ingest', 'DELETE', '/admin/keys/{keyId}', ADMIN, 'none'),
  p('ingest', 'POST', '/platforms/{platformId}/ads', PLATFORM_SELF, 'path'),
  p('ingest', 'POST', '/platforms/{platformId}/ads/ndjson', PLATFORM_SELF, 'path'),
  p('ingest', 'POST', '/platforms/{platformId}/ads/{adId}/removal', PLATFORM_SELF, 'path'),
  p('ingest', 'GET', '/platforms/{platformId}/ads/{adId}', PLATFORM_SELF, 'path'),
  // scoring -----------------------------------------------------------------------------------
  ...operations('scoring'),
  p('scoring', 'GET', '/platforms/{platformId}/ads/{adId}/assessment', CASE_READERS, 'path'), // the evidence spans
  p('scoring', 'GET', '/platforms/{platformId}/contacts/{contact}/ads', PLATFORM_SELF, 'path'),
  p('scoring', 'POST', '/admin/hash-lists', ADMIN, 'none'),
  p('scoring', 'GET', '/admin/hash-lists', ADMIN, 'none'),
  p('scoring', 'POST', '/admin/hash-lists/{listId}/withdrawals', ADMIN, 'none'),
  p('scoring', 'DELETE', '/admin/hash-lists/{listId}', ADMIN, 'none'),
  // notice-and-takedown -----------------------------------------------------------------------
  ...operations('nat'),
  p('nat', 'POST', '/notices', ['trusted-flagger', 'authority', 'admin'], 'none', { anonymous: true }),
  p('nat', 'GET', '/notices/{noticeId}', ['trusted-flagger', 'authority', 'moderator', 'officer', 'regulator', 'admin'], 'path', {
    ownOnly: ['trusted-flagger', 'authority'],
  }),
  p('nat', 'POST', '/notices/{noticeId}/qualify', MODERATION, 'path'),
  p('nat', 'POST', '/notices/{noticeId}/reject', MODERATION, 'path'),
  p('nat', 'GET', '/review/queue', MODERATION, 'filtered'),
  p('nat', 'POST', '/review/next', MODERATION, 'filtered'),
  p('nat', 'POST', '/review/cases/{caseId}/claim', MODERATION, 'path'),
  p('nat', 'POST', '/review/cases/{caseId}/release', MODERATION, 'path'),
  p('nat', 'POST', '/review/cases/{caseId}/decision', MODERATION, 'path'),
  p('nat', 'POST', '/review/cases/{caseId}/pause', MODERATION, 'path'),
  p('nat', 'POST', '/review/cases/{caseId}/resume', MODERATION, 'path'),
  p('nat', 'GET', '/review/appeals', MODERATION, 'filtered'),
  p('nat', 'POST', '/review/appeals/{appealId}/decision', MODERATION, 'path'),
  p('nat', 'GET', '/cases', CASE_READERS, 'filtered'),
  p('nat', 'GET', '/cases/{caseId}', CASE_READERS, 'path'),
  p('nat', 'GET', '/cases/{caseId}/referral-package', ['officer', 'authority', 'admin'], 'path'),
  p('nat', 'GET', '/platforms/{platformId}/repeat-offenders', ['platform', 'officer', 'moderator', 'admin'], 'path'),
  p('nat', 'POST', '/platforms/{platformId}/cases/{caseId}/appeals', PLATFORM_SELF, 'path'),
  p('nat', 'POST', '/platforms/{platformId}/takedown-results', PLATFORM_SELF, 'path'),
  // audit -------------------------------------------------------------------------------------
  ...operations('audit'),
  p('audit', 'GET', '/keys', 'public', 'none'), // checkpoint public keys
  p('audit', 'POST', '/admin/verify', ['admin', 'regulator'], 'none'),
  p('audit', 'GET', '/cases/{caseId}/evidence', REPORT_READERS, 'path'),
  p('audit', 'GET', '/cases/{caseId}/timeline', REPORT_READERS, 'path'),
  p('audit', 'GET', '/reports/sla', REPORT_READERS, 'filtered'),
  p('audit', 'GET', '/reports/transparency', REPORT_READERS, 'filtered'),
  p('audit', 'GET', '/exports/statements-of-reasons', REPORT_READERS, 'filtered'),
  p('audit', 'POST', '/admin/exports/statements-of-reasons/submit', ADMIN, 'none'),
  p('audit', 'GET', '/admin/projections', ADMIN, 'none'),
  p('audit', 'POST', '/admin/projections/rebuild', ADMIN, 'none'),
  p('audit', 'POST', '/admin/checkpoints', ADMIN, 'none'),
  p('audit', 'POST', '/imports/moderation-log', ['officer', 'admin'], 'filtered'), // ?platformId, scoped like the reports
  p('audit', 'GET', '/imports', ['officer', 'admin'], 'filtered'),
  p('audit', 'GET', '/imports/{importId}', ['officer', 'admin'], 'path'),
];

// ---------------------------------------------------------------------------------------------
// How each endpoint is called: real objects of the tenant (ids of its ads, cases, notices,
// appeals, keys). Bodies are valid where the service checks the tenant after reading the body,
// so "other tenant" really reaches that check; elsewhere a wrong body shows access without
// side effects (the guard runs before the body is read).
// ---------------------------------------------------------------------------------------------

interface Tenant {
  platformId: string;
  /** An ingested, scored ad with a notice and a case (reads). */
  ad: string;
  contact: string;
  readCase: string;
  /** A case left open for the review endpoints. */
  reviewCase: string;
  /** A referred (minors) case, decided, with an appeal. */
  referredCase: string;
  appeal: string;
  /** Notices: by the role that sent it where it matters, else `default`. */
  notices: Partial<Record<Caller, string>> & { default: string };
  /** Notices left unjudged for qualify / reject. */
  judgeNotice: string;
  sacrificialPlatformKeyId: string;
  sacrificialPrincipalKeyId: string;
  /** A historical moderation-log import into the audit. */
  historyImport: string;
}

interface Call {
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

type Builder = (t: Tenant, caller: Caller) => Call;
const NONE: Builder = () => ({ path: '' });
const explanation = 'Contrôle de sécurité : réponse attendue selon la matrice.';

const CALLS: Record<string, Builder> = {
  'GET /auth/whoami': () => ({ path: '/auth/whoami' }),
  'POST /admin/platforms': () => ({ path: '/admin/platforms', body: {} }),
  'GET /admin/platforms': () => ({ path: '/admin/platforms' }),
  'GET /admin/platforms/{platformId}': (t) => ({ path: `/admin/platforms/${t.platformId}` }),
  'GET /admin/platforms/{platformId}/delivery-target': (t) => ({ path: `/admin/platforms/${t.platformId}/delivery-target` }),
  'POST /admin/platforms/{platformId}/api-keys': (t) => ({ path: `/admin/platforms/${t.platformId}/api-keys`, body: {} }),
  'DELETE /admin/platforms/{platformId}/api-keys/{keyId}': (t) => ({ path: `/admin/platforms/${t.platformId}/api-keys/${t.sacrificialPlatformKeyId}` }),
  'POST /admin/keys': () => ({ path: '/admin/keys', body: {} }),
  'GET /admin/keys': () => ({ path: '/admin/keys' }),
  'DELETE /admin/keys/{keyId}': (t) => ({ path: `/admin/keys/${t.sacrificialPrincipalKeyId}` }),
  'POST /platforms/{platformId}/ads': (t) => ({ path: `/platforms/${t.platformId}/ads`, body: [] }),
  'POST /platforms/{platformId}/ads/ndjson': (t) => ({ path: `/platforms/${t.platformId}/ads/ndjson`, body: {} }),
  'POST /platforms/{platformId}/ads/{adId}/removal': (t) => ({ path: `/platforms/${t.platformId}/ads/${t.ad}/removal`, body: {} }),
  'GET /platforms/{platformId}/ads/{adId}': (t) => ({ path: `/platforms/${t.platformId}/ads/${t.ad}` }),
  'GET /platforms/{platformId}/ads/{adId}/assessment': (t) => ({ path: `/platforms/${t.platformId}/ads/${t.ad}/assessment` }),
  'GET /platforms/{platformId}/contacts/{contact}/ads': (t) => ({ path: `/platforms/${t.platformId}/contacts/${encodeURIComponent(t.contact)}/ads` }),
  'POST /admin/hash-lists': () => ({ path: '/admin/hash-lists', body: {} }),
  'GET /admin/hash-lists': () => ({ path: '/admin/hash-lists' }),
  // A list no spec imports: the allowed callers get 404, which says they were let through.
  'POST /admin/hash-lists/{listId}/withdrawals': () => ({ path: '/admin/hash-lists/matrix-no-such-list/withdrawals', body: { hashes: ['0'.repeat(64)] } }),
  'DELETE /admin/hash-lists/{listId}': () => ({ path: '/admin/hash-lists/matrix-no-such-list' }),
  'POST /notices': () => ({ path: '/notices', body: { locations: [] } }),
  'GET /notices/{noticeId}': (t, caller) => ({ path: `/notices/${t.notices[caller] ?? t.notices.default}` }),
  'POST /notices/{noticeId}/qualify': (t) => ({ path: `/notices/${t.judgeNotice}/qualify` }),
  'POST /notices/{noticeId}/reject': (t) => ({ path: `/notices/${t.judgeNotice}/reject`, body: { reason: 'not-substantiated', explanation } }),
  'GET /review/queue': () => ({ path: '/review/queue?limit=200' }),
  'POST /review/next': () => ({ path: '/review/next' }),
  'POST /review/cases/{caseId}/claim': (t) => ({ path: `/review/cases/${t.reviewCase}/claim` }),
  'POST /review/cases/{caseId}/release': (t) => ({ path: `/review/cases/${t.reviewCase}/release` }),
  'POST /review/cases/{caseId}/decision': (t) => ({ path: `/review/cases/${t.reviewCase}/decision`, body: { action: 'remove', explanation } }),
  'POST /review/cases/{caseId}/pause': (t) => ({ path: `/review/cases/${t.reviewCase}/pause`, body: { reason: 'clarification-requested', explanation } }),
  'POST /review/cases/{caseId}/resume': (t) => ({ path: `/review/cases/${t.reviewCase}/resume` }),
  'GET /review/appeals': () => ({ path: '/review/appeals' }),
  'POST /review/appeals/{appealId}/decision': (t) => ({ path: `/review/appeals/${t.appeal}/decision`, body: { outcome: 'upheld', explanation } }),
  'GET /cases': (t) => ({ path: `/cases?platformId=${t.platformId}&limit=500` }),
  'GET /cases/{caseId}': (t) => ({ path: `/cases/${t.readCase}` }),
  'GET /cases/{caseId}/referral-package': (t) => ({ path: `/cases/${t.referredCase}/referral-package` }),
  'GET /platforms/{platformId}/repeat-offenders': (t) => ({ path: `/platforms/${t.platformId}/repeat-offenders` }),
  'POST /platforms/{platformId}/cases/{caseId}/appeals': (t) => ({
    path: `/platforms/${t.platformId}/cases/${t.referredCase}/appeals`,
    body: { appellant: 'uploader', grounds: 'Contestation envoyée par la matrice de sécurité.' },
  }),
  'POST /platforms/{platformId}/takedown-results': (t) => ({ path: `/platforms/${t.platformId}/takedown-results`, body: {} }),
  'GET /keys': () => ({ path: '/keys' }),
  'POST /admin/verify': () => ({ path: '/admin/verify' }),
  'GET /cases/{caseId}/evidence': (t) => ({ path: `/cases/${t.readCase}/evidence` }),
  'GET /cases/{caseId}/timeline': (t) => ({ path: `/cases/${t.readCase}/timeline` }),
  'GET /reports/sla': (t) => ({ path: `/reports/sla?platformId=${t.platformId}` }),
  'GET /reports/transparency': (t) => ({ path: `/reports/transparency?platformId=${t.platformId}` }),
  'GET /exports/statements-of-reasons': (t) => ({ path: `/exports/statements-of-reasons?platformId=${t.platformId}` }),
  'POST /admin/exports/statements-of-reasons/submit': () => ({ path: '/admin/exports/statements-of-reasons/submit', body: {} }),
  'GET /admin/projections': () => ({ path: '/admin/projections' }),
  'POST /admin/projections/rebuild': () => ({ path: '/admin/projections/rebuild' }),
  'POST /admin/checkpoints': () => ({ path: '/admin/checkpoints' }),
  'POST /imports/moderation-log': (t) => ({
    path: `/imports/moderation-log?platformId=${t.platformId}`,
    body: moderationLog(`hist-${t.platformId.slice(-1)}-${tag}`),
    headers: { 'content-type': 'text/csv' },
  }),
  'GET /imports': (t) => ({ path: `/imports?platformId=${t.platformId}` }),
  'GET /imports/{importId}': (t) => ({ path: `/imports/${t.historyImport}` }),
  'GET /health': () => ({ path: '/health' }),
  'GET /ready': () => ({ path: '/ready' }),
  'GET /metrics': () => ({ path: '/metrics' }),
  'GET /docs': () => ({ path: '/docs' }),
  'GET /docs/json': () => ({ path: '/docs/json' }),
  'GET /docs-yaml': () => ({ path: '/docs-yaml' }),
};

/** Endpoints replayed one at a time after the parallel batches (they rewrite shared state). */
const SERIAL = new Set(['audit POST /admin/projections/rebuild']);

/** A platform's past moderation log (CSV), replayed into the audit by `POST /imports/moderation-log`. */
function moderationLog(adId: string): string {
  const receivedAt = new Date(Date.now() - 3 * 86_400_000).toISOString();
  return `reference,adId,category,noticeReceivedAt\nREF-${adId},${adId},pimping,${receivedAt}\n`;
}

const endpointKey = (policy: Pick<Policy, 'service' | 'method' | 'route'>) => `${policy.service} ${policy.method} ${policy.route}`;
const builderOf = (policy: Policy): Builder => CALLS[`${policy.method} ${policy.route}`] ?? NONE;

// ---------------------------------------------------------------------------------------------
// The stack and its fixtures
// ---------------------------------------------------------------------------------------------

let stack: VigieStack;
const keys = {} as Record<Role | 'platformB' | 'platformC' | 'revoked', string>;
const issuedSecrets: { what: string; value: string }[] = [];
let own: Tenant;
let other: Tenant;
let webhookSecret: string;
const moderatorPrincipal = `mod-sec-${randomBytes(3).toString('hex')}`;
const tag = randomBytes(4).toString('hex');
/** Personal data put into the fixtures, searched for where it must not appear. */
const personal = {
  notifierName: `Zoé Témoin-${tag}`,
  notifierEmail: `zoe.temoin.${tag}@example.org`,
  uploaderPhoneLocal: `06 ${String(parseInt(tag, 16) % 100_000_000).padStart(8, '0').replace(/(\d\d)(?=\d)/g, '$1 ')}`,
  uploaderEmail: `uploader.${tag}@example.net`,
  uploaderHandle: `telegram:@upl_${tag}`,
  uploaderAccount: `acct-${tag}`,
};
/** Who sent the other tenant's notice (an operator's notice counts as public: name and e-mail). */
const otherNotifier = { name: `Témoin Autre-${tag}`, email: `temoin.autre.${tag}@example.org` };
let piiAdId: string;
const otherTenantMarkers: string[] = [];

interface Answer {
  status: number;
  text: string;
  headers: Headers;
}

async function send(service: StackServiceName, method: string, call: Call, key: string | null): Promise<Answer> {
  const headers: Record<string, string> = { ...(call.headers ?? {}) };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (call.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${stack.urls[service]}${call.path}`, {
    method,
    headers,
    body: call.body === undefined ? undefined : typeof call.body === 'string' ? call.body : JSON.stringify(call.body),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

async function json<T>(service: StackServiceName, method: string, path: string, key: string | null, body?: unknown, expected?: number[]): Promise<T> {
  const answer = await send(service, method, { path, body }, key);
  if (expected && !expected.includes(answer.status)) throw new Error(`${method} ${service}${path} answered ${answer.status}: ${answer.text}`);
  return (answer.text ? JSON.parse(answer.text) : undefined) as T;
}

const keyFor = (caller: Caller): string | null =>
  caller === 'anonymous' ? null : caller === 'bad-key' ? `vigie_${randomBytes(32).toString('base64url')}` : caller === 'revoked-key' ? keys.revoked : keys[caller];

function sampleAd(platformId: string, adId: string, overrides: Record<string, unknown> = {}) {
  const example = EVENT_DEFINITIONS.find((definition) => definition.type === 'ad.submitted')?.example.data as Record<string, unknown>;
  const now = Date.now();
  const digits = createHash('sha256').update(adId).digest().readUInt32BE(0).toString().padStart(8, '0').slice(0, 8);
  return {
    ...example,
    platformAdId: adId,
    url: `http://127.0.0.1:9/annonces/${adId}`,
    contacts: { phones: [`07 ${digits.replace(/(\d\d)(?=\d)/g, '$1 ')}`], emails: [], handles: [] },
    posterAccountId: `acct-${adId}`,
    publishedAt: new Date(now - 2 * 3600_000).toISOString(),
    updatedAt: new Date(now - 3600_000).toISOString(),
    ...overrides,
  };
}

const notice = (platformId: string, adId: string, extra: Record<string, unknown> = {}) => ({
  locations: [{ platformId, adId }],
  category: 'pimping',
  explanation: 'Le même numéro apparaît sous plusieurs prénoms dans plusieurs villes.',
  goodFaith: true,
  ...extra,
});

async function issueKey(role: Role, principalId: string, platformId?: string): Promise<{ id: string; apiKey: string }> {
  const created = await json<{ key: { id: string }; apiKey: string }>(
    'ingest',
    'POST',
    '/admin/keys',
    stack.adminKey,
    { role, principalId, label: `${role} ${principalId}`, ...(platformId ? { platformId } : {}) },
    [201],
  );
  issuedSecrets.push({ what: `${role} key ${principalId}`, value: created.apiKey });
  return { id: created.key.id, apiKey: created.apiKey };
}

async function createPlatform(id: string, extra: Record<string, unknown> = {}): Promise<{ apiKey: string; webhookSecret: string | null }> {
  const created = await json<{ apiKey: string; webhookSecret: string | null }>(
    'ingest',
    'POST',
    '/admin/platforms',
    stack.adminKey,
    { id, name: `Plateforme ${id}`, integrationMode: 'kafka', ...extra },
    [201],
  );
  issuedSecrets.push({ what: `platform key of ${id}`, value: created.apiKey });
  if (created.webhookSecret) issuedSecrets.push({ what: `webhook secret of ${id}`, value: created.webhookSecret });
  return created;
}

async function decideAsAdmin(caseId: string, body: Record<string, unknown>): Promise<{ decisionId: string; commandId: string | null }> {
  await json('nat', 'POST', `/review/cases/${caseId}/claim`, stack.adminKey, undefined, [200]);
  return json('nat', 'POST', `/review/cases/${caseId}/decision`, stack.adminKey, body, [201]);
}

/** One tenant's objects, created through the APIs as its users would. */
async function seedTenant(platformId: string, platformKey: string, suffix: string): Promise<Tenant> {
  const adIds = ['read', 'review', 'minors'].map((use) => `sec-${suffix}-${use}-${tag}`);
  const intake = await json<{ accepted: number }>('ingest', 'POST', `/platforms/${platformId}/ads`, platformKey, adIds.map((adId) => sampleAd(platformId, adId)), [200]);
  expect(intake.accepted).toBe(3);
  for (const adId of adIds) {
    await waitFor(async () => (await send('scoring', 'GET', { path: `/platforms/${platformId}/ads/${adId}/assessment` }, platformKey)).status === 200, 60_000, `assessment of ${adId}`);
  }
  const [readAd, reviewAd, minorsAd] = adIds as [string, string, string];
  const submit = (key: string, body: unknown) => json<{ noticeId: string; cases: { caseId: string }[] }>('nat', 'POST', '/notices', key, body, [201]);
  const flagged = await submit(keys['trusted-flagger'], notice(platformId, readAd));
  const reviewed = await submit(keys['trusted-flagger'], notice(platformId, reviewAd));
  const minors = await submit(keys['trusted-flagger'], notice(platformId, minorsAd, { category: 'minors', explanation: 'Annonce indiquant un âge de 16 ans, mineure exploitée.' }));
  const notices: Tenant['notices'] = { default: flagged.noticeId, 'trusted-flagger': flagged.noticeId };
  if (suffix === 'a') {
    const order = await submit(keys.authority, {
      ...notice(platformId, readAd),
      authorityOrder: { authority: 'OFAC', reference: `OFAC-${tag}`, legalBasis: 'LCEN art. 6-1', deadline: new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, '.000Z') },
    });
    notices.authority = order.noticeId;
  } else {
    // The other tenant's notice comes from someone else than any notifier under test.
    const byAdmin = await submit(stack.adminKey, notice(platformId, readAd, { notifier: otherNotifier }));
    notices.default = byAdmin.noticeId;
    delete notices['trusted-flagger'];
  }
  // A minors case: decided (a statement of reasons, a referral to the police) and appealed.
  const referredCase = minors.cases[0]?.caseId as string;
  await decideAsAdmin(referredCase, { action: 'remove', explanation: 'Âge déclaré de 16 ans : annonce retirée et signalée.' });
  const appeal = await json<{ appealId: string }>(
    'nat',
    'POST',
    `/platforms/${platformId}/cases/${referredCase}/appeals`,
    platformKey,
    { appellant: 'uploader', grounds: "L'annonceur conteste la décision de retrait." },
    [201],
  );
  const judge = await json<{ noticeId: string }>('nat', 'POST', '/notices', keys['trusted-flagger'], notice(platformId, reviewAd), [201]);
  const sacrificialPlatformKey = await json<{ id: string; apiKey: string }>('ingest', 'POST', `/admin/platforms/${platformId}/api-keys`, stack.adminKey, { label: 'sacrificial' }, [201]);
  issuedSecrets.push({ what: `sacrificial key of ${platformId}`, value: sacrificialPlatformKey.apiKey });
  const sacrificialPrincipal = await issueKey('moderator', `mod-sacrificial-${suffix}-${tag}`, platformId);
  const historyImport = await send('audit', 'POST', { path: `/imports/moderation-log?platformId=${platformId}`, body: moderationLog(`hist-${suffix}-${tag}`), headers: { 'content-type': 'text/csv' } }, stack.adminKey);
  expect([historyImport.status, historyImport.text]).toEqual([200, expect.stringContaining('"importId"')]);
  const [{ contacts }] = await query<{ contacts: string[] }>(`SELECT contacts FROM scoring.assessments WHERE platform_id = $1 AND ad_id = $2`, [platformId, readAd]);
  return {
    platformId,
    ad: readAd,
    contact: contacts[0] as string,
    readCase: flagged.cases[0]?.caseId as string,
    reviewCase: reviewed.cases[0]?.caseId as string,
    referredCase,
    appeal: appeal.appealId,
    notices,
    judgeNotice: judge.noticeId,
    sacrificialPlatformKeyId: sacrificialPlatformKey.id,
    sacrificialPrincipalKeyId: sacrificialPrincipal.id,
    historyImport: (JSON.parse(historyImport.text) as { importId: string }).importId,
  };
}

async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Waits until a key answers 401 on every service (the services cache key lookups a few seconds). */
async function waitUntilRejectedEverywhere(key: string, timeoutMs: number): Promise<void> {
  const probes: [StackServiceName, string][] = [
    ['ingest', '/auth/whoami'],
    ['scoring', '/admin/hash-lists'],
    ['nat', '/cases'],
    ['audit', '/admin/projections'],
  ];
  await waitFor(async () => (await Promise.all(probes.map(([service, path]) => send(service, 'GET', { path }, key)))).every((answer) => answer.status === 401), timeoutMs, 'the revoked key to be refused everywhere');
}

beforeAll(async () => {
  const started = Date.now();
  stack = await startVigieStack({
    label: 'security',
    env: { nat: { NAT_PUBLIC_NOTICES_PER_MINUTE: '5', NAT_VERIFY_REMOVALS: 'off' } },
  });
  issuedSecrets.push({ what: 'bootstrap admin key', value: stack.adminKey });
  keys.admin = stack.adminKey;
  const [a, b, c] = ['a', 'b', 'c'].map((suffix) => `${stack.tenantPrefix}-${suffix}`) as [string, string, string];
  keys.platform = (await createPlatform(a)).apiKey;
  keys.platformB = (await createPlatform(b)).apiKey;
  // A platform with a webhook, for its signing secret (nothing is ever decided on it).
  const withWebhook = await createPlatform(c, { integrationMode: 'http', webhookUrl: 'http://127.0.0.1:9/vigie/takedown' });
  keys.platformC = withWebhook.apiKey;
  webhookSecret = withWebhook.webhookSecret as string;
  keys.moderator = (await issueKey('moderator', moderatorPrincipal, a)).apiKey;
  keys.officer = (await issueKey('officer', `officer-sec-${tag}`, a)).apiKey;
  keys['trusted-flagger'] = (await issueKey('trusted-flagger', `FR-TF-${tag}`)).apiKey;
  keys.authority = (await issueKey('authority', `ofac-${tag}`)).apiKey;
  keys.regulator = (await issueKey('regulator', `arcom-${tag}`)).apiKey;
  // The matrix's revoked key is an admin's: the widest access, used once everywhere (cached), then revoked.
  const revoked = await issueKey('admin', `admin-revoked-${tag}`);
  keys.revoked = revoked.apiKey;
  for (const [service, path] of [['ingest', '/auth/whoami'], ['scoring', '/admin/hash-lists'], ['nat', '/cases'], ['audit', '/admin/projections']] as const) {
    expect((await send(service, 'GET', { path }, keys.revoked)).status).toBe(200);
  }
  await json('ingest', 'DELETE', `/admin/keys/${revoked.id}`, stack.adminKey, undefined, [204]);

  [own, other] = await Promise.all([seedTenant(a, keys.platform, 'a'), seedTenant(b, keys.platformB, 'b')]);
  otherTenantMarkers.push(
    b,
    other.ad,
    other.readCase,
    other.reviewCase,
    other.referredCase,
    other.appeal,
    other.judgeNotice,
    other.notices.default,
    other.contact,
    other.sacrificialPlatformKeyId,
    other.sacrificialPrincipalKeyId,
    otherNotifier.name,
    otherNotifier.email,
    other.historyImport,
    `hist-b-${tag}`,
  );
  // The audit has the read cases (timelines, evidence) once it has consumed their events.
  for (const tenant of [own, other]) {
    await waitFor(async () => (await send('audit', 'GET', { path: `/cases/${tenant.readCase}/timeline` }, stack.adminKey)).status === 200, 60_000, `audit timeline of ${tenant.readCase}`);
  }
  console.log(`security stack and fixtures ready in ${Math.round((Date.now() - started) / 1000)} s`);
}, 300_000);

afterAll(async () => {
  await stack?.close();
});

// ---------------------------------------------------------------------------------------------

describe('security', () => {
  it('classifies every endpoint each service documents, and documents every classified one', async () => {
    const unclassified: string[] = [];
    const stale: string[] = [];
    for (const service of ['ingest', 'scoring', 'nat', 'audit'] as const) {
      const document = await json<{ paths: Record<string, Record<string, unknown>> }>(service, 'GET', '/docs/json', null, undefined, [200]);
      const documented = new Set<string>();
      for (const [route, operations] of Object.entries(document.paths)) {
        for (const method of Object.keys(operations)) {
          if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
          const key = endpointKey({ service, method: method.toUpperCase() as Policy['method'], route });
          documented.add(key);
          if (!POLICY.some((policy) => endpointKey(policy) === key)) unclassified.push(key);
        }
      }
      for (const policy of POLICY.filter((entry) => entry.service === service && !entry.undocumented)) {
        if (!documented.has(endpointKey(policy))) stale.push(endpointKey(policy));
      }
    }
    // A new endpoint needs its line in POLICY (and how to call it in CALLS).
    expect(unclassified).toEqual([]);
    expect(stale).toEqual([]);
    const uncallable = POLICY.filter((policy) => builderOf(policy) === NONE).map(endpointKey);
    expect(uncallable).toEqual([]);
  });

  it('refuses a revoked key on every service: at once on ingest, within the 5 s key cache elsewhere', async () => {
    const platformKey = await json<{ id: string; apiKey: string }>('ingest', 'POST', `/admin/platforms/${own.platformId}/api-keys`, stack.adminKey, { label: 'to revoke' }, [201]);
    issuedSecrets.push({ what: 'platform key to revoke', value: platformKey.apiKey });
    const officer = await issueKey('officer', `officer-revoked-${tag}`, own.platformId);
    // One request per key and service (a 403 for a role the route refuses is still a lookup, and cached).
    const probes: { key: string; service: StackServiceName; path: string }[] = [
      { key: platformKey.apiKey, service: 'ingest', path: `/platforms/${own.platformId}/ads/${own.ad}` },
      { key: platformKey.apiKey, service: 'scoring', path: `/platforms/${own.platformId}/ads/${own.ad}/assessment` },
      { key: platformKey.apiKey, service: 'nat', path: `/cases/${own.readCase}` },
      { key: platformKey.apiKey, service: 'audit', path: `/cases/${own.readCase}/timeline` },
      { key: officer.apiKey, service: 'ingest', path: '/auth/whoami' },
      { key: officer.apiKey, service: 'scoring', path: `/platforms/${own.platformId}/ads/${own.ad}/assessment` },
      { key: officer.apiKey, service: 'nat', path: `/cases/${own.readCase}` },
      { key: officer.apiKey, service: 'audit', path: `/cases/${own.readCase}/timeline` },
    ];
    // Used first, so every service has the key in its cache when it is revoked.
    for (const probe of probes) {
      const before = await send(probe.service, 'GET', { path: probe.path }, probe.key);
      expect([probe.service, probe.path, [200, 403].includes(before.status)]).toEqual([probe.service, probe.path, true]);
    }
    const revokedAt = Date.now();
    await json('ingest', 'DELETE', `/admin/platforms/${own.platformId}/api-keys/${platformKey.id}`, stack.adminKey, undefined, [204]);
    await json('ingest', 'DELETE', `/admin/keys/${officer.id}`, stack.adminKey, undefined, [204]);
    // Ingest holds the registry: no delay there.
    for (const probe of probes.filter((entry) => entry.service === 'ingest')) expect((await send('ingest', 'GET', { path: probe.path }, probe.key)).status).toBe(401);
    const refusedAfter = new Map<string, number>();
    while (refusedAfter.size < probes.length && Date.now() - revokedAt < 15_000) {
      await Promise.all(
        probes.map(async (probe) => {
          const id = `${probe.service} ${probe.path} ${probe.key.slice(0, 12)}`;
          if (refusedAfter.has(id)) return;
          // Timed when the request left: the revocation was in force by then.
          const sentAt = Date.now();
          if ((await send(probe.service, 'GET', { path: probe.path }, probe.key)).status === 401) refusedAfter.set(id, sentAt - revokedAt);
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(refusedAfter.size).toBe(probes.length);
    // The services cache a key's answer for 5 s (RemoteApiKeyGuard, ApiKeyAuthenticator), from
    // before the revocation; the slack is the polling interval.
    expect(Math.max(...refusedAfter.values())).toBeLessThanOrEqual(6_500);
    // And it stays refused.
    for (const probe of probes) expect((await send(probe.service, 'GET', { path: probe.path }, probe.key)).status).toBe(401);
  });

  it('stores no API key or webhook secret in plaintext, in any column of any schema', async () => {
    expect(issuedSecrets.length).toBeGreaterThan(10);
    const tables = await query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
    );
    expect(tables.map((table) => table.schema)).toEqual(expect.arrayContaining(['ingest', 'scoring', 'notice_and_takedown', 'audit']));
    const needles = issuedSecrets.flatMap(({ what, value }) => [
      { what, text: value },
      { what: `${what} (hex)`, text: Buffer.from(value, 'utf8').toString('hex') },
      { what: `${what} (base64)`, text: Buffer.from(value, 'utf8').toString('base64') },
    ]);
    const found: string[] = [];
    for (const table of tables) {
      const rows = await query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${table.schema}"."${table.name}" t`);
      for (const { row } of rows) for (const needle of needles) if (row.includes(needle.text)) found.push(`${needle.what} in ${table.schema}.${table.name}`);
    }
    expect(found).toEqual([]);
    // Keys are kept as their SHA-256; the webhook secret sealed (AES-256-GCM), not as itself.
    const hashes = new Set((await query<{ key_hash: Buffer }>(`SELECT key_hash FROM ingest.api_keys`)).map((row) => row.key_hash.toString('hex')));
    for (const { what, value } of issuedSecrets.filter((secret) => !secret.what.startsWith('webhook'))) {
      expect([what, hashes.has(createHash('sha256').update(value).digest('hex'))]).toEqual([what, true]);
    }
    const [sealed] = await query<{ webhook_secret_sealed: Buffer }>(`SELECT webhook_secret_sealed FROM ingest.platforms WHERE webhook_url IS NOT NULL`);
    expect(sealed?.webhook_secret_sealed.length).toBeGreaterThan(28);
    expect(sealed?.webhook_secret_sealed.includes(Buffer.from(webhookSecret))).toBe(false);
    // Nor does any read API hand them back.
    const listed = await send('ingest', 'GET', { path: '/admin/platforms' }, stack.adminKey);
    for (const { value } of issuedSecrets) expect(listed.text.includes(value)).toBe(false);
  });

  it('rate-limits anonymous notices per client address: 429 with Retry-After past NAT_PUBLIC_NOTICES_PER_MINUTE', async () => {
    const limit = 5; // set for this stack; the default is 10 a minute
    const url = new URL('/notices', stack.urls.nat);
    const postFrom = (localAddress: string, body: unknown, key?: string) =>
      new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve, reject) => {
        const payload = JSON.stringify(body);
        const request = httpRequest(
          url,
          {
            method: 'POST',
            localAddress,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(key ? { authorization: `Bearer ${key}` } : {}) },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'], body: Buffer.concat(chunks).toString('utf8') }));
          },
        );
        request.on('error', reject);
        request.end(payload);
      });
    const publicNotice = notice(own.platformId, `sec-a-ratelimited-${tag}`, { notifier: { name: 'Client Pressé', email: `presse.${tag}@example.org` } });
    // Its own loopback address, so the matrix's anonymous notices (from 127.0.0.1) do not count.
    const client = '127.0.0.3';
    for (let i = 0; i < limit; i += 1) expect((await postFrom(client, publicNotice)).status).toBe(201);
    const limited = await postFrom(client, publicNotice);
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.body)).toMatchObject({ code: 'RATE_LIMITED' });
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(limited.retryAfter)).toBeLessThanOrEqual(Math.ceil(60 / limit));
    // Per address, and only for anonymous notices: another address, or a trusted flagger's key, goes through.
    expect((await postFrom('127.0.0.4', publicNotice)).status).toBe(201);
    expect((await postFrom(client, notice(own.platformId, `sec-a-ratelimited-${tag}`), keys['trusted-flagger'])).status).toBe(201);
  });

  it('sends platforms takedown commands without the notifier’s or the moderator’s identity', async () => {
    piiAdId = `sec-a-pii-${tag}`;
    const ad = sampleAd(own.platformId, piiAdId, {
      contacts: { phones: [personal.uploaderPhoneLocal], emails: [personal.uploaderEmail], handles: [personal.uploaderHandle] },
      posterAccountId: personal.uploaderAccount,
    });
    await json('ingest', 'POST', `/platforms/${own.platformId}/ads`, keys.platform, [ad], [200]);
    await waitFor(async () => (await send('scoring', 'GET', { path: `/platforms/${own.platformId}/ads/${piiAdId}/assessment` }, keys.platform)).status === 200, 60_000, 'assessment');
    // An anonymous DSA Art. 16 notice with the notifier's name and e-mail.
    const submitted = await json<{ cases: { caseId: string }[] }>('nat', 'POST', '/notices', null, notice(own.platformId, piiAdId, { notifier: { name: personal.notifierName, email: personal.notifierEmail } }), [201]);
    const caseId = submitted.cases[0]?.caseId as string;
    await json('nat', 'POST', `/review/cases/${caseId}/claim`, keys.moderator, undefined, [200]);
    const decided = await json<{ commandId: string }>('nat', 'POST', `/review/cases/${caseId}/decision`, keys.moderator, {
      action: 'remove',
      explanation: 'Proxénétisme : offre tarifée, même contact sous plusieurs prénoms.',
    }, [201]);
    expect(decided.commandId).toBeTruthy();

    // Everything on the topics platforms consume, for this stack's platforms.
    const platformTopics = TOPIC_CATALOGUE.filter((topic) => topic.consumers.includes(Services.Platform)).map((topic) => topic.name);
    expect(platformTopics).toContain('takedown.commands.v1');
    const kafka = createKafkaClient({ brokers: stack.kafkaBrokers.split(','), clientId: `security-it-${tag}` });
    const consumer = kafka.consumer({ groupId: `security-it-platform-${tag}`, maxWaitTimeInMs: 100 });
    const seen: { tenant: string; type: string; commandId: string; raw: string }[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: platformTopics, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const raw = `${message.key?.toString('utf8') ?? ''}\n${message.value?.toString('utf8') ?? ''}\n${JSON.stringify(
            Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString()])),
          )}`;
          const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as { tenant: string; type: string; data: { commandId: string } };
          if (event.tenant?.startsWith(stack.tenantPrefix)) seen.push({ tenant: event.tenant, type: event.type, commandId: event.data?.commandId, raw });
        },
      });
      await waitFor(async () => seen.some((event) => event.commandId === decided.commandId), 60_000, 'the takedown command on Kafka');
    } finally {
      await consumer.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteGroups([`security-it-platform-${tag}`]).catch(() => undefined);
      await admin.disconnect();
    }
    // The platform's command, and the others of this stack (automatic and admin decisions).
    expect(seen.length).toBeGreaterThanOrEqual(3);
    const [adminKeyRow] = await query<{ id: string }>(`SELECT id FROM ingest.api_keys WHERE role = 'admin' AND label LIKE 'bootstrap%'`);
    const forbidden = [personal.notifierName, personal.notifierEmail, moderatorPrincipal, `admin:${adminKeyRow?.id}`, 'moderatorId', 'decidedBy', 'notifier'];
    const leaks = seen.flatMap((event) => forbidden.filter((text) => event.raw.includes(text)).map((text) => `${event.type} ${event.commandId} contains "${text}"`));
    expect(leaks).toEqual([]);
  });

  it('exports statements of reasons for the Transparency Database with no notifier, uploader or moderator data', async () => {
    const exported = await waitFor(
      async () => {
        const answer = await send('audit', 'GET', { path: `/exports/statements-of-reasons?platformId=${own.platformId}` }, keys.regulator);
        return answer.status === 200 && (JSON.parse(answer.text) as { exported: number }).exported >= 2 && answer.text.includes('Proxénétisme : offre tarifée') ? answer.text : undefined;
      },
      60_000,
      'the statement of reasons in the export',
    );
    const phoneDigits = personal.uploaderPhoneLocal.replace(/\s/g, '');
    const forbidden = [
      personal.notifierName,
      personal.notifierEmail,
      personal.uploaderEmail,
      personal.uploaderHandle,
      personal.uploaderAccount,
      personal.uploaderPhoneLocal,
      phoneDigits,
      `+33${phoneDigits.slice(1)}`,
      moderatorPrincipal,
    ];
    expect(forbidden.filter((text) => exported.includes(text))).toEqual([]);
    // Every exported statement passes the Transparency Database's rules (which forbid personal data fields).
    expect((JSON.parse(exported) as { rejected: unknown[] }).rejected).toEqual([]);
  });

  it('refuses an authority order from anyone but an authority', async () => {
    const order = {
      ...notice(own.platformId, own.ad),
      authorityOrder: { authority: 'Police', reference: 'X-1', legalBasis: 'LCEN', deadline: '2030-01-01T00:00:00.000Z' },
    };
    for (const key of [keys['trusted-flagger'], stack.adminKey]) {
      expect([400, 422]).toContain((await send('nat', 'POST', { path: '/notices', body: order }, key)).status);
    }
  });

  it('enforces the authorisation matrix: every endpoint × caller × own and other tenant', async () => {
    const started = Date.now();
    await waitUntilRejectedEverywhere(keys.revoked, 10_000);
    type Variant = 'own' | 'other' | 'mixed' | 'bogus';
    interface Cell {
      policy: Policy;
      caller: Caller;
      variant: Variant;
      call: Call;
    }
    const cells: Cell[] = [];
    // A path that names the caller's own platform but another tenant's object.
    const mixed: Tenant = { ...other, platformId: own.platformId };
    const bogusId = randomUUID();
    const bogus: Tenant = {
      ...own,
      ad: 'no-such-ad',
      contact: '+33000000000',
      readCase: 'not-a-uuid',
      reviewCase: bogusId,
      referredCase: 'not-a-uuid',
      appeal: 'not-a-uuid',
      notices: { default: 'not-a-uuid' },
      judgeNotice: 'not-a-uuid',
      sacrificialPlatformKeyId: 'not-a-uuid',
      sacrificialPrincipalKeyId: bogusId,
      historyImport: 'not-a-uuid',
    };
    for (const policy of POLICY) {
      const build = builderOf(policy);
      for (const caller of CALLERS) {
        cells.push({ policy, caller, variant: 'own', call: build(own, caller) });
        cells.push({ policy, caller, variant: 'other', call: build(other, caller) });
        const mixedCall = build(mixed, caller);
        // Only where the object's id is global (a case) or read back (an ad): contacts and removal reports are per platform by nature.
        const namesObject = /\{caseId\}/.test(policy.route) || (policy.method === 'GET' && /\{adId\}/.test(policy.route));
        if (policy.tenant === 'path' && policy.route.includes('{platformId}') && namesObject && BOUND.has(caller)) {
          cells.push({ policy, caller, variant: 'mixed', call: mixedCall });
        }
      }
      // Ids that do not exist (or are not even ids) are a 4xx, never a 5xx.
      if (policy.route.includes('{') && policy.allow !== 'public') cells.push({ policy, caller: 'admin', variant: 'bogus', call: build(bogus, 'admin') });
    }

    type Expected = 'allowed' | 'unauthenticated' | 'forbidden' | 'other-tenant' | 'filtered';
    const expectation = (cell: Cell): Expected => {
      const { policy, caller, variant } = cell;
      if (variant === 'bogus') return 'allowed';
      if (policy.allow === 'public') return 'allowed';
      if (caller === 'anonymous') return policy.anonymous ? 'allowed' : 'unauthenticated';
      if (caller === 'bad-key' || caller === 'revoked-key') return 'unauthenticated';
      if (!policy.allow.includes(caller)) return 'forbidden';
      if (variant === 'own' || policy.tenant === 'none') return 'allowed';
      const confined = BOUND.has(caller) || (policy.ownOnly ?? []).includes(caller);
      if (!confined) return 'allowed';
      return policy.tenant === 'filtered' ? 'filtered' : 'other-tenant';
    };

    const failures: string[] = [];
    const tally = new Map<string, number>();
    const check = (cell: Cell, answer: Answer) => {
      const expected = expectation(cell);
      const { status } = answer;
      const ok =
        expected === 'allowed'
          ? // Reads of real objects answer them; writes may refuse the body or the state (400, 409), never the caller.
            status !== 401 && status !== 403 && status < 500 && (cell.policy.method !== 'GET' || cell.variant === 'bogus' || status === 200)
          : expected === 'unauthenticated'
            ? status === 401
            : expected === 'forbidden'
              ? status === 403
              : expected === 'other-tenant'
                ? status === 403 || status === 404
                : status !== 401 && status < 500; // filtered: whatever it answers, nothing of the other tenant (checked below)
      const label = `${cell.caller} ${cell.variant} ${cell.policy.service} ${cell.policy.method} ${cell.call.path}`;
      if (!ok) failures.push(`${label}: expected ${expected}, got ${status} ${answer.text.slice(0, 200)}`);
      // A caller bound to platform A never gets anything of platform B: a success names nothing of
      // it, even what the caller asked for; a refusal may only echo what the caller named itself
      // (the operations endpoints excepted: /metrics labels webhook breakers by platform).
      const confined = BOUND.has(cell.caller) || (expected === 'other-tenant' && cell.policy.ownOnly?.includes(cell.caller as Role));
      if (confined && cell.policy.allow !== 'public') {
        const asked = status < 300 ? '' : `${cell.call.path} ${JSON.stringify(cell.call.body ?? '')}`;
        const leaked = otherTenantMarkers.filter((marker) => answer.text.includes(marker) && !asked.includes(marker));
        if (leaked.length > 0) failures.push(`${label}: leaks the other tenant's ${leaked.join(', ')}`);
      }
      const bucket = `${expected} → ${status}`;
      tally.set(bucket, (tally.get(bucket) ?? 0) + 1);
    };
    const run = (cell: Cell) => send(cell.policy.service, cell.policy.method, cell.call, keyFor(cell.caller)).then((answer) => check(cell, answer));

    const parallel = cells.filter((cell) => !SERIAL.has(endpointKey(cell.policy)));
    const batchSize = 24;
    for (let i = 0; i < parallel.length; i += batchSize) await Promise.all(parallel.slice(i, i + batchSize).map(run));
    for (const cell of cells.filter((entry) => SERIAL.has(endpointKey(entry.policy)))) await run(cell);

    console.log(
      `authorisation matrix: ${POLICY.length} endpoints, ${cells.length} requests in ${Math.round((Date.now() - started) / 100) / 10} s\n` +
        [...tally.entries()].sort().map(([bucket, count]) => `  ${bucket}: ${count}`).join('\n'),
    );
    expect(failures).toEqual([]);
  });
});
