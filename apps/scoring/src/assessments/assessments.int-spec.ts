// Scoring through the real broker and database: ad.ingested in, ad.scored / ad.rescored out,
// poison to the DLQ, and the assessment API authenticated against a real ingest service
// (run as its own process, as in production: apps never import each other).
import { createEvent, encodeEvent, EVENT_DEFINITIONS, subjectFor, Topics, type AnyEvent, type EventData, type EventOf } from '@vigie/contracts';
import { createKafkaClient, KafkaEventPublisher } from '@vigie/messaging';
import { bootstrapService, type RunningService } from '@vigie/service-kit';
import { freePort } from '@vigie/testing';
import type { KafkaMessage } from 'kafkajs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { scoringService } from '../scoring.service';
import { AdAssessor } from './services/ad-assessor.service';
import { NetworkRebuild } from './services/network-rebuild.service';
import { NetworkState } from './services/network-state.service';

const suffix = randomBytes(4).toString('hex');
const tenant = `it-scoring-${suffix}`;
const database = `vigie_scoring_it_${suffix}`;
const adminKey = `admin-${randomBytes(24).toString('hex')}`;
const kafka = createKafkaClient({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: `scoring-it-${suffix}` });
const publisher = new KafkaEventPublisher(kafka);
const template = EVENT_DEFINITIONS.find((d) => d.type === 'ad.ingested')?.example.data as EventData<'ad.ingested'>;

async function startIngest(env: Record<string, string | undefined>): Promise<{ url: string; process: ChildProcess }> {
  const root = join(__dirname, '..', '..', '..', '..');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'apps/ingest/src/main.ts'], {
    cwd: root,
    env: { ...process.env, ...env, TS_NODE_PROJECT: join(root, 'tsconfig.json') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${env.INGEST_PORT}`;
  const deadline = Date.now() + 90000;
  while ((await fetch(`${url}/ready`).then((r) => r.status, () => 0)) !== 200) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('ingest did not start');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return { url, process: child };
}

/** A `latest` consumer misses what is produced before it has its partitions: wait for that. */
async function waitForStableGroup(groupId: string): Promise<void> {
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  try {
    const deadline = Date.now() + 60000;
    for (;;) {
      const { groups } = await kafkaAdmin.describeGroups([groupId]);
      if (groups[0]?.state === 'Stable' && groups[0].members.length > 0) break;
      if (Date.now() > deadline) throw new Error(`consumer group ${groupId} did not stabilise`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000)); // its first fetch pins the start offsets
  } finally {
    await kafkaAdmin.disconnect();
  }
}

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

function ingested(adId: string, text: { title: string; body: string }, extra: Partial<EventData<'ad.ingested'>> = {}): EventOf<'ad.ingested'> {
  return createEvent('ad.ingested', {
    tenant,
    subject: subjectFor(tenant, adId),
    source: 'ingest',
    data: {
      ...template,
      platformAdId: adId,
      url: `https://annonces.example/${adId}`,
      title: text.title,
      body: text.body,
      originalText: text,
      contacts: { phones: [], emails: [], handles: [] },
      images: [],
      receivedAt: new Date().toISOString(),
      ...extra,
    },
  });
}

describe('scoring service (real Kafka and PostgreSQL)', () => {
  let ingest: { url: string; process: ChildProcess };
  let scoring: RunningService;
  const scored: AnyEvent[] = [];
  const deadLetters: KafkaMessage[] = [];
  const reader = kafka.consumer({ groupId: `scoring-it-reader-${suffix}` });

  beforeAll(async () => {
    await admin(`CREATE DATABASE "${database}"`);
    const url = new URL(process.env.DATABASE_URL ?? '');
    url.pathname = `/${database}`;
    const common = { KAFKA_BROKERS: process.env.KAFKA_BROKERS, DATABASE_URL: url.toString(), LOG_LEVEL: 'warn', KAFKA_CONSUMER_GROUP_PREFIX: `it-${suffix}` };
    ingest = await startIngest({ ...common, INGEST_PORT: String(await freePort()), INGEST_ADMIN_API_KEY: adminKey, KAFKA_CONSUMER_START: 'latest' });
    // Topics are shared with the other spec files: start from now, not from their history.
    scoring = await bootstrapService(scoringService, {
      ...common,
      SCORING_PORT: String(await freePort()),
      VIGIE_AUTH_URL: ingest.url,
      KAFKA_CONSUMER_START: 'latest',
    });
    await waitForStableGroup(`it-${suffix}-scoring`);
    await reader.connect();
    await reader.subscribe({ topics: [Topics.AdsScored, `${Topics.AdsIngested}.dlq`], fromBeginning: true });
    await reader.run({
      eachMessage: async ({ topic, message }) => {
        if (topic.endsWith('.dlq')) {
          if (message.value?.toString().includes(suffix)) deadLetters.push(message);
          return;
        }
        const event = JSON.parse(message.value?.toString() ?? '{}') as AnyEvent;
        if (event.tenant === tenant) scored.push(event);
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let the reader join before producing
  }, 120000);

  afterAll(async () => {
    await reader.disconnect();
    await publisher.disconnect();
    await scoring?.close();
    ingest?.process.kill('SIGTERM');
    await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  });

  const waitFor = async <T>(probe: () => T | undefined, what: string, timeoutMs = 30000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const send = (events: AnyEvent[]) =>
    publisher.publish(events.map((event) => ({ topic: Topics.AdsIngested, key: event.subject, value: encodeEvent(event), headers: {} })));
  const scoredFor = (adId: string, type = 'ad.scored') =>
    scored.find((event) => event.type === type && event.subject === subjectFor(tenant, adId)) as EventOf<'ad.scored'> | undefined;

  it('flags a stated minor as critical with evidence spans in the original text, and leaves a therapist low', async () => {
    const minor = ingested('minor-1', { title: 'Nouvelle ici', body: "Coucou, j'ai 17 ans, jeune et douce, disponible ce soir." });
    const therapist = ingested('therapist-1', {
      title: 'Cabinet de kinésithérapie',
      body: 'Kinésithérapeute diplômée d’État, massages thérapeutiques sur ordonnance, du lundi au vendredi.',
    });
    await send([minor, therapist]);
    const minorScore = await waitFor(() => scoredFor('minor-1'), 'the minor ad to be scored');
    expect(minorScore.data.band).toBe('critical');
    expect(minorScore.data.referralSuggested).toBe(true);
    expect(minorScore.causationId).toBe(minor.id);
    for (const indicator of minorScore.data.indicators) {
      for (const span of indicator.spans) {
        const original = minor.data.originalText[span.field];
        expect(original.slice(span.start, span.end)).toBe(span.excerpt);
      }
    }
    const therapistScore = await waitFor(() => scoredFor('therapist-1'), 'the therapist ad to be scored');
    expect(therapistScore.data.band).toBe('low');
  });

  it('links one phone across names and cities, and re-scores the earlier ads', async () => {
    const phone = `+3361${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const personas = [
      ['Lina', 'Lyon'],
      ['Maya', 'Paris'],
      ['Sofia', 'Marseille'],
    ];
    for (const [index, [name, city]] of personas.entries()) {
      await send([
        ingested(`tour-${index}`, { title: `${name}, nouvelle en ville`, body: `Bonjour, je suis ${name}, de passage à ${city} cette semaine. Rendez-vous en hôtel.` }, {
          contacts: { phones: [phone], emails: [], handles: [] },
          location: { city, country: 'FR' },
        }),
      ]);
      await waitFor(() => scoredFor(`tour-${index}`), `tour ad ${index} to be scored`);
    }
    const third = scoredFor('tour-2');
    expect(third?.data.network).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'shared-contact', contact: phone, distinctCities: 3 })]),
    );
    const rescored = await waitFor(() => scoredFor('tour-0', 'ad.rescored') as EventOf<'ad.rescored'> | undefined, 'the first ad to be re-scored');
    expect(rescored.data.reason).toBe('network-evidence-changed');
    expect(rescored.data.score).toBeGreaterThan(rescored.data.previousScore);
  });

  it('re-scores the ads of one batch that a later ad of the same batch linked', async () => {
    const phone = `+3362${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const ring = [
      ['Lina', 'Lyon'],
      ['Maya', 'Paris'],
      ['Sofia', 'Marseille'],
    ].map(([name, city], index) =>
      ingested(`ring-${index}`, { title: `${name} dispo ce soir`, body: `Coucou, ${name} ici, quelques jours seulement sur ${city}, appelle vite pour un moment discret.` }, {
        contacts: { phones: [phone], emails: [], handles: [] },
        location: { city, country: 'FR' },
      }),
    );
    // One batch, as the consumer hands it over when the three share a partition.
    const events = await scoring.app.get(DataSource).transaction((manager) => scoring.app.get(AdAssessor).assess(manager, ring));
    // (The ads of earlier specs may be re-scored too: their texts look alike.)
    const rescored = events.filter((event) => event.type === 'ad.rescored' && event.subject.includes(':ring-')).map((event) => event.subject);
    expect(rescored.sort()).toEqual([subjectFor(tenant, 'ring-0'), subjectFor(tenant, 'ring-1')]);
  });

  it("re-scores an ad whose row another partition's transaction had not committed yet, from the queue", async () => {
    const phone = `+3363${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const [first, second, third] = [
      ['Inès', 'Lille'],
      ['Jade', 'Nantes'],
      ['Zoé', 'Rennes'],
    ].map(([name, city], index) =>
      ingested(`queued-${index}`, { title: `${name}, massage tantrique`, body: `${name} reçoit à ${city}, ambiance discrète, appelle-moi ${index}.` }, {
        contacts: { phones: [phone], emails: [], handles: [] },
        location: { city, country: 'FR' },
      }),
    );
    const dataSource = scoring.app.get(DataSource);
    const assessor = scoring.app.get(AdAssessor);
    // Partition A's transaction saves the first ad and stays open while partition B's batch
    // completes the phone's signal: B cannot see the first ad's row to re-assess it.
    const partitionA = dataSource.createQueryRunner();
    await partitionA.connect();
    await partitionA.startTransaction();
    try {
      await assessor.assess(partitionA.manager, [first]);
      const fromB = await dataSource.transaction((manager) => assessor.assess(manager, [second, third]));
      expect(fromB.filter((event) => event.type === 'ad.rescored' && event.subject === first.subject)).toEqual([]);
      const [queued] = await dataSource.query('SELECT count(*)::int AS n FROM scoring.rescore_queue WHERE platform_id = $1 AND ad_id = $2', [tenant, 'queued-0']);
      expect(queued.n).toBe(1);
      await partitionA.commitTransaction();
    } finally {
      await partitionA.release();
    }
    // The queue's drainer (every few seconds) re-assesses it once its row is there.
    const rescored = await waitFor(() => scoredFor('queued-0', 'ad.rescored') as EventOf<'ad.rescored'> | undefined, 'the first ad to be re-scored from the queue', 30000);
    expect(rescored.data.network).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'shared-contact', contact: phone })]));
  });

  it('scores two versions of one ad arriving in one batch, and keeps the later one', async () => {
    const first = ingested('twice-1', { title: 'Vélo à vendre', body: 'Vélo de ville en bon état.' });
    const second = ingested('twice-1', { title: 'Vélo à vendre, prix baissé', body: 'Vélo de ville en bon état, révisé.' }, { adVersion: 2 });
    await send([first, second]);
    await waitFor(() => scored.filter((event) => event.subject === subjectFor(tenant, 'twice-1')).length === 2 || undefined, 'both versions to be scored');
    const url = new URL(process.env.DATABASE_URL ?? '');
    url.pathname = `/${database}`;
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    const { rows } = await client
      .query('SELECT ad_version, title, last_event_id FROM scoring.assessments WHERE platform_id = $1 AND ad_id = $2', [tenant, 'twice-1'])
      .finally(() => client.end());
    const latest = scored.filter((event) => event.subject === subjectFor(tenant, 'twice-1')).find((event) => event.causationId === second.id);
    expect(rows).toEqual([{ ad_version: 2, title: 'Vélo à vendre, prix baissé', last_event_id: latest?.id }]);
  });

  it('keeps the newer version of an ad when an older one arrives after it', async () => {
    const newer = ingested('late-1', { title: 'Vélo, prix baissé', body: 'Vélo de ville révisé.' }, { adVersion: 2 });
    const older = ingested('late-1', { title: 'Vélo', body: 'Vélo de ville.' }, { adVersion: 1 });
    await send([newer]);
    await waitFor(() => scored.find((event) => event.causationId === newer.id), 'the newer version to be scored');
    await send([older]);
    await waitFor(() => scored.find((event) => event.causationId === older.id), 'the older version to be scored');
    const [row] = await scoring.app.get(DataSource).query('SELECT ad_version, title FROM scoring.assessments WHERE platform_id = $1 AND ad_id = $2', [tenant, 'late-1']);
    expect(row).toEqual({ ad_version: 2, title: 'Vélo, prix baissé' });
  });

  it('keeps an ad removed when its removal follows its version in one batch, and live when a version follows the removal', async () => {
    const removal = (adId: string) =>
      createEvent('ad.removed', {
        tenant,
        subject: subjectFor(tenant, adId),
        source: 'ingest',
        data: { ...(EVENT_DEFINITIONS.find((d) => d.type === 'ad.removed')?.example.data as EventData<'ad.removed'>), platformAdId: adId },
      });
    const gone = ingested('gone-1', { title: 'Canapé', body: 'Canapé trois places.' });
    const back = ingested('back-1', { title: 'Table', body: 'Table en chêne.' });
    await send([gone, removal('gone-1'), removal('back-1'), back]);
    await waitFor(() => scoredFor('gone-1'), 'the removed ad to be scored');
    await waitFor(() => scoredFor('back-1'), 'the re-listed ad to be scored');
    const url = new URL(process.env.DATABASE_URL ?? '');
    url.pathname = `/${database}`;
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    const { rows } = await client
      .query('SELECT ad_id, removed FROM scoring.assessments WHERE platform_id = $1 AND ad_id = ANY($2) ORDER BY ad_id', [tenant, ['back-1', 'gone-1']])
      .finally(() => client.end());
    expect(rows).toEqual([
      { ad_id: 'back-1', removed: false },
      { ad_id: 'gone-1', removed: true },
    ]);
  });

  it('sends a poison message to the DLQ and keeps scoring', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: Topics.AdsIngested, messages: [{ key: `${tenant}:bad`, value: `{"not an event": "${suffix}"` }] });
    await producer.disconnect();
    await send([ingested('after-poison', { title: 'Vélo à vendre', body: 'Vélo de ville en bon état, révisé.' })]);
    await waitFor(() => scoredFor('after-poison'), 'the ad after the poison message');
    const letter = await waitFor(() => deadLetters[0], 'the dead letter');
    expect(letter.headers?.['vigie-dlq-error']?.toString()).toContain('contract violation');
  });

  it('serves an assessment to its own platform only, with an explanation', async () => {
    const created = await fetch(`${ingest.url}/admin/platforms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: tenant, name: 'Scoring IT', integrationMode: 'http' }),
    });
    const { apiKey } = (await created.json()) as { apiKey: string };
    const other = await fetch(`${ingest.url}/admin/platforms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `${tenant}-other`, name: 'Other', integrationMode: 'http' }),
    });
    const { apiKey: otherKey } = (await other.json()) as { apiKey: string };

    const own = await fetch(`${scoring.url}/platforms/${tenant}/ads/minor-1/assessment`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(own.status).toBe(200);
    const body = (await own.json()) as { band: string; explanation: string; rulesetVersion: string };
    expect(body.band).toBe('critical');
    expect(body.explanation.length).toBeGreaterThan(10);

    const foreign = await fetch(`${scoring.url}/platforms/${tenant}/ads/minor-1/assessment`, { headers: { authorization: `Bearer ${otherKey}` } });
    expect(foreign.status).toBe(403);
    const anonymous = await fetch(`${scoring.url}/platforms/${tenant}/ads/minor-1/assessment`);
    expect(anonymous.status).toBe(401);
  });

  it('matches an ad against an imported hash list, and no longer once the hash is withdrawn or the list deleted', async () => {
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${scoring.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }));
    const listId = `it-list-${suffix}`;
    const withdrawnHash = 'f'.repeat(32) + '0'.repeat(32);
    const keptHash = '0f'.repeat(32);
    const imported = await admin('POST', '/admin/hash-lists', { listId, source: 'test authority', version: '1', hashes: [{ pdq: withdrawnHash }, { pdq: keptHash }] });
    expect(imported).toMatchObject({ status: 201, body: { stored: 2, indexed: 2 } });
    const withImage = (adId: string, pdq: string) => ingested(adId, { title: 'Photo', body: 'Une photo.' }, { images: [{ pdq, quality: 90 }] });
    const matchOf = (adId: string) => scoredFor(adId)?.data.network.find((evidence) => evidence.kind === 'hash-match');

    await send([withImage('hash-before', withdrawnHash)]);
    await waitFor(() => scoredFor('hash-before'), 'the first image ad to be scored');
    expect(matchOf('hash-before')).toMatchObject({ hashList: listId });

    expect(await admin('POST', `/admin/hash-lists/${listId}/withdrawals`, { hashes: [withdrawnHash.toUpperCase(), '1'.repeat(64)] })).toMatchObject({
      status: 200,
      body: { listId, received: 2, withdrawn: 1, remaining: 1 },
    });
    await send([withImage('hash-after', withdrawnHash), withImage('hash-kept', keptHash)]);
    await waitFor(() => scoredFor('hash-after'), 'the second image ad to be scored');
    await waitFor(() => scoredFor('hash-kept'), 'the third image ad to be scored');
    expect(matchOf('hash-after')).toBeUndefined();
    expect(matchOf('hash-kept')).toMatchObject({ hashList: listId });

    expect(await admin('DELETE', `/admin/hash-lists/${listId}`)).toMatchObject({ status: 200, body: { listId, withdrawn: 1 } });
    await send([withImage('hash-gone', keptHash)]);
    await waitFor(() => scoredFor('hash-gone'), 'the fourth image ad to be scored');
    expect(matchOf('hash-gone')).toBeUndefined();
    expect(await admin('DELETE', `/admin/hash-lists/${listId}`)).toMatchObject({ status: 404, body: { code: 'LIST_NOT_FOUND' } });
    expect((await admin('POST', '/admin/hash-lists/NOT%20A%20LIST/withdrawals', { hashes: [keptHash] })).status).toBe(404);
  });

  it('rebuilds the network state a page at a time, every ad of the window once', async () => {
    const dataSource = scoring.app.get(DataSource);
    const [{ inWindow }] = await dataSource.query(`SELECT count(*)::int AS "inWindow" FROM scoring.assessments WHERE NOT removed AND received_at >= now() - interval '7 days'`);
    const paged = new NetworkState();
    const whole = new NetworkState();
    expect(await new NetworkRebuild(dataSource, paged).rebuild(2)).toBe(inWindow);
    expect(await new NetworkRebuild(dataSource, whole).rebuild()).toBe(inWindow);
    expect(inWindow).toBeGreaterThan(4);
    expect(paged.contacts.size).toBe(whole.contacts.size);
    expect(paged.templates.size).toBe(whole.templates.size);
  });
});
