// The vigie CLI against a real ingest service (real Kafka and PostgreSQL).
import { bootstrapService, type RunningService } from '@vigie/service-kit';
import { freePort } from '@vigie/testing';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { ingestService } from '../../apps/ingest/src/ingest.service';

const workspaceRoot = join(__dirname, '..', '..');
const adminKey = `admin-${randomBytes(24).toString('hex')}`;
const database = `vigie_cli_${randomBytes(4).toString('hex')}`;

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

describe('vigie CLI', () => {
  let service: RunningService;

  beforeAll(async () => {
    await admin(`CREATE DATABASE "${database}"`);
    const url = new URL(process.env.DATABASE_URL ?? '');
    url.pathname = `/${database}`;
    service = await bootstrapService(ingestService, {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS,
      DATABASE_URL: url.toString(),
      INGEST_PORT: String(await freePort()),
      INGEST_ADMIN_API_KEY: adminKey,
      VIGIE_SECRETS_KEY: 'ab'.repeat(32),
      LOG_LEVEL: 'warn',
      KAFKA_CONSUMER_START: 'latest',
      KAFKA_CONSUMER_GROUP_PREFIX: `cli-${database}`,
    });
  });

  afterAll(async () => {
    await service?.close();
    await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  });

  // Asynchronous on purpose: the service under test runs in this very process.
  const vigie = (args: string[], key: string = adminKey) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'tools/cli/vigie.ts', ...args],
        {
          cwd: workspaceRoot,
          env: { ...process.env, VIGIE_INGEST_URL: service.url, VIGIE_API_KEY: key, TS_NODE_PROJECT: join(workspaceRoot, 'tsconfig.json') },
        },
        (error, stdout, stderr) => resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('registers a platform, issues and revokes keys, and lists them', async () => {
    const created = await vigie(['platforms', 'create', '--id', 'cli-demo', '--name', 'CLI demo', '--json']);
    expect(created.status).toBe(0);
    const { apiKey, platform } = JSON.parse(created.stdout);
    expect(apiKey).toMatch(/^vigie_/);
    expect(platform).toMatchObject({ id: 'cli-demo', integrationMode: 'http' });

    const issued = await vigie(['platforms', 'keys', 'create', 'cli-demo', '--label', 'backfill', '--json']);
    expect(issued.status).toBe(0);
    const { id: keyId } = JSON.parse(issued.stdout);

    const revoked = await vigie(['platforms', 'keys', 'revoke', 'cli-demo', keyId]);
    expect(revoked.stdout).toContain(`revoked key ${keyId}`);

    const listed = await vigie(['platforms', 'list']);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain('cli-demo  CLI demo  mode=http');
    expect(listed.stdout).toMatch(new RegExp(`key ${keyId}  backfill  \\(revoked `));
  });

  it('issues keys for people and organisations, which /auth/whoami resolves, and revokes them', async () => {
    const moderator = await vigie(['keys', 'create', '--role', 'moderator', '--principal', 'mod-017', '--platform', 'cli-demo', '--label', 'night shift', '--json']);
    expect(moderator.status).toBe(0);
    const { apiKey, key } = JSON.parse(moderator.stdout);
    expect(key).toMatchObject({ role: 'moderator', principalId: 'mod-017', platformId: 'cli-demo' });
    const whoami = await fetch(`${service.url}/auth/whoami`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(await whoami.json()).toEqual({ keyId: key.id, role: 'moderator', platformId: 'cli-demo', principalId: 'mod-017' });

    const flagger = await vigie(['keys', 'create', '--role', 'trusted-flagger', '--principal', 'FR-TF-0042', '--platform', 'cli-demo', '--label', 'x']);
    expect(flagger.status).toBe(1);
    expect(flagger.stderr).toContain('/platformId');

    const listed = await vigie(['keys', 'list']);
    expect(listed.stdout).toContain('moderator       mod-017  platform=cli-demo  night shift');
    expect((await vigie(['keys', 'revoke', key.id])).stdout).toContain(`revoked key ${key.id}`);
    await new Promise((resolve) => setTimeout(resolve, 5100)); // the key cache lives 5 s
    expect((await fetch(`${service.url}/auth/whoami`, { headers: { authorization: `Bearer ${apiKey}` } })).status).toBe(401);
    // A moderator key cannot use the admin API.
    expect((await vigie(['keys', 'list'], apiKey)).status).toBe(77);
  });

  it('gives the takedown sender a platform\'s delivery target only with an admin key', async () => {
    const target = await fetch(`${service.url}/admin/platforms/cli-demo/delivery-target`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(await target.json()).toEqual({ platformId: 'cli-demo', integrationMode: 'http', webhookUrl: null, webhookSecret: null });
    const created = await vigie(['platforms', 'create', '--id', 'cli-hook', '--name', 'Hook', '--webhook-url', 'https://hook.example/vigie', '--json']);
    const { webhookSecret, apiKey } = JSON.parse(created.stdout);
    const hooked = await fetch(`${service.url}/admin/platforms/cli-hook/delivery-target`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(await hooked.json()).toMatchObject({ webhookUrl: 'https://hook.example/vigie', webhookSecret });
    expect((await fetch(`${service.url}/admin/platforms/cli-hook/delivery-target`, { headers: { authorization: `Bearer ${apiKey}` } })).status).toBe(403);
  });

  it('explains refusals and usage errors with distinct exit codes', async () => {
    const duplicate = await vigie(['platforms', 'create', '--id', 'cli-demo', '--name', 'again']);
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toContain('409: platform "cli-demo" already exists');

    const invalid = await vigie(['platforms', 'create', '--id', 'Not Valid', '--name', 'x']);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toContain('/id');

    const usage = await vigie(['platforms', 'create', '--name', 'x']);
    expect(usage.status).toBe(64);
    expect(usage.stderr).toContain('--id <value> is required');

    const wrongKey = await vigie(['platforms', 'list'], 'not-a-real-key-but-long-enough-0000000000');
    expect(wrongKey.status).toBe(77);
    expect(wrongKey.stderr).toContain('401');
  });
});
