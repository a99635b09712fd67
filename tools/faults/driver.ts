import { httpCall, NoAnswer, retryAfter, sleep, type Answer } from './http';
import type { LoopbackPlatform } from './loopback-platform';
import type { Scenario, ScenarioAd } from './scenario';

/**
 * The scenario's people and systems, through Vigie's public APIs only, each behaving as a
 * careful client would when a service disappears under it:
 * - the platform streams its ads in batches and resends a batch until it is answered (a
 *   resent ad already recorded comes back `duplicate`: same content, no new event);
 * - notifiers send their notices; POST /notices has no idempotency key, so when an answer is
 *   lost the notifier first asks whether its notice was recorded (by the reference it wrote in
 *   the explanation) before sending it again;
 * - a moderator bot works the review queue, claims each case and decides it as the scenario
 *   says; a decision whose answer was lost is found decided on the next try (409 CASE_NOT_OPEN).
 */

export interface DriverKeys {
  platform: string;
  flagger: string;
  moderator: string;
}

export interface DriverOptions {
  readonly urls: { ingest: string; nat: string };
  readonly keys: DriverKeys;
  readonly platformId: string;
  readonly platform: LoopbackPlatform;
  readonly scenario: Scenario;
  /** Ads per second the platform sends at most. */
  readonly rate: number;
  readonly batchSize: number;
  /** Batches in flight at once. */
  readonly concurrency: number;
  /** The platform's claim of when its ads went live. */
  readonly publishedAt: string;
  /** Whether notice-and-takedown recorded the notice carrying this reference (answer lost). */
  readonly noticeRecorded: (reference: string) => Promise<boolean>;
  readonly log: (line: string) => void;
}

export interface DriverStats {
  adsSent: number;
  adsAccepted: number;
  /** Ads answered `duplicate`: only on a resent batch whose first answer was lost. */
  adsDuplicate: number;
  adsRejected: number;
  batchRetries: number;
  noticesSent: number;
  noticeRetries: number;
  /** Notices found recorded after their answer was lost (not sent again). */
  noticesFoundAfterLostAnswer: number;
  decisions: number;
  /** Decisions found made after their answer was lost. */
  decisionsFoundAfterLostAnswer: number;
  decisionRetries: number;
  /** Cases the scenario did not expect (e.g. a flag it did not predict). */
  unexpectedCases: string[];
  errors: string[];
}

export function newDriverStats(): DriverStats {
  return {
    adsSent: 0,
    adsAccepted: 0,
    adsDuplicate: 0,
    adsRejected: 0,
    batchRetries: 0,
    noticesSent: 0,
    noticeRetries: 0,
    noticesFoundAfterLostAnswer: 0,
    decisions: 0,
    decisionsFoundAfterLostAnswer: 0,
    decisionRetries: 0,
    unexpectedCases: [],
    errors: [],
  };
}

const noticeReference = (platformId: string, adId: string) => `FT:${platformId}:${adId}`;

export class ScenarioDriver {
  readonly stats = newDriverStats();
  /** Cases decided (or found decided), by case id. */
  readonly decided = new Map<string, { adId: string; action: string }>();
  private stopping = false;
  private queueEmptySince: number | null = null;
  private readonly noticeQueue: ScenarioAd[] = [];
  private noticeWorkers: Promise<void>[] = [];
  private streamDone = false;

  constructor(private readonly options: DriverOptions) {}

  /** The bot found the review queue empty on its last look (and since when). */
  get reviewQueueEmptySince(): number | null {
    return this.queueEmptySince;
  }

  get noticesPending(): number {
    return this.noticeQueue.length;
  }

  stop(): void {
    this.stopping = true;
  }

  private error(message: string): void {
    if (this.stats.errors.length < 50) this.stats.errors.push(message);
    this.options.log(`driver: ${message}`);
  }

  /** Streams every ad, and the notices of each batch once it is recorded; resolves when all are answered. */
  async stream(onProgress: (sent: number) => void): Promise<void> {
    const { scenario, batchSize, rate, concurrency } = this.options;
    const batches: ScenarioAd[][] = [];
    for (let start = 0; start < scenario.ads.length; start += batchSize) batches.push(scenario.ads.slice(start, start + batchSize));
    this.noticeWorkers = Array.from({ length: 4 }, () => this.noticeWorker());
    const began = Date.now();
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < batches.length && !this.stopping; index = next++) {
        const batch = batches[index];
        const due = began + ((index * batchSize) / rate) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
        await this.sendBatch(batch);
        this.stats.adsSent += batch.length;
        for (const ad of batch) if (ad.notice) this.noticeQueue.push(ad);
        onProgress(this.stats.adsSent);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    this.streamDone = true;
    await Promise.all(this.noticeWorkers);
  }

  private toAd(ad: ScenarioAd) {
    const { platform, publishedAt } = this.options;
    return {
      platformAdId: ad.adId,
      url: platform.adUrl(ad.adId),
      category: 'services',
      title: ad.title,
      body: ad.body,
      price: null,
      location: { city: ad.city, country: 'FR' },
      contacts: { phones: [], emails: [], handles: [] },
      posterAccountId: `acct-${ad.adId}`,
      images: [],
      language: 'fr',
      publishedAt,
      updatedAt: publishedAt,
      status: 'live',
    };
  }

  private async sendBatch(batch: ScenarioAd[]): Promise<void> {
    const { urls, platformId, keys } = this.options;
    const payload = batch.map((ad) => this.toAd(ad));
    for (let attempt = 1; !this.stopping; attempt++) {
      if (attempt > 1) this.stats.batchRetries += 1;
      let answer: Answer<{ results?: { status: string; platformAdId: string; errors?: unknown }[] }>;
      try {
        answer = await httpCall(urls.ingest, 'POST', `/platforms/${platformId}/ads`, keys.platform, payload, 60_000);
      } catch (error) {
        if (!(error instanceof NoAnswer)) throw error;
        await sleep(500); // ingest is down or restarting: the batch goes again
        continue;
      }
      if ((answer.status === 200 || answer.status === 207) && Array.isArray(answer.body.results)) {
        for (const result of answer.body.results) {
          if (result.status === 'accepted') this.stats.adsAccepted += 1;
          else if (result.status === 'duplicate') this.stats.adsDuplicate += 1;
          else {
            this.stats.adsRejected += 1;
            this.error(`ad ${result.platformAdId} rejected: ${JSON.stringify(result.errors)}`);
          }
        }
        return;
      }
      if (answer.status === 503 || answer.status === 429) {
        await sleep(retryAfter(answer, 1000));
        continue;
      }
      if (attempt % 20 === 1) this.error(`ad batch answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
      await sleep(1000);
    }
  }

  private async noticeWorker(): Promise<void> {
    for (;;) {
      const ad = this.noticeQueue.shift();
      if (!ad) {
        if (this.streamDone || this.stopping) return;
        await sleep(100);
        continue;
      }
      await this.sendNotice(ad);
    }
  }

  private async sendNotice(ad: ScenarioAd): Promise<void> {
    const { urls, platformId, keys, noticeRecorded } = this.options;
    const notice = ad.notice;
    if (!notice) return;
    const reference = noticeReference(platformId, ad.adId);
    const body = {
      locations: [{ platformId, adId: ad.adId }],
      category: notice.category,
      explanation: `Annonce proposant les services sexuels d'une tierce personne, contact et lieu fournis (réf. ${reference}).`,
      goodFaith: true,
      ...(notice.source === 'public' ? { notifier: { name: 'Camille Martin', email: 'camille.martin@example.org' } } : {}),
    };
    const key = notice.source === 'trusted-flagger' ? keys.flagger : null;
    for (let attempt = 1; !this.stopping; attempt++) {
      if (attempt > 1) this.stats.noticeRetries += 1;
      let answer: Answer;
      let lost = false;
      try {
        answer = await httpCall(urls.nat, 'POST', '/notices', key, body);
        if (answer.status === 201) {
          this.stats.noticesSent += 1;
          return;
        }
        if (answer.status === 429 || answer.status === 503) {
          await sleep(retryAfter(answer, 1000));
          continue;
        }
        // A 5xx may come after the commit (e.g. the database went away while answering).
        lost = answer.status >= 500;
        if (!lost) {
          this.error(`notice on ${ad.adId} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
          await sleep(1000);
          continue;
        }
      } catch (error) {
        if (!(error instanceof NoAnswer)) throw error;
        lost = true;
      }
      if (lost) {
        // Was it recorded before the answer was lost? Ask until the question can be answered.
        for (;;) {
          try {
            if (await noticeRecorded(reference)) {
              this.stats.noticesFoundAfterLostAnswer += 1;
              this.stats.noticesSent += 1;
              return;
            }
            break;
          } catch {
            await sleep(1000);
          }
        }
        await sleep(500);
      }
    }
  }

  /** Works the review queue until `stop()`; decides each case as the scenario says. */
  async moderate(): Promise<void> {
    const { urls, keys } = this.options;
    while (!this.stopping) {
      let answer: Answer<{ cases?: { caseId: string; platformAdId: string }[] }>;
      try {
        answer = await httpCall(urls.nat, 'GET', '/review/queue?limit=50', keys.moderator);
      } catch {
        await sleep(500);
        continue;
      }
      if (answer.status !== 200 || !Array.isArray(answer.body.cases)) {
        await sleep(500);
        continue;
      }
      const cases = answer.body.cases.filter((c) => !this.decided.has(c.caseId));
      if (cases.length === 0) {
        this.queueEmptySince ??= Date.now();
        await sleep(300);
        continue;
      }
      this.queueEmptySince = null;
      for (const item of cases) {
        if (this.stopping) return;
        await this.decide(item.caseId, item.platformAdId);
      }
    }
  }

  private async decide(caseId: string, adId: string): Promise<void> {
    const { urls, keys, scenario } = this.options;
    const ad = scenario.byAdId.get(adId);
    let action = ad?.decision;
    if (!action) {
      if (!this.stats.unexpectedCases.includes(adId)) this.stats.unexpectedCases.push(adId);
      action = 'no-action';
    }
    const body = {
      action,
      explanation:
        action === 'remove'
          ? "Offre de services sexuels pour le compte d'un tiers : proxénétisme (examen de l'annonce)."
          : "Aucun élément illicite constaté à l'examen de l'annonce.",
    };
    for (let attempt = 1; !this.stopping; attempt++) {
      if (attempt > 1) {
        this.stats.decisionRetries += 1;
        await sleep(Math.min(2000, 200 * attempt));
      }
      let claim: Answer<{ code?: string }>;
      try {
        claim = await httpCall(urls.nat, 'POST', `/review/cases/${caseId}/claim`, keys.moderator);
      } catch {
        continue;
      }
      if (claim.status === 409 && claim.body.code === 'CASE_NOT_OPEN') {
        // Decided already: by this bot, whose answer was lost.
        this.decided.set(caseId, { adId, action });
        this.stats.decisionsFoundAfterLostAnswer += 1;
        return;
      }
      if (claim.status !== 200) continue;
      let decision: Answer<{ code?: string }>;
      try {
        decision = await httpCall(urls.nat, 'POST', `/review/cases/${caseId}/decision`, keys.moderator, body);
      } catch {
        continue;
      }
      if (decision.status === 201) {
        this.decided.set(caseId, { adId, action });
        this.stats.decisions += 1;
        return;
      }
      if (decision.status === 409 && decision.body.code === 'CASE_NOT_OPEN') {
        this.decided.set(caseId, { adId, action });
        this.stats.decisionsFoundAfterLostAnswer += 1;
        return;
      }
      if (decision.status < 500 && decision.status !== 409 && decision.status !== 429) {
        this.error(`decision on case ${caseId} answered ${decision.status}: ${JSON.stringify(decision.body).slice(0, 300)}`);
      }
    }
  }
}

export { noticeReference };
