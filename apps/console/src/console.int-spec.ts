import { EVENT_DEFINITIONS } from '@vigie/contracts';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startLoopbackPlatform, type LoopbackPlatform } from './test-support/fake-platform';
import { startConsoleStack, waitFor, type ConsoleStack } from './test-support/stack';

/**
 * The compliance console in a real browser (Debian's Chromium driven by playwright-core)
 * against the real services: cases seeded through the APIs, then what officers, moderators and
 * regulators see and do. Screenshots of every page land in tmp/test-artifacts/console/.
 */

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', '..', 'tmp', 'test-artifacts', 'console');

jest.setTimeout(180_000);

let stack: ConsoleStack;
let platform: LoopbackPlatform;
let browser: Browser;
const keys: Record<'platform' | 'flagger' | 'moderator' | 'officer' | 'otherOfficer' | 'regulator', string> = {
  platform: '', flagger: '', moderator: '', officer: '', otherOfficer: '', regulator: '',
};
let platformId: string;
let otherPlatformId: string;
/** Cases 0 and 1 are decided and confirmed through the APIs; case 2 is left for the moderator in the browser; case 3 stays open. */
const seeded: { caseId: string; adId: string }[] = [];

interface SlaFigures {
  met: number;
  breached: number;
  open: number;
  atRisk: number;
  openBreached: number;
  timeTo: { medianMs: number | null; p90Ms: number | null };
}
interface SlaReport {
  cases: number;
  response: SlaFigures;
  removal: SlaFigures;
  breachesTotal: number;
}

function sampleAd(adId: string) {
  const example = EVENT_DEFINITIONS.find((definition) => definition.type === 'ad.submitted')?.example.data as Record<string, unknown>;
  const now = Date.now();
  return { ...example, platformAdId: adId, url: platform.adUrl(adId), publishedAt: new Date(now - 2 * 3600_000).toISOString(), updatedAt: new Date(now - 3600_000).toISOString() };
}

async function signIn(key: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true, locale: 'en-GB' });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.warn(`browser error: ${error.message}`));
  await page.goto(`${stack.console.url}/console/#/signin`);
  await page.fill('#api-key', key);
  await page.press('#api-key', 'Enter');
  await page.waitForSelector('[data-testid="who"]');
  await page.waitForSelector('main[data-ready]');
  return { context, page };
}

async function open(page: Page, hash: string): Promise<void> {
  // A string: the spec is type-checked without the DOM library.
  // The same hash fires no hashchange: the event is then sent by hand so the page is rendered again.
  await page.evaluate(
    `document.getElementById('main').removeAttribute('data-ready');
     if (location.hash === ${JSON.stringify(hash)}) window.dispatchEvent(new HashChangeEvent('hashchange'));
     else location.hash = ${JSON.stringify(hash)};`,
  );
  await page.waitForSelector('main[data-ready]');
  const ready = await page.getAttribute('main', 'data-ready');
  if (ready === 'error') throw new Error(`page ${hash} failed: ${await page.textContent('main')}`);
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function decideThroughApi(caseId: string): Promise<string> {
  expect((await stack.call('nat', 'POST', `/review/cases/${caseId}/claim`, keys.moderator)).status).toBe(200);
  const decision = await stack.call<{ commandId: string }>('nat', 'POST', `/review/cases/${caseId}/decision`, keys.moderator, {
    action: 'remove',
    explanation: "Annonce de proxénétisme : même contact sous plusieurs prénoms, offre tarifée.",
  });
  expect(decision.status).toBe(201);
  return decision.body.commandId;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install Debian's package (apt-get install -y chromium); the console's browser tests never skip`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  platform = await startLoopbackPlatform();
  stack = await startConsoleStack();
  platformId = `${stack.tenantPrefix}-a`;
  otherPlatformId = `${stack.tenantPrefix}-b`;
  const admin = (path: string, body: unknown) => stack.call<{ apiKey: string; webhookSecret: string | null }>('ingest', 'POST', path, stack.adminKey, body);
  const created = await admin('/admin/platforms', { id: platformId, name: 'Annonces Console', integrationMode: 'http', webhookUrl: platform.webhookUrl });
  expect(created.status).toBe(201);
  keys.platform = created.body.apiKey;
  platform.setSecret(created.body.webhookSecret ?? '');
  expect((await admin('/admin/platforms', { id: otherPlatformId, name: 'Autre plateforme', integrationMode: 'kafka' })).status).toBe(201);
  const key = async (role: string, principalId: string, boundTo?: string) =>
    (await admin('/admin/keys', { role, principalId, label: `${role} ${principalId}`, ...(boundTo ? { platformId: boundTo } : {}) })).body.apiKey;
  keys.flagger = await key('trusted-flagger', 'FR-TF-0042');
  keys.moderator = await key('moderator', 'mod-017', platformId);
  keys.officer = await key('officer', 'officer-a', platformId);
  keys.otherOfficer = await key('officer', 'officer-b', otherPlatformId);
  keys.regulator = await key('regulator', 'arcom');

  const adIds = [0, 1, 2, 3].map((index) => `ad-${index}-${Date.now().toString(36)}`);
  const intake = await stack.call<{ accepted: number }>('ingest', 'POST', `/platforms/${platformId}/ads`, keys.platform, adIds.map(sampleAd));
  expect(intake.body.accepted).toBe(4);
  // The ads have gone through Kafka once scoring has assessed them.
  for (const adId of adIds) {
    await waitFor(async () => (await stack.call('scoring', 'GET', `/platforms/${platformId}/ads/${adId}/assessment`, keys.platform)).status === 200, 60_000, `assessment of ${adId}`);
  }
  for (const adId of adIds) {
    const notice = await stack.call<{ cases: { caseId: string }[] }>('nat', 'POST', '/notices', keys.flagger, {
      locations: [{ platformId, adId }],
      category: 'pimping',
      explanation: 'Le même numéro apparaît sous plusieurs prénoms dans plusieurs villes.',
      goodFaith: true,
    });
    expect(notice.status).toBe(201);
    seeded.push({ caseId: notice.body.cases[0].caseId, adId });
  }
  for (const { caseId, adId } of seeded.slice(0, 2)) {
    const commandId = await decideThroughApi(caseId);
    await waitFor(async () => platform.received.find((command) => command.commandId === commandId), 60_000, `webhook of ${commandId}`);
    const confirmed = await stack.call('nat', 'POST', `/platforms/${platformId}/takedown-results`, keys.platform, { commandId, action: 'remove', confirmedAt: new Date().toISOString() });
    expect([200, 201, 202]).toContain(confirmed.status);
    expect(adId).toBeTruthy();
  }
  await waitFor(
    async () => {
      const report = await stack.call<SlaReport>('audit', 'GET', `/reports/sla?platformId=${platformId}`, keys.regulator);
      return report.body.cases === 4 && report.body.removal.met === 2;
    },
    90_000,
    'the audit to see four cases and two removals',
  );
  // A fortnight of the platform's past moderation log, replayed through the historical import,
  // so the dashboard, the breach list and the screenshots show late cases next to met ones.
  const day = 24 * 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const history = ['reference,adId,category,noticeReceivedAt,noticeSource,decidedAt,decision,removedAt'];
  for (let index = 0; index < 14; index++) {
    const notice = Date.now() - (14 - index) * day;
    const decideAfter = index % 4 === 0 ? 30 * 3_600_000 : (2 + index) * 3_600_000;
    history.push([`H-${index}`, `hist-${index}`, index % 3 === 0 ? 'human-trafficking' : 'pimping', iso(notice), index % 2 ? 'public' : 'trusted-flagger', iso(notice + decideAfter), 'remove', iso(notice + decideAfter + 3_600_000)].join(','));
  }
  const imported = await fetch(`${stack.urls.audit}/imports/moderation-log`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.officer}`, 'content-type': 'text/csv' },
    body: history.join('\n'),
  });
  const importReport = (await imported.json()) as { importId: string; imported: number };
  expect(importReport.imported).toBe(14);
  await waitFor(
    async () => (await stack.call<{ projected: boolean }>('audit', 'GET', `/imports/${importReport.importId}`, keys.officer)).body.projected,
    60_000,
    'the imported history in the SLA engine',
  );
}, 420_000);

afterAll(async () => {
  await browser?.close();
  await platform?.close();
  await stack?.close();
});

describe('the compliance console in Chromium', () => {
  it('shows on the SLA dashboard the same figures as GET /reports/sla for the same filters', async () => {
    const { context, page } = await signIn(keys.officer);
    await shoot(page, '01-dashboard');
    const filterSets: Record<string, string>[] = [{}, { category: 'pimping', source: 'trusted-flagger' }];
    for (const filters of filterSets) {
      const search = new URLSearchParams(filters).toString();
      await open(page, `#/dashboard${search ? `?${search}` : ''}`);
      // The officer's key is bound to its platform: the API scopes the report the same way.
      const { body: report } = await stack.call<SlaReport>('audit', 'GET', `/reports/sla?${new URLSearchParams({ platformId, ...filters })}`, keys.officer);
      const shown = async (testId: string) => {
        const value = await page.getAttribute(`[data-testid="${testId}"]`, 'data-value');
        return value === 'null' ? null : Number(value);
      };
      const rate = (figures: SlaFigures) => (figures.met + figures.breached === 0 ? null : figures.met / (figures.met + figures.breached));
      expect(await shown('removal-rate')).toBe(rate(report.removal));
      expect(await shown('response-rate')).toBe(rate(report.response));
      expect(await shown('removal-median')).toBe(report.removal.timeTo.medianMs);
      expect(await shown('removal-p90')).toBe(report.removal.timeTo.p90Ms);
      expect(await shown('response-median')).toBe(report.response.timeTo.medianMs);
      expect(await shown('response-p90')).toBe(report.response.timeTo.p90Ms);
      expect(await shown('breaches')).toBe(report.removal.breached + report.removal.openBreached + report.response.breached + report.response.openBreached);
      expect(await shown('at-risk')).toBe(report.removal.atRisk + report.response.atRisk);
    }
    expect(await page.locator('[data-testid="trend-chart"] rect').count()).toBeGreaterThan(0);
    // The replayed history has late cases: the filtered view (trusted flaggers) shows breaches.
    expect(await page.getAttribute('[data-testid="breaches"]', 'data-value')).not.toBe('0');
    await shoot(page, '02-dashboard-filtered');
    await page.click('[data-testid="language"]');
    await page.waitForSelector('text=Tableau de bord SLA');
    await shoot(page, '03-dashboard-fr');
    await context.close();
  });

  it('draws a case timeline against its deadline, lists every fact with its source and hands out the evidence bundle', async () => {
    const { context, page } = await signIn(keys.officer);
    await open(page, `#/cases/${seeded[0].caseId}`);
    const stages = await page.locator('[data-testid="case-timeline"] circle').evaluateAll((circles) => circles.map((circle) => circle.getAttribute('data-stage')));
    expect(stages).toEqual(expect.arrayContaining(['publishedAt', 'noticeReceivedAt', 'knowledgeAt', 'decidedAt', 'takedownRequestedAt', 'removedAt']));
    expect(await page.locator('[data-testid="deadline-line"]').count()).toBe(1);
    expect(await page.textContent('[data-testid="chain-status"]')).toContain('verified');
    expect(await page.locator('[data-testid="facts"] tbody tr').count()).toBeGreaterThan(4);
    expect(await page.textContent('[data-testid="facts"]')).toContain('notice-and-takedown');
    await shoot(page, '04-case');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`text=Download the evidence bundle`)]);
    const bundle = JSON.parse(readFileSync(await download.path(), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(bundle)).toContain(seeded[0].caseId);
    await context.close();
  });

  it('lets a moderator claim and decide a case, and the takedown command reaches the platform', async () => {
    const { context, page } = await signIn(keys.moderator);
    await open(page, '#/queue');
    await shoot(page, '05-queue');
    const target = seeded[2];
    await page.click(`[data-claim="${target.caseId}"]`);
    await page.waitForSelector('[data-testid="decision-form"]');
    await page.waitForSelector('main[data-ready]');
    await shoot(page, '06-review');
    // The moderator sees scoring's indicators with their evidence spans highlighted.
    expect(await page.locator('[data-testid="assessment"] mark').count()).toBeGreaterThan(0);
    await page.selectOption('select[name="action"]', 'remove');
    await page.selectOption('select[name="ground"]', 'illegal');
    await page.fill('textarea[name="explanation"]', "Proxénétisme : offre tarifée, même contact sous plusieurs prénoms.");
    await page.fill('input[name="territorialScope"]', 'FR');
    await page.click('button[type="submit"]');
    const result = await page.waitForSelector('[data-testid="decision-result"]');
    const commandId = /[0-9a-f-]{36}/.exec((await result.textContent()) ?? '')?.[0];
    expect(commandId).toBeDefined();
    const received = await waitFor(async () => platform.received.find((command) => command.commandId === commandId), 60_000, 'the takedown webhook');
    expect(received).toMatchObject({ type: 'takedown.requested', platformAdId: target.adId, signatureValid: true });
    await page.waitForSelector('[data-testid="command-status"]');
    await shoot(page, '07-decided');
    await context.close();
  });

  it("does not show another platform's case to a platform officer who types its URL", async () => {
    const { context, page } = await signIn(keys.otherOfficer);
    await open(page, `#/cases/${seeded[0].caseId}`);
    expect(await page.locator('[data-testid="case-not-found"]').count()).toBe(1);
    expect(await page.textContent('main')).not.toContain(seeded[0].adId);
    await shoot(page, '08-other-platform-case');
    await context.close();
  });

  it('shows open cases with a live countdown, the breach list and the reports to a regulator', async () => {
    const { context, page } = await signIn(keys.regulator);
    await shoot(page, '09-regulator-home');
    await open(page, '#/cases');
    const cell = page.locator('[data-testid="open-cases"] td[data-deadline]').first();
    const first = await cell.textContent();
    await page.waitForTimeout(1500);
    expect(await cell.textContent()).not.toBe(first);
    await shoot(page, '10-open-cases');
    await open(page, `#/breaches?platformId=${platformId}`);
    await shoot(page, '11-breaches');
    await open(page, '#/reports');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-download="sla-report.csv"]')]);
    expect(readFileSync(await csv.path(), 'utf8').split('\n').length).toBeGreaterThan(1);
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('[data-download="transparency-report.json"]')]);
    expect(JSON.parse(readFileSync(await json.path(), 'utf8'))).toBeTruthy();
    await shoot(page, '12-reports');
    await context.close();
  });

  it('starts at the sign-in page without a key', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${stack.console.url}/console/`);
    await page.waitForSelector('#api-key');
    await shoot(page, '00-sign-in');
    await context.close();
  });
});
