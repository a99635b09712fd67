import { EVENT_DEFINITIONS, Topics } from '@vigie/contracts';
import { createKafkaClient, parseTraceparent } from '@vigie/messaging';
import { startVigieStack, waitFor, type VigieStack } from '@vigie/testing';
import type { Consumer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Client } from 'pg';

/**
 * One ad's path across the four services is one W3C trace: a platform sends the ad with its
 * own `traceparent`; ingest, scoring, notice-and-takedown (the flag, a notice, a moderator's
 * decision made over HTTP without any trace header, the takedown webhook) and the audit's log
 * all carry that trace id, each event a span of its own. Everything is read where it really
 * travels: Kafka headers, the webhook request, the audit's table and its timeline API.
 */

jest.setTimeout(240_000);

const TRACE_ID = randomBytes(16).toString('hex');
const PLATFORM_SPAN = randomBytes(8).toString('hex');
const TRACEPARENT = `00-${TRACE_ID}-${PLATFORM_SPAN}-01`;

interface Seen {
  topic: string;
  type: string;
  subject: string;
  traceparent: string | undefined;
  tracestate: string | undefined;
}

let stack: VigieStack;
let consumer: Consumer;
let platformServer: Server;
let platformUrl: string;
const webhooks: { headers: IncomingHttpHeaders; body: { id: string; type: string; data: { platformAdId: string } } }[] = [];
const removed = new Set<string>();
const seen: Seen[] = [];
let platformId: string;
const keys = { platform: '', moderator: '', flagger: '', regulator: '' };

function sampleAd(adId: string) {
  const example = EVENT_DEFINITIONS.find((definition) => definition.type === 'ad.submitted')?.example.data as Record<string, unknown>;
  const now = Date.now();
  return {
    ...example,
    platformAdId: adId,
    url: `${platformUrl}/ads/${adId}`,
    publishedAt: new Date(now - 2 * 3600_000).toISOString(),
    updatedAt: new Date(now - 3600_000).toISOString(),
  };
}

async function pushAds(ads: unknown[], headers: Record<string, string> = {}): Promise<{ status: number; body: { accepted: number } }> {
  const response = await fetch(`${stack.urls.ingest}/platforms/${platformId}/ads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys.platform}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(ads),
  });
  return { status: response.status, body: (await response.json()) as { accepted: number } };
}

const ofAd = (adId: string) => seen.filter((message) => message.subject === `${platformId}:${adId}`);
const traceIdOf = (message: Seen) => parseTraceparent(message.traceparent, message.tracestate)?.traceId;

beforeAll(async () => {
  platformServer = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/webhook') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof webhooks)[number]['body'];
        webhooks.push({ headers: request.headers, body });
        if (body.type === 'takedown.requested') removed.add(body.data.platformAdId);
        response.writeHead(202, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const ad = /^\/ads\/([^/?]+)/.exec(request.url ?? '');
      response.writeHead(ad ? (removed.has(decodeURIComponent(ad[1])) ? 410 : 200) : 404).end();
    });
  });
  await new Promise<void>((resolve) => platformServer.listen(0, '127.0.0.1', () => resolve()));
  const address = platformServer.address();
  platformUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  stack = await startVigieStack({ label: 'trace' });
  platformId = `${stack.tenantPrefix}-p`;
  const admin = <T>(path: string, body: unknown) => stack.call<T>('ingest', 'POST', path, stack.adminKey, body);
  const created = await admin<{ apiKey: string }>('/admin/platforms', { id: platformId, name: 'Traced Annonces', integrationMode: 'http', webhookUrl: `${platformUrl}/webhook` });
  expect(created.status).toBe(201);
  keys.platform = created.body.apiKey;
  const key = async (role: string, principalId: string, boundTo?: string) =>
    (await admin<{ apiKey: string }>('/admin/keys', { role, principalId, label: `${role} ${principalId}`, ...(boundTo ? { platformId: boundTo } : {}) })).body.apiKey;
  keys.moderator = await key('moderator', 'mod-trace', platformId);
  keys.flagger = await key('trusted-flagger', 'FR-TF-TRACE');
  keys.regulator = await key('regulator', 'arcom-trace');

  // A consumer of our own reads what really travels on the topics, headers included.
  const kafka = createKafkaClient({ brokers: stack.kafkaBrokers.split(','), clientId: 'trace-proof' });
  consumer = kafka.consumer({ groupId: `${stack.tenantPrefix}-trace-proof`, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({
    topics: [Topics.AdsIngested, Topics.AdsScored, Topics.Notices, Topics.Cases, Topics.TakedownCommands, Topics.TakedownResults],
    fromBeginning: false,
  });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const value = JSON.parse(message.value?.toString('utf8') ?? '{}') as { type?: string; subject?: string };
      if (!value.subject?.startsWith(`${platformId}:`)) return;
      seen.push({
        topic,
        type: String(value.type),
        subject: value.subject,
        traceparent: message.headers?.traceparent?.toString(),
        tracestate: message.headers?.tracestate?.toString(),
      });
    },
  });
  await joined;
  // The group's first fetch positions at the end: give it a moment before producing.
  await new Promise((resolve) => setTimeout(resolve, 1500));
}, 240_000);

afterAll(async () => {
  await consumer?.disconnect();
  await stack?.close();
  await new Promise<void>((resolve) => (platformServer ? platformServer.close(() => resolve()) : resolve()));
});

describe('one ad, one trace', () => {
  const adId = `traced-${Date.now().toString(36)}`;
  let caseId: string;

  it("keeps the platform's trace from intake to takedown, across the four services, on Kafka and on the webhook", async () => {
    const intake = await pushAds([sampleAd(adId)], { traceparent: TRACEPARENT, tracestate: 'platform=ads-7' });
    expect(intake.status).toBe(200);
    expect(intake.body.accepted).toBe(1);
    await waitFor(async () => (await stack.call('scoring', 'GET', `/platforms/${platformId}/ads/${adId}/assessment`, keys.platform)).status === 200, 60_000, 'the assessment');
    await waitFor(async () => ofAd(adId).some((m) => m.type === 'ad.scored'), 30_000, 'ad.scored on Kafka');

    // A notice and a moderator's decision over HTTP, without any trace header of their own.
    const notice = await stack.call<{ cases: { caseId: string }[] }>('nat', 'POST', '/notices', keys.flagger, {
      locations: [{ platformId, adId }],
      category: 'pimping',
      explanation: 'Le même numéro apparaît sous plusieurs prénoms dans plusieurs villes.',
      goodFaith: true,
    });
    expect(notice.status).toBe(201);
    caseId = notice.body.cases[0].caseId;
    expect((await stack.call('nat', 'POST', `/review/cases/${caseId}/claim`, keys.moderator)).status).toBe(200);
    const decision = await stack.call<{ commandId: string }>('nat', 'POST', `/review/cases/${caseId}/decision`, keys.moderator, {
      action: 'remove',
      explanation: 'Annonce de proxénétisme : même contact sous plusieurs prénoms, offre tarifée.',
    });
    expect(decision.status).toBe(201);
    const webhook = await waitFor(async () => webhooks.find((call) => call.body.data.platformAdId === adId), 60_000, 'the takedown webhook');
    // The platform confirms with the trace the command came with.
    const confirmed = await fetch(`${stack.urls.nat}/platforms/${platformId}/takedown-results`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.platform}`, 'content-type': 'application/json', traceparent: String(webhook.headers.traceparent) },
      body: JSON.stringify({ commandId: decision.body.commandId, action: 'remove', confirmedAt: new Date().toISOString() }),
    });
    expect([200, 201, 202]).toContain(confirmed.status);

    const required = ['ad.ingested', 'ad.scored', 'notice.received', 'case.opened', 'case.decided', 'takedown.requested', 'takedown.delivered', 'takedown.confirmed'];
    await waitFor(async () => required.every((type) => ofAd(adId).some((m) => m.type === type)), 60_000, `${required.join(', ')} on Kafka`);

    const messages = ofAd(adId);
    for (const message of messages) {
      expect({ type: message.type, topic: message.topic, traceId: traceIdOf(message) }).toEqual({ type: message.type, topic: message.topic, traceId: TRACE_ID });
    }
    // Each event is a span of its own, none of them the platform's.
    const spans = messages.map((message) => parseTraceparent(message.traceparent)?.spanId);
    expect(new Set(spans).size).toBe(messages.length);
    expect(spans).not.toContain(PLATFORM_SPAN);
    // The platform's tracestate travels with its trace through the pipeline.
    expect(messages.find((m) => m.type === 'ad.scored')?.tracestate).toBe('platform=ads-7');
    // The webhook hands the trace on to the platform.
    expect(parseTraceparent(webhook.headers.traceparent)?.traceId).toBe(TRACE_ID);
  });

  it('records the trace id of each logged event in the audit, outside the hash chain, and shows it on the timeline', async () => {
    const types = ['ad.ingested', 'ad.scored', 'case.opened', 'case.decided', 'takedown.requested'];
    const client = new Client({ connectionString: stack.databaseUrl });
    await client.connect();
    try {
      const rows = await waitFor(
        async () => {
          const result = await client.query<{ type: string; trace_id: string | null; canonical: string }>(
            `SELECT type, trace_id, canonical FROM audit.log WHERE subject = $1 ORDER BY seq`,
            [`${platformId}:${adId}`],
          );
          return types.every((type) => result.rows.some((row) => row.type === type)) && result.rows;
        },
        60_000,
        'the audit to log the ad’s events',
      );
      for (const row of rows) expect({ type: row.type, traceId: row.trace_id }).toEqual({ type: row.type, traceId: TRACE_ID });
      // The hashed canonical record knows nothing of traces.
      for (const row of rows) expect(row.canonical).not.toContain(TRACE_ID);
    } finally {
      await client.end();
    }
    const timeline = await waitFor(
      async () => {
        const answer = await stack.call<{ entries: { kind: string; type: string; traceId: string | null }[]; chain: { status: string } }>(
          'audit',
          'GET',
          `/cases/${caseId}/timeline`,
          keys.regulator,
        );
        return answer.status === 200 && answer.body.entries.some((entry) => entry.type === 'case.decided') && answer.body;
      },
      60_000,
      'the case timeline',
    );
    const facts = timeline.entries.filter((entry) => entry.kind === 'fact');
    expect(facts.length).toBeGreaterThan(3);
    for (const fact of facts) expect({ type: fact.type, traceId: fact.traceId }).toEqual({ type: fact.type, traceId: TRACE_ID });
    // The ad's hash chain still verifies.
    expect(timeline.chain.status).toBe('verified');
  });

  it('starts one trace per ad when the platform sends none, or a malformed one, and the trace still crosses services', async () => {
    const plain = [`plain-a-${Date.now().toString(36)}`, `plain-b-${Date.now().toString(36)}`];
    expect((await pushAds(plain.map(sampleAd))).body.accepted).toBe(2);
    const malformed = `bad-${Date.now().toString(36)}`;
    const bad = await pushAds([sampleAd(malformed)], { traceparent: '00-not-a-trace-01' });
    expect(bad.status).toBe(200);
    expect(bad.body.accepted).toBe(1);
    const adIds = [...plain, malformed];
    await waitFor(async () => adIds.every((id) => ofAd(id).some((m) => m.type === 'ad.scored')), 60_000, 'the three ads scored');
    const traces = adIds.map((id) => {
      const [ingested, scored] = ['ad.ingested', 'ad.scored'].map((type) => ofAd(id).find((m) => m.type === type) as Seen);
      expect(traceIdOf(ingested)).toMatch(/^[0-9a-f]{32}$/);
      expect(traceIdOf(scored)).toBe(traceIdOf(ingested));
      return traceIdOf(ingested);
    });
    expect(new Set([...traces, TRACE_ID]).size).toBe(4);
  });

  it('exports the pipeline, SLA and delivery metrics the README dashboards use', async () => {
    const metrics = async (service: 'ingest' | 'scoring' | 'nat' | 'audit') => (await fetch(`${stack.urls[service]}/metrics`)).text();
    /** The samples of one metric whose labels include all of `labels`. */
    const samples = (text: string, name: string, labels: Record<string, string | RegExp> = {}) =>
      text.split('\n').filter((line) => {
        const match = /^([a-z_]+)\{([^}]*)\} /.exec(line);
        if (!match || match[1] !== name) return false;
        const present = Object.fromEntries([...match[2].matchAll(/([a-z_]+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
        return Object.entries(labels).every(([key, want]) => present[key] !== undefined && (typeof want === 'string' ? present[key] === want : want.test(present[key])));
      });
    const scoring = await metrics('scoring');
    expect(samples(scoring, 'vigie_consumer_lag', { group: /-scoring$/, topic: 'ads.ingested.v1', partition: /^\d+$/ }).length).toBeGreaterThan(0);
    expect(samples(scoring, 'vigie_events_published_total', { topic: 'ads.scored.v1' }).length).toBe(1);
    expect(samples(scoring, 'vigie_outbox_backlog')).toHaveLength(1);
    const nat = await metrics('nat');
    expect(samples(nat, 'vigie_nat_time_to_decision_seconds_count', { decided_by: 'moderator' }).length).toBeGreaterThan(0);
    expect(samples(nat, 'vigie_nat_webhook_breaker_state', { platform: platformId })).toHaveLength(1);
    expect(samples(await metrics('ingest'), 'vigie_ingest_ads_total', { outcome: 'accepted', channel: 'http-batch' })).toHaveLength(1);
    const audit = await metrics('audit');
    expect(samples(audit, 'vigie_audit_sla_cases', { platform: platformId, sla: /^(response|removal)$/ }).length).toBeGreaterThan(0);
    expect(samples(audit, 'vigie_outbox_oldest_seconds')).toHaveLength(1);
  });
});
