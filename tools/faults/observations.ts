import { Services, TOPIC_CATALOGUE, dlqTopic, type ServiceName } from '@vigie/contracts';
import { createKafkaClient } from '@vigie/messaging';
import { AssignerProtocol, type Admin, type Kafka } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * What the fault tests look at once a run has settled: the broker's topics (every event
 * produced, the dead-letter queues, consumer lag) and the audit log itself (read with SQL
 * straight from its table, so nothing the service computes hides a gap).
 */

export const AUDITED_TOPICS = TOPIC_CATALOGUE.filter((topic) => topic.consumers.includes(Services.Audit)).map((topic) => topic.name);
export const DLQ_TOPICS = TOPIC_CATALOGUE.filter((topic) => topic.consumed).map((topic) => dlqTopic(topic.name));
const STACK_SERVICES: ServiceName[] = [Services.Ingest, Services.Scoring, Services.NoticeAndTakedown, Services.Audit];

export type Offsets = Record<string, Record<number, string>>;

export function kafkaFor(brokers: string, clientId: string): Kafka {
  return createKafkaClient({ brokers: brokers.split(','), clientId });
}

/** Runs `work` with a connected admin client, disconnected afterwards whatever happens. */
async function withAdmin<T>(kafka: Kafka, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The current end of each topic's partitions. */
export function endOffsets(kafka: Kafka, topics: readonly string[]): Promise<Offsets> {
  return withAdmin(kafka, async (admin) => {
    const result: Offsets = {};
    for (const topic of topics) {
      result[topic] = {};
      for (const { partition, high } of await admin.fetchTopicOffsets(topic)) result[topic][partition] = high;
    }
    return result;
  });
}

export interface TopicEvent {
  id: string;
  type: string;
  tenant: string;
  topic: string;
}

/**
 * Reads every message of `topics` between `from` and the current end (a throwaway consumer
 * group placed at `from`), returning the events of `tenant` and how many of its messages each
 * topic had (all messages when tenant is null). A message is the tenant's when its key is one of
 * the tenant's subjects (`tenant:adId`; a dead letter keeps its original key, whatever its value)
 * or its value is one of the tenant's events: a broker shared with other stacks carries theirs too.
 */
export async function readTopics(
  kafka: Kafka,
  topics: readonly string[],
  from: Offsets,
  tenant: string | null,
): Promise<{ events: TopicEvent[]; messages: number; messagesByTopic: [string, number][] }> {
  const to = await endOffsets(kafka, topics);
  const pending = new Map<string, bigint>(); // `${topic}:${partition}` → end offset still to reach
  for (const topic of topics) {
    for (const [partition, end] of Object.entries(to[topic])) {
      const start = from[topic]?.[Number(partition)] ?? '0';
      if (BigInt(end) > BigInt(start)) pending.set(`${topic}:${partition}`, BigInt(end));
    }
  }
  const events: TopicEvent[] = [];
  let messages = 0;
  const byTopic = new Map<string, number>();
  if (pending.size === 0) return { events, messages, messagesByTopic: [] };
  const wanted = [...new Set([...pending.keys()].map((key) => key.slice(0, key.lastIndexOf(':'))))];
  const groupId = `faults-scan-${randomBytes(4).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: wanted, fromBeginning: true });
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        const key = `${batch.topic}:${batch.partition}`;
        const end = pending.get(key);
        const start = BigInt(from[batch.topic]?.[batch.partition] ?? '0');
        for (const message of batch.messages) {
          if (end === undefined || BigInt(message.offset) >= end) break;
          if (BigInt(message.offset) < start) continue;
          let event: { id: string; type: string; tenant: string } | undefined;
          try {
            event = message.value ? (JSON.parse(message.value.toString('utf8')) as typeof event) : undefined;
          } catch {
            event = undefined; // not an event (a DLQ copy of a bad message): counted, not listed
          }
          const ours = tenant === null || message.key?.toString('utf8').startsWith(`${tenant}:`) === true || event?.tenant === tenant;
          if (!ours) continue;
          messages += 1;
          byTopic.set(batch.topic, (byTopic.get(batch.topic) ?? 0) + 1);
          if (event?.id && event.type) events.push({ id: event.id, type: event.type, tenant: event.tenant, topic: batch.topic });
        }
        const last = batch.messages[batch.messages.length - 1];
        if (end !== undefined && last && BigInt(last.offset) + 1n >= end) {
          pending.delete(key);
          if (pending.size === 0) done();
        }
      },
    });
    // Straight to where the run began (placing a new group's offsets with the admin client waits
    // for the group coordinator for tens of seconds); anything read before the seek is skipped above.
    for (const key of pending.keys()) {
      const at = key.lastIndexOf(':');
      const topic = key.slice(0, at);
      const partition = Number(key.slice(at + 1));
      consumer.seek({ topic, partition, offset: from[topic]?.[partition] ?? '0' });
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reading the topics timed out; partitions not finished: ${[...pending.keys()].join(', ')}`)), 300_000);
    });
    try {
      await Promise.race([finished, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
    await withAdmin(kafka, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
  }
  return { events, messages, messagesByTopic: [...byTopic] };
}

/** Messages each of the stack's consumer groups has not committed yet, summed over their topics. */
export function consumerLag(kafka: Kafka, groupPrefix: string): Promise<Record<string, number>> {
  return withAdmin(kafka, async (admin) => {
    const lag: Record<string, number> = {};
    for (const service of STACK_SERVICES) {
      const topics = TOPIC_CATALOGUE.filter((topic) => topic.consumers.includes(service)).map((topic) => topic.name);
      const groupId = `${groupPrefix}-${service}`;
      // What the service's members actually subscribe to (the catalogue lists topics some services
      // only might consume); the catalogue's list while the group has no member.
      const [group] = (await admin.describeGroups([groupId])).groups;
      const subscribed = new Set<string>();
      for (const member of group?.members ?? []) {
        const metadata = AssignerProtocol.MemberMetadata.decode(member.memberMetadata);
        for (const topic of metadata?.topics ?? []) subscribed.add(topic);
      }
      const committed = await admin.fetchOffsets({ groupId, topics: subscribed.size > 0 ? topics.filter((topic) => subscribed.has(topic)) : topics });
      let total = 0;
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        let behind = 0;
        for (const { partition, offset } of partitions) {
          const high = BigInt(ends.find((end) => end.partition === partition)?.high ?? '0');
          const at = BigInt(offset) < 0n ? 0n : BigInt(offset);
          if (high > at) behind += Number(high - at);
        }
        if (behind > 0) lag[`${service} ${topic}`] = behind;
        total += behind;
      }
      lag[service] = total;
    }
    return lag;
  });
}

export interface AuditFacts {
  records: number;
  distinctEventIds: number;
  /** Subjects whose seqs are not exactly 1..n. */
  brokenChains: { subject: string; records: number; minSeq: number; maxSeq: number }[];
  byType: Record<string, number>;
  /** Subjects (ads) with ad.ingested / ad.scored, and those with not exactly one. */
  adsIngested: number;
  adsIngestedNotOnce: number;
  adsScored: number;
  adsScoredNotOnce: number;
  /** Scored band per ad id, from the ad.scored records. */
  bandByAd: Map<string, string>;
  /** Decided action per ad id (case.decided), and cases decided more than once. */
  actionsByAd: Map<string, string[]>;
  casesDecidedMoreThanOnce: number;
  casesOpenedMoreThanOnce: number;
  noticesByAd: Map<string, number>;
  /** takedown.requested command ids, and commands with a number of confirmations other than one. */
  requestedCommands: Map<string, string>;
  commandsNotConfirmedOnce: number;
  commandsDeliveredMoreThanOnce: number;
  eventIds: Set<string>;
}

export async function auditFacts(pool: Pool, tenant: string): Promise<AuditFacts> {
  const q = async <T>(sql: string, params: unknown[] = [tenant]) => (await pool.query(sql, params)).rows as T[];
  const [totals] = await q<{ records: string; ids: string }>(`SELECT count(*) AS records, count(DISTINCT event_id) AS ids FROM audit.log WHERE tenant = $1`);
  const brokenChains = await q<{ subject: string; records: string; min_seq: string; max_seq: string }>(
    `SELECT subject, count(*) AS records, min(seq) AS min_seq, max(seq) AS max_seq
       FROM audit.log WHERE tenant = $1 GROUP BY subject
     HAVING min(seq) <> 1 OR max(seq) <> count(*) OR count(DISTINCT seq) <> count(*)`,
  );
  const byType: Record<string, number> = {};
  for (const row of await q<{ type: string; n: string }>(`SELECT type, count(*) AS n FROM audit.log WHERE tenant = $1 GROUP BY type ORDER BY type`)) {
    byType[row.type] = Number(row.n);
  }
  const perSubject = async (type: string) => {
    const [row] = await q<{ subjects: string; not_once: string }>(
      `SELECT count(*) AS subjects, count(*) FILTER (WHERE n <> 1) AS not_once
         FROM (SELECT subject, count(*) AS n FROM audit.log WHERE tenant = $1 AND type = $2 GROUP BY subject) s`,
      [tenant, type],
    );
    return { subjects: Number(row.subjects), notOnce: Number(row.not_once) };
  };
  const ingested = await perSubject('ad.ingested');
  const scored = await perSubject('ad.scored');
  const data = (path: string) => `(canonical::jsonb #>> '{event,data,${path}}')`;
  const adOf = `split_part(subject, ':', 2)`;
  const bandByAd = new Map<string, string>();
  for (const row of await q<{ ad: string; band: string }>(`SELECT ${adOf} AS ad, ${data('band')} AS band FROM audit.log WHERE tenant = $1 AND type = 'ad.scored'`)) {
    bandByAd.set(row.ad, row.band);
  }
  const actionsByAd = new Map<string, string[]>();
  for (const row of await q<{ ad: string; action: string }>(
    `SELECT ${adOf} AS ad, ${data('action')} AS action FROM audit.log WHERE tenant = $1 AND type = 'case.decided' ORDER BY position`,
  )) {
    actionsByAd.set(row.ad, [...(actionsByAd.get(row.ad) ?? []), row.action]);
  }
  const [decidedTwice] = await q<{ n: string }>(
    `SELECT count(*) AS n FROM (SELECT correlation_id FROM audit.log WHERE tenant = $1 AND type = 'case.decided' GROUP BY correlation_id HAVING count(*) > 1) s`,
  );
  const [openedTwice] = await q<{ n: string }>(
    `SELECT count(*) AS n FROM (SELECT subject FROM audit.log WHERE tenant = $1 AND type = 'case.opened' GROUP BY subject HAVING count(*) > 1) s`,
  );
  const noticesByAd = new Map<string, number>();
  for (const row of await q<{ ad: string; n: string }>(`SELECT ${adOf} AS ad, count(*) AS n FROM audit.log WHERE tenant = $1 AND type = 'notice.received' GROUP BY 1`)) {
    noticesByAd.set(row.ad, Number(row.n));
  }
  const requestedCommands = new Map<string, string>();
  for (const row of await q<{ command: string; ad: string }>(
    `SELECT ${data('commandId')} AS command, ${adOf} AS ad FROM audit.log WHERE tenant = $1 AND type = 'takedown.requested'`,
  )) {
    requestedCommands.set(row.command, row.ad);
  }
  const [notConfirmedOnce] = await q<{ n: string }>(
    `SELECT count(*) AS n FROM (
       SELECT r.command, count(c.*) AS confirmations
         FROM (SELECT ${data('commandId')} AS command FROM audit.log WHERE tenant = $1 AND type = 'takedown.requested') r
         LEFT JOIN (SELECT ${data('commandId')} AS command FROM audit.log WHERE tenant = $1 AND type = 'takedown.confirmed') c ON c.command = r.command
        GROUP BY r.command) s
      WHERE confirmations <> 1`,
  );
  const [deliveredTwice] = await q<{ n: string }>(
    `SELECT count(*) AS n FROM (SELECT ${data('commandId')} FROM audit.log WHERE tenant = $1 AND type = 'takedown.delivered' GROUP BY 1 HAVING count(*) > 1) s`,
  );
  const eventIds = new Set((await q<{ id: string }>(`SELECT event_id::text AS id FROM audit.log WHERE tenant = $1`)).map((row) => row.id));
  return {
    records: Number(totals.records),
    distinctEventIds: Number(totals.ids),
    brokenChains: brokenChains.map((row) => ({ subject: row.subject, records: Number(row.records), minSeq: Number(row.min_seq), maxSeq: Number(row.max_seq) })),
    byType,
    adsIngested: ingested.subjects,
    adsIngestedNotOnce: ingested.notOnce,
    adsScored: scored.subjects,
    adsScoredNotOnce: scored.notOnce,
    bandByAd,
    actionsByAd,
    casesDecidedMoreThanOnce: Number(decidedTwice.n),
    casesOpenedMoreThanOnce: Number(openedTwice.n),
    noticesByAd,
    requestedCommands,
    commandsNotConfirmedOnce: Number(notConfirmedOnce.n),
    commandsDeliveredMoreThanOnce: Number(deliveredTwice.n),
    eventIds,
  };
}
