import { generateCorpus, type LabelledAd } from '../eval/corpus';
import { replayModerationHistory } from './replay-history';
import { startSimulatedPlatform, type SimulatedPlatform, type TakedownCommand } from './simulated-platform';

/**
 * The `npm start` demo: a simulated platform streams a synthetic, labelled ad stream (rings
 * sharing phones across cities, templates, obfuscation, minors cues, benign look-alikes) into
 * ingest; notifiers send public, trusted-flagger and authority notices; a moderator bot works
 * the review queue; the platform executes takedown commands, goes down for a while (its
 * circuit breaker opens) and confirms removals. Everything goes through the services' public
 * APIs, as a real platform and real people would.
 */
export interface DemoOptions {
  ingestUrl: string;
  scoringUrl: string;
  noticeAndTakedownUrl: string;
  auditUrl: string;
  adminKey: string;
  ads: number;
  adsPerSecond: number;
  /** The platform's webhook is down for this long, a third into the stream. */
  outageMs: number;
  log: (line: string) => void;
  /** Resolves when the demo should stop early (Ctrl-C). */
  stopped: Promise<void>;
  /** When `npm start` was typed (epoch ms), to report the time to the first scored ad. */
  launchedAt: number;
  /** Days of synthetic moderation history replayed through the historical import at the end (0: none). */
  historyDays: number;
  /** Where the replayed history's CSV is written. */
  workDirectory: string;
}

export interface DemoSummary {
  platformId: string;
  /** From the command to the first ad's assessment being readable from scoring. */
  firstScoredAfterMs: number | null;
  historyCases: number;
  adsSent: number;
  adsAccepted: number;
  notices: number;
  decisions: number;
  removalsConfirmed: number;
  officerKey: string;
  moderatorKey: string;
  slaReport: SlaReportSummary | null;
}

interface SlaKindFigures {
  applicable: number;
  met: number;
  breached: number;
  open: number;
  atRisk: number;
  openBreached: number;
  timeTo: { count: number; medianMs: number | null; p90Ms: number | null };
}

export interface SlaReportSummary {
  cases: number;
  response: SlaKindFigures;
  removal: SlaKindFigures;
  breachesTotal: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function call<T>(base: string, method: string, path: string, key: string | null, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

function toAd(item: LabelledAd, index: number, platform: SimulatedPlatform, publishedAt: string) {
  const adId = `ad-${String(index).padStart(6, '0')}`;
  return {
    platformAdId: adId,
    url: platform.adUrl(adId),
    category: item.scenario === 'benign' ? 'services' : 'rencontres',
    title: item.ad.title,
    body: item.ad.body,
    price: null,
    location: { city: item.ad.city, country: item.ad.country },
    // Contacts are in the text, as on real ads; scoring extracts them, obfuscated or not.
    contacts: { phones: [], emails: [], handles: [] },
    posterAccountId: item.ringId ? `acct-${item.ringId}` : `acct-${item.id}`,
    images: [],
    language: item.ad.language,
    publishedAt,
    updatedAt: publishedAt,
    status: 'live',
  };
}

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const { log } = options;
  let stopping = false;
  void options.stopped.then(() => (stopping = true));
  const platform = await startSimulatedPlatform({ executionDelayMs: [500, 4000] });
  const nat = <T>(method: string, path: string, key: string | null, body?: unknown) => call<T>(options.noticeAndTakedownUrl, method, path, key, body);
  try {
    const platformId = `demo-${new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')}`;
    const created = await call<{ apiKey: string; webhookSecret: string }>(options.ingestUrl, 'POST', '/admin/platforms', options.adminKey, {
      id: platformId,
      name: 'Demo Annonces (simulated)',
      integrationMode: 'http',
      webhookUrl: platform.webhookUrl,
    });
    if (created.status !== 201) throw new Error(`could not register the demo platform (${created.status})`);
    const platformKey = created.body.apiKey;
    const key = async (role: string, principalId: string, platformScoped: boolean) => {
      const answer = await call<{ apiKey: string }>(options.ingestUrl, 'POST', '/admin/keys', options.adminKey, {
        role,
        principalId,
        label: 'npm start demo',
        ...(platformScoped ? { platformId } : {}),
      });
      if (answer.status !== 201) throw new Error(`could not issue the demo ${role} key (${answer.status})`);
      return answer.body.apiKey;
    };
    const [flaggerKey, authorityKey, moderatorKey, officerKey] = await Promise.all([
      key('trusted-flagger', 'FR-TF-DEMO', false),
      key('authority', 'pharos-demo', false),
      key('moderator', 'mod-demo', true),
      key('officer', 'officer-demo', true),
    ]);
    let removalsConfirmed = 0;
    platform.connect({
      webhookSecret: created.body.webhookSecret,
      confirm: async (command: TakedownCommand) => {
        const answer = await nat('POST', `/platforms/${platformId}/takedown-results`, platformKey, {
          commandId: command.commandId,
          action: command.action,
          confirmedAt: new Date().toISOString(),
          platformReference: `ticket-${command.commandId.slice(-6)}`,
        });
        if (answer.status < 300 && command.action !== 'reinstate') removalsConfirmed += 1;
      },
    });
    log(`demo: platform ${platformId} registered, simulated at ${platform.url}; streaming ${options.ads} ads at ${options.adsPerSecond}/s`);

    const corpus = generateCorpus({ seed: 20261123, size: options.ads }).sort((a, b) => a.postedAt - b.postedAt);
    const counters = { adsSent: 0, adsAccepted: 0, notices: 0, decisions: 0 };
    let streamDone = false;
    let streamDoneAt = 0;
    let firstScored: Promise<number | null> = Promise.resolve(null);
    // Time to value: from the command typed to the first ad's assessment readable from scoring.
    const waitForFirstScore = async (adId: string): Promise<number | null> => {
      for (let waited = 0; waited < 60_000 && !stopping; waited += 100) {
        const answer = await call(options.scoringUrl, 'GET', `/platforms/${platformId}/ads/${adId}/assessment`, platformKey).catch(() => ({ status: 0 }));
        if (answer.status === 200) {
          const afterMs = Date.now() - options.launchedAt;
          log(`demo: first ad scored ${(afterMs / 1000).toFixed(1)} s after the command`);
          return afterMs;
        }
        await sleep(100);
      }
      return null;
    };

    const notify = async (index: number, item: LabelledAd) => {
      const adId = `ad-${String(index).padStart(6, '0')}`;
      const location = [{ platformId, adId, url: platform.adUrl(adId) }];
      let answer: { status: number };
      if (item.scenario === 'ring' && index % 7 === 0) {
        answer = await nat('POST', '/notices', flaggerKey, {
          locations: location,
          category: 'human-trafficking',
          explanation: 'Même numéro et même texte sous plusieurs prénoms et villes : indices de traite.',
          goodFaith: true,
        });
      } else if (item.scenario === 'organised' && index % 11 === 0) {
        answer = await nat('POST', '/notices', authorityKey, {
          locations: location,
          category: 'pimping',
          explanation: "Réquisition : annonce liée à une enquête pour proxénétisme aggravé.",
          goodFaith: true,
          authorityOrder: {
            authority: 'PHAROS (démo)',
            reference: `PH-DEMO-${index}`,
            legalBasis: 'Code pénal art. 225-5',
            deadline: new Date(Date.now() + 2 * 3_600_000).toISOString(),
          },
        });
      } else if (index % 53 === 0) {
        answer = await nat('POST', '/notices', null, {
          locations: location,
          category: 'pimping',
          explanation: "Cette annonce semble proposer des services sexuels pour le compte d'un tiers.",
          goodFaith: true,
          notifier: { name: 'Camille Martin', email: 'camille.martin@example.org' },
        });
      } else {
        return;
      }
      if (answer.status === 201) counters.notices += 1;
    };

    const stream = async () => {
      const batchSize = 100;
      const publishedAt = new Date(Date.now() - 3_600_000).toISOString();
      for (let start = 0; start < corpus.length && !stopping; start += batchSize) {
        const began = Date.now();
        const slice = corpus.slice(start, start + batchSize);
        const answer = await call<{ results: { status: string }[] }>(
          options.ingestUrl,
          'POST',
          `/platforms/${platformId}/ads`,
          platformKey,
          slice.map((item, offset) => toAd(item, start + offset, platform, publishedAt)),
        );
        counters.adsSent += slice.length;
        if (start === 0) firstScored = waitForFirstScore(`ad-${String(0).padStart(6, '0')}`);
        if (answer.status === 200 || answer.status === 207) counters.adsAccepted += answer.body.results.filter((r) => r.status !== 'rejected').length;
        if (start <= corpus.length / 3 && start + batchSize > corpus.length / 3) {
          platform.outage(options.outageMs);
          log(`demo: the platform's webhook is down for ${Math.round(options.outageMs / 1000)} s — its circuit breaker will open`);
        }
        await Promise.all(slice.map((item, offset) => notify(start + offset, item)));
        await sleep(Math.max(0, (batchSize / options.adsPerSecond) * 1000 - (Date.now() - began)));
      }
      streamDone = true;
      streamDoneAt = Date.now();
    };

    // A moderator working the queue: removes what is flagged high or critical or notified by a
    // trusted flagger or an authority, dismisses the rest, with a few hundred ms per case.
    const moderate = async () => {
      let idleSince: number | null = null;
      // The moderator goes home half a minute after the stream ends: what is left stays queued.
      while (!stopping && !(streamDone && Date.now() - streamDoneAt > 30_000)) {
        const next = await nat<{ caseId: string }>('POST', '/review/next', moderatorKey);
        if (next.status !== 200) {
          idleSince ??= Date.now();
          if (streamDone && Date.now() - idleSince > 8000) return;
          await sleep(1000);
          continue;
        }
        idleSince = null;
        const view = await nat<{ category: string; flag: { band: string } | null; notices: { sourceType: string }[] }>(
          'GET',
          `/cases/${next.body.caseId}`,
          moderatorKey,
        );
        const strong =
          view.body.flag?.band === 'critical' ||
          view.body.flag?.band === 'high' ||
          view.body.category === 'minors' ||
          view.body.notices.some((notice) => notice.sourceType !== 'public');
        await sleep(200 + Math.random() * 600);
        const decided = await nat('POST', `/review/cases/${next.body.caseId}/decision`, moderatorKey, {
          action: strong ? 'remove' : 'no-action',
          explanation: strong
            ? "Indices d'exploitation sexuelle d'autrui confirmés à l'examen de l'annonce."
            : "Aucun élément illicite constaté à l'examen de l'annonce.",
        });
        if (decided.status === 201) counters.decisions += 1;
      }
    };

    // Cases and SLA states as the audit sees them, refreshed beside the progress line.
    let audited = '';
    const progress = setInterval(() => {
      log(
        `demo: ads ${counters.adsSent}/${corpus.length} (accepted ${counters.adsAccepted}) · notices ${counters.notices} · decisions ${counters.decisions}` +
          ` · commands received ${platform.stats.commandsReceived} (refused while down ${platform.stats.refusedDuringOutage}) · removals confirmed ${removalsConfirmed}${audited}`,
      );
      void call<SlaReportSummary>(options.auditUrl, 'GET', `/reports/sla?platformId=${platformId}&limit=0`, options.adminKey).then(
        (answer) => {
          if (answer.status !== 200) return;
          const { cases, response, removal } = answer.body;
          audited = ` · audit: ${cases} cases, SLA met ${response.met + removal.met}, breached ${response.breached + response.openBreached + removal.breached + removal.openBreached}`;
        },
        () => undefined,
      );
    }, 3000);
    try {
      await Promise.all([stream(), moderate()]);
      // Let the last commands be delivered and confirmed, and the audit catch up.
      for (let waited = 0; waited < 20_000 && !stopping && platform.stats.executed > removalsConfirmed; waited += 1000) await sleep(1000);
      await sleep(3000);
    } finally {
      clearInterval(progress);
    }
    const firstScoredAfterMs = await firstScored;
    // The live stream is minutes old, so its cases all meet 24 h deadlines; a month of the
    // platform's past moderation log, replayed through the historical import, shows breaches too.
    let historyCases = 0;
    if (options.historyDays > 0 && !stopping) {
      try {
        const replayed = await replayModerationHistory({
          auditUrl: options.auditUrl,
          apiKey: options.adminKey,
          platformId,
          days: options.historyDays,
          casesPerDay: 20,
          directory: options.workDirectory,
          log: (line) => log(`demo: ${line}`),
        });
        historyCases = replayed.import.imported + replayed.import.alreadyImported;
      } catch (error) {
        log(`demo: the history replay failed: ${(error as Error).message}`);
      }
    }
    const report = await settledSlaReport(options.auditUrl, platformId, options.adminKey, () => stopping);
    return {
      platformId,
      firstScoredAfterMs,
      historyCases,
      ...counters,
      removalsConfirmed,
      officerKey,
      moderatorKey,
      slaReport: report && report.status === 200 ? report.body : null,
    };
  } finally {
    await platform.close();
  }
}

/**
 * The audit's report once the pipeline has gone quiet: late removal confirmations and
 * verifier rounds still move cases from open to met for a few seconds after the stream
 * ends, so the headline figures are read until three reads in a row agree (at most a minute).
 */
async function settledSlaReport(auditUrl: string, platformId: string, adminKey: string, stopping: () => boolean) {
  let last: { status: number; body: SlaReportSummary } | null = null;
  let agreeing = 0;
  for (let reads = 0; reads < 40 && agreeing < 2 && !stopping(); reads += 1) {
    if (last) await sleep(1500);
    const answer = await call<SlaReportSummary>(auditUrl, 'GET', `/reports/sla?platformId=${platformId}`, adminKey).catch(() => null);
    if (!answer || answer.status !== 200) {
      agreeing = 0;
      last = answer;
      continue;
    }
    agreeing = last?.status === 200 && describeSlaReport(last.body) === describeSlaReport(answer.body) ? agreeing + 1 : 0;
    last = answer;
  }
  return last;
}

const minutes = (ms: number | null) =>
  ms === null ? '-' : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 7_200_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 3_600_000).toFixed(1)} h`;

export function describeSummary(summary: DemoSummary): string {
  const lines = [
    `Demo finished for platform ${summary.platformId}: ${summary.adsAccepted}/${summary.adsSent} ads accepted, ${summary.notices} notices,` +
      ` ${summary.decisions} decisions, ${summary.removalsConfirmed} removals confirmed by the platform.`,
  ];
  if (summary.firstScoredAfterMs !== null) lines.push(`First ad scored ${(summary.firstScoredAfterMs / 1000).toFixed(1)} s after the command.`);
  if (summary.historyCases > 0) lines.push(`Replayed history: ${summary.historyCases} past cases of the platform's moderation log, imported through the historical import.`);
  lines.push(summary.slaReport ? describeSlaReport(summary.slaReport) : 'SLA report: the audit service did not answer.');
  lines.push(`Officer key for this platform (reports, cases): ${summary.officerKey}`);
  lines.push(`Moderator key for this platform (review queue): ${summary.moderatorKey}`);
  return lines.join('\n');
}

/** The SLA report's headline figures in two lines. */
export function describeSlaReport(report: SlaReportSummary): string {
  return (
    `SLA report (audit): ${report.cases} cases; response SLA met ${report.response.met}, breached ${report.response.breached + report.response.openBreached},` +
    ` open ${report.response.open + report.response.atRisk}; removal SLA met ${report.removal.met}, breached ${report.removal.breached + report.removal.openBreached},` +
    ` open ${report.removal.open + report.removal.atRisk};\nmedian time to removal ${minutes(report.removal.timeTo.medianMs)}` +
    ` (p90 ${minutes(report.removal.timeTo.p90Ms)}), median time to response ${minutes(report.response.timeTo.medianMs)}; ${report.breachesTotal} breaches listed by the audit.`
  );
}
