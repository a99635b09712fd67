import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createEvent, subjectFor, uuidv7, type AnyEvent, type EventData } from '@vigie/contracts';
import type { SpanContext } from '@opentelemetry/api';
import { activeSpanContext, runInSpanContext, type Outbox, type OutboxRelay } from '@vigie/messaging';
import { OUTBOX, RELAY, type Caller } from '@vigie/service-kit';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { GroupCommitter, GroupCommitterFullError } from './group-committer';
import { inWaves } from './in-waves';
import { TransactionsBegunAhead } from './transactions-begun-ahead';
import { adTracesOf, type AdTraceRow } from '../../cases/services/ad-traces';
import { CaseLedger } from '../../cases/services/case-ledger.service';
import { PlatformDirectory } from '../../cases/services/platform-directory.service';
import type { SubmitNoticeBody } from '../dtos/notice.dtos';
import { NoticeException, NoticeExceptionCode } from '../exceptions/notice.exception';

export interface NoticeReceipt {
  noticeId: string;
  receivedAt: string;
  sourceType: 'public' | 'trusted-flagger' | 'authority-order';
  acknowledged: boolean;
  cases: { caseId: string; platformAdId: string; joinedExistingCase: boolean; status: string }[];
  notifierStanding: 'good' | 'warned' | 'deprioritised';
}

interface ResolvedLocation {
  platformId: string;
  adId: string;
  /** The address the notifier gave, kept on the notice as its claim. */
  url: string | null;
  /**
   * The address the platform itself sent for the ad, when the notice located the ad by it: the
   * only one a case (and so a command, and the removal verifier's GET) may take from a notice.
   * A notifier's address beside an ad id is a claim, and would point the verifier anywhere.
   */
  platformUrl: string | null;
}

interface PendingNotice {
  body: SubmitNoticeBody;
  caller: Caller | null;
  sourceType: NoticeReceipt['sourceType'];
  locations: ResolvedLocation[];
  notifierKey: string;
  receivedAt: Date;
  noticeId: string;
  /** The trace of the request that sent it (a group mixes requests). */
  trace: SpanContext | undefined;
}

/** A notifier's standing, as read in JSON (times as strings). */
interface StandingRow {
  notifier_key: string;
  warned_at: string | null;
  deprioritised_at: string | null;
}

/** How long committed events are left to this process's own publication before the relay takes them. */
const RELAY_TAKEOVER_MS = 5000;
/** Notices allowed to wait for their group; the next ones are answered 503 (see the batcher). */
export const MAX_WAITING_NOTICES = 2000;
const BUSY_RETRY_AFTER_SECONDS = 1;

const lockOrder = (item: PendingNotice) => `${item.locations[0]?.platformId}:${item.locations[0]?.adId}`;

const hash = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

/**
 * DSA Art. 16 notices in: validated as a whole (nothing partial is stored), timestamped with
 * the server's clock, joined to the case of each ad, acknowledged to notifiers who can be
 * reached — all in one transaction with the events it causes.
 */
@Injectable()
export class NoticeIntake implements OnModuleDestroy {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ledger: CaseLedger,
    private readonly platforms: PlatformDirectory,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(RELAY) private readonly relay: OutboxRelay,
  ) {
    this.transactions = new TransactionsBegunAhead(dataSource);
  }

  private readonly transactions: TransactionsBegunAhead;

  // One group at a time: a second one in flight halves both groups, which costs more round
  // trips per notice than the overlap saves (measured with bench:notices).
  private readonly batcher = new GroupCommitter<PendingNotice, NoticeReceipt>((items) => this.recordGroup(items), {
    maxGroupSize: 64,
    maxConcurrentGroups: 1,
    // About a second of notices at the rate bench:notices measures: beyond, the database is not
    // keeping up, and a prompt 503 serves the notifier better than an answer that never comes.
    maxWaiting: MAX_WAITING_NOTICES,
  });

  async onModuleDestroy(): Promise<void> {
    await this.transactions.dropSpare();
  }

  async submit(body: SubmitNoticeBody, caller: Caller | null, clientAddress: string): Promise<NoticeReceipt> {
    // Receipt time is taken on arrival, before the notice waits for its group.
    const receivedAt = new Date();
    const sourceType = this.sourceTypeOf(body, caller);
    const locations = await this.resolveLocations(body);
    const notifierKey = caller
      ? `key:${caller.keyId}`
      : body.notifier?.email
        ? `email:${hash(body.notifier.email.toLowerCase())}`
        : `address:${hash(clientAddress)}`;
    const item: PendingNotice = { body, caller, sourceType, locations, notifierKey, receivedAt, noticeId: uuidv7(), trace: activeSpanContext() };
    return this.batcher.submit(item).catch((error: unknown) => {
      if (!(error instanceof GroupCommitterFullError)) throw error;
      throw new NoticeException(
        NoticeExceptionCode.BUSY,
        'too many notices are waiting to be recorded; retry shortly',
        undefined,
        { retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS },
        BUSY_RETRY_AFTER_SECONDS,
      );
    });
  }

  /**
   * Records a group of notices in one transaction: one commit (one WAL flush) for all of
   * them, and a fixed number of statements per wave (see `inWaves`) whatever the group's
   * size. Should the group fail as a whole (a deadlock with another group, say), each notice
   * is retried alone so one cannot take the others down.
   */
  private async recordGroup(items: PendingNotice[]): Promise<(NoticeReceipt | Error)[]> {
    // Locking cases in a stable order keeps concurrent groups from deadlocking.
    const ordered = [...items].sort((a, b) => lockOrder(a).localeCompare(lockOrder(b)));
    try {
      // The group runs in whichever request's context started it: no trace is the group's, each
      // notice's events continue the ad's trace, else the trace of the request that sent it.
      const committed = await runInSpanContext(undefined, () => this.transactions.run(async (manager) => {
        const { recorded, subjectTraces } = await this.record(manager, ordered);
        const events: AnyEvent[] = [];
        const answers = new Map<PendingNotice, NoticeReceipt>();
        const requestTraces = new Map<string, SpanContext>();
        ordered.forEach((item, index) => {
          const { receipt, events: itemEvents } = recorded[index] as { receipt: NoticeReceipt; events: AnyEvent[] };
          answers.set(item, receipt);
          events.push(...itemEvents);
          if (item.trace) for (const event of itemEvents) requestTraces.set(event.id, item.trace);
        });
        // No NOTIFY (Postgres serialises the commits of notifying transactions, and notices are
        // the busiest writes here): this process publishes the events itself once they are
        // committed, from memory instead of reading them back; the relay takes over rows
        // still there after RELAY_TAKEOVER_MS (a publication failed, or this process died).
        const pending = await this.outbox.enqueue(manager, events, { publishItselfWithinMs: RELAY_TAKEOVER_MS, requestTraces, subjectTraces });
        return { receipts: items.map((item) => answers.get(item) as NoticeReceipt), pending };
      }));
      // The notifier has its receipt once the notice is stored; the broker need not be waited for.
      this.relay.publishSoon(committed.pending, RELAY_TAKEOVER_MS);
      return committed.receipts;
    } catch (error) {
      if (items.length === 1) return [error as Error];
      const results: (NoticeReceipt | Error)[] = [];
      for (const item of items) results.push(...(await this.recordGroup([item])));
      return results;
    }
  }

  /**
   * Stores the notices (in their order) and joins them to their cases; answers each one's
   * receipt and events, and the traces of the ads they are about.
   */
  private async record(
    manager: EntityManager,
    items: readonly PendingNotice[],
  ): Promise<{ recorded: { receipt: NoticeReceipt; events: AnyEvent[] }[]; subjectTraces: Map<string, SpanContext> }> {
    // One statement reads the notifiers' standings and the traces of the notices' ads (for the
    // outbox) and stores the notices; a notice from a deprioritised notifier is stored as such
    // (the same test as `deprioritisedNow` below).
    const [read]: { standings: StandingRow[]; traces: AdTraceRow[] }[] = await manager.query(
      `WITH standing AS (
         SELECT notifier_key, warned_at, deprioritised_at FROM notice_and_takedown.notifier_standing WHERE notifier_key = ANY($2::text[])),
       stored AS (
         INSERT INTO notice_and_takedown.notices
           (id, received_at, source_type, channel, category, keywords, explanation, notifier_name, notifier_email,
            notifier_key, good_faith, authority_order, locations, deprioritised)
         SELECT n.id, n.received_at, n.source_type, n.channel, n.category, n.keywords, n.explanation, n.notifier_name, n.notifier_email,
                n.notifier_key, n.good_faith, n.authority_order, n.locations,
                EXISTS (SELECT 1 FROM standing s WHERE s.notifier_key = n.notifier_key AND s.deprioritised_at IS NOT NULL)
           FROM json_to_recordset($1::json) AS n (
                  id uuid, received_at timestamptz, source_type text, channel text, category text, keywords text[], explanation text,
                  notifier_name text, notifier_email text, notifier_key text, good_faith boolean, authority_order jsonb, locations jsonb))
       SELECT COALESCE((SELECT json_agg(standing) FROM standing), '[]') AS standings,
              COALESCE((SELECT json_agg(t) FROM (
                SELECT a.platform_id, a.ad_id, a.trace_parent, a.trace_state
                  FROM notice_and_takedown.ads a
                  JOIN unnest($3::text[], $4::text[]) AS s (platform_id, ad_id) ON a.platform_id = s.platform_id AND a.ad_id = s.ad_id
                 WHERE a.trace_parent IS NOT NULL) AS t), '[]') AS traces`,
      [
        JSON.stringify(
          items.map(({ body, sourceType, locations, notifierKey, receivedAt, noticeId }) => ({
            id: noticeId,
            received_at: receivedAt,
            source_type: sourceType,
            channel: sourceType === 'authority-order' ? 'authority-portal' : 'api',
            category: body.category,
            keywords: body.keywords ?? [],
            explanation: body.explanation,
            notifier_name: body.notifier?.name ?? null,
            notifier_email: body.notifier?.email ?? null,
            notifier_key: notifierKey,
            good_faith: body.goodFaith,
            authority_order: body.authorityOrder ?? null,
            locations: locations.map(({ platformId, adId, url }) => ({ platformId, adId, url })),
          })),
        ),
        [...new Set(items.map((item) => item.notifierKey))],
        items.map((item) => (item.locations[0] as ResolvedLocation).platformId),
        items.map((item) => (item.locations[0] as ResolvedLocation).adId),
      ],
    );
    const standings = new Map((read?.standings ?? []).map((row) => [row.notifier_key, row]));
    const deprioritisedNow = (item: PendingNotice) => !!standings.get(item.notifierKey)?.deprioritised_at;

    const results = items.map((item) => {
      const { body, caller, sourceType, locations, receivedAt, noticeId } = item;
      const [first] = locations as [ResolvedLocation];
      const envelope = { tenant: first.platformId, subject: subjectFor(first.platformId, first.adId), source: 'notice-and-takedown' };
      const received = createEvent('notice.received', {
        ...envelope,
        occurredAt: receivedAt,
        data: {
          noticeId,
          receivedAt: receivedAt.toISOString(),
          sourceType,
          channel: sourceType === 'authority-order' ? 'authority-portal' : 'api',
          category: body.category,
          locations: locations.map((location) => ({ platformAdId: location.adId, url: location.url })),
          explanation: body.explanation,
          // Contact details stay in this service's database: the event log needs none.
          notifier:
            sourceType === 'trusted-flagger' ? { name: null, email: null, trustedFlaggerId: caller?.principalId ?? null } : null,
          goodFaithConfirmed: body.goodFaith,
          authorityOrder: body.authorityOrder ?? null,
        } satisfies EventData<'notice.received'>,
      });
      return { item, envelope, received, caseEvents: locations.map((): AnyEvent[] => []), cases: [] as NoticeReceipt['cases'] };
    });

    // A wave's ads are distinct, so each joins its case in a few statements for the whole wave;
    // a later notice about the same ad waits for the next wave and sees the earlier one's effects.
    for (const wave of inWaves(items.map((item) => item.locations.map((location) => `${location.platformId}:${location.adId}`)))) {
      const opened = await this.ledger.openOrJoinMany(
        manager,
        wave.map(({ item: index, location: at }) => {
          const { item, received } = results[index] as (typeof results)[number];
          const location = item.locations[at] as ResolvedLocation;
          return {
            platformId: location.platformId,
            adId: location.adId,
            url: location.platformUrl,
            origin: item.sourceType === 'authority-order' ? 'authority-order' : 'notice',
            category: item.body.category,
            notice: { id: item.noticeId, receivedAt: item.receivedAt, sourceType: item.sourceType, deprioritised: deprioritisedNow(item) },
            flag: null,
            authorityDeadline: item.body.authorityOrder ? new Date(item.body.authorityOrder.deadline) : null,
            now: item.receivedAt,
            causationId: received.id,
          };
        }),
      );
      for (const [position, { item: index, location: at }] of wave.entries()) {
        const { row, opened: isNew, events } = opened[position] as (typeof opened)[number];
        const result = results[index] as (typeof results)[number];
        const caseEvents = result.caseEvents[at] as AnyEvent[];
        caseEvents.push(...events);
        // A notice on an ad already decided is answered at once with that decision.
        if (row.status !== 'open' && row.decision_id && row.action) {
          caseEvents.push(
            ...(await this.ledger.informNotifiers(
              manager,
              row,
              { id: row.decision_id, action: row.action as EventData<'notifier.informed'>['action'] },
              result.item.receivedAt,
              result.received.id,
            )),
          );
        }
        result.cases[at] = { caseId: row.id, platformAdId: row.ad_id, joinedExistingCase: !isNew, status: row.status };
      }
    }

    const recorded = results.map(({ item, envelope, received, caseEvents, cases }) => {
      const { body, caller, sourceType, notifierKey, receivedAt, noticeId } = item;
      const standing = standings.get(notifierKey);
      const events: AnyEvent[] = [received, ...caseEvents.flat()];
      const acknowledged = caller !== null || !!body.notifier?.email;
      if (acknowledged) {
        events.push(
          createEvent('notice.acknowledged', {
            ...envelope,
            causationId: received.id,
            occurredAt: receivedAt,
            data: { noticeId, acknowledgedAt: receivedAt.toISOString(), channel: caller ? 'api-response' : 'email' },
          }),
        );
      }
      const receipt: NoticeReceipt = {
        noticeId,
        receivedAt: receivedAt.toISOString(),
        sourceType,
        acknowledged,
        cases,
        notifierStanding: deprioritisedNow(item) ? 'deprioritised' : standing?.warned_at ? 'warned' : 'good',
      };
      return { receipt, events };
    });
    return { recorded, subjectTraces: adTracesOf(read?.traces ?? []) };
  }

  private sourceTypeOf(body: SubmitNoticeBody, caller: Caller | null): NoticeReceipt['sourceType'] {
    const errors: { field: string; reason: string }[] = [];
    let sourceType: NoticeReceipt['sourceType'] = 'public';
    if (caller?.role === 'authority') sourceType = 'authority-order';
    else if (caller?.role === 'trusted-flagger') sourceType = 'trusted-flagger';
    else if (caller !== null && caller.role !== 'admin') {
      throw new NoticeException(NoticeExceptionCode.ROLE_NOT_ALLOWED, `a ${caller.role} key cannot submit notices; send them without a key or with a trusted-flagger or authority key`);
    }
    if (!body.goodFaith) errors.push({ field: '/goodFaith', reason: 'the notifier must confirm the notice is accurate and made in good faith (DSA Art. 16(2)(d))' });
    if (sourceType === 'authority-order' && !body.authorityOrder) {
      errors.push({ field: '/authorityOrder', reason: 'an authority key submits orders: give authority, reference, legalBasis and deadline' });
    }
    if (sourceType !== 'authority-order' && body.authorityOrder) {
      errors.push({ field: '/authorityOrder', reason: 'only an authority key may submit an order' });
    }
    if (body.authorityOrder && Number.isNaN(Date.parse(body.authorityOrder.deadline))) {
      errors.push({ field: '/authorityOrder/deadline', reason: 'not a valid UTC timestamp' });
    }
    if (sourceType === 'public' && body.category !== 'minors') {
      if (!body.notifier?.name) errors.push({ field: '/notifier/name', reason: 'a public notice needs the notifier name, except for offences involving minors (DSA Art. 16(2)(c))' });
      if (!body.notifier?.email) errors.push({ field: '/notifier/email', reason: 'a public notice needs the notifier e-mail, except for offences involving minors (DSA Art. 16(2)(c))' });
    }
    const platforms = new Set(body.locations.map((location) => location.platformId));
    if (platforms.size > 1) errors.push({ field: '/locations', reason: 'one notice concerns one platform: send a notice per platform' });
    body.locations.forEach((location, index) => {
      if (!location.adId && !location.url) errors.push({ field: `/locations/${index}`, reason: 'give the ad id, or the exact URL of the ad' });
    });
    const seen = new Set<string>();
    body.locations.forEach((location, index) => {
      const key = `${location.platformId}:${location.adId ?? location.url}`;
      if (seen.has(key)) errors.push({ field: `/locations/${index}`, reason: 'the same ad is listed twice' });
      seen.add(key);
    });
    if (errors.length > 0) throw new NoticeException(NoticeExceptionCode.INVALID_NOTICE, `invalid notice: ${errors[0]?.field} ${errors[0]?.reason}`, errors);
    return sourceType;
  }

  /** Every location names an ad: by id, or by the URL of an ad already ingested. */
  private async resolveLocations(body: SubmitNoticeBody): Promise<ResolvedLocation[]> {
    const platformId = (body.locations[0] as { platformId: string }).platformId;
    if ((await this.platforms.exists(platformId)) === false) {
      throw new NoticeException(NoticeExceptionCode.LOCATION_NOT_FOUND, `no platform "${platformId}" is connected to Vigie`, [
        { field: '/locations/0/platformId', reason: 'unknown platform' },
      ]);
    }
    const byUrl = body.locations.filter((location) => !location.adId).map((location) => location.url as string);
    const known = new Map<string, string>();
    if (byUrl.length > 0) {
      const rows: { url: string; ad_id: string }[] = await this.dataSource.query(
        // A join, so each URL is one probe of (platform_id, url) whatever the planner's statistics.
        `SELECT a.url, a.ad_id FROM unnest($2::text[]) AS wanted(url) JOIN notice_and_takedown.ads a ON a.platform_id = $1 AND a.url = wanted.url`,
        [platformId, byUrl],
      );
      for (const row of rows) known.set(row.url, row.ad_id);
    }
    const errors: { field: string; reason: string }[] = [];
    const locations = body.locations.map((location, index) => {
      const adId = location.adId ?? known.get(location.url as string);
      if (!adId) errors.push({ field: `/locations/${index}/url`, reason: 'no ad with this URL is known yet: give the ad id as well' });
      const platformUrl = location.adId ? null : (location.url as string);
      return { platformId: location.platformId, adId: adId ?? '', url: location.url ?? null, platformUrl };
    });
    if (errors.length > 0) throw new NoticeException(NoticeExceptionCode.LOCATION_NOT_FOUND, `cannot locate the ad: ${errors[0]?.reason}`, errors);
    return locations;
  }
}
