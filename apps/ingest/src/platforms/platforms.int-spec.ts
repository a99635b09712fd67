import { isUuidV7 } from '@vigie/contracts';
import { createHash } from 'node:crypto';
import { startIngest, uniquePlatformId, waitFor, type ErrorBody, type IngestFixture } from '../test-support/ingest-fixture';
import type { PlatformView } from './dtos/platform.dtos';
import { open } from './services/secret-box';

jest.setTimeout(60000);

describe('ingest platform registry and API keys (real Kafka and PostgreSQL)', () => {
  let ingest: IngestFixture;

  beforeAll(async () => {
    ingest = await startIngest();
  });

  afterAll(async () => {
    await ingest?.close();
  });

  describe('registering platforms', () => {
    it('registers a platform with a webhook: 201, its view, an API key and a webhook secret shown once', async () => {
      const id = uniquePlatformId('reg');
      const created = await ingest.call<{ platform: PlatformView; apiKey: string; webhookSecret: string | null }>('POST', '/admin/platforms', {
        body: { id, name: 'Demo Annonces', integrationMode: 'http', webhookUrl: 'https://demo.example/vigie/takedown' },
      });
      expect(created.status).toBe(201);
      expect(created.body.platform).toMatchObject({
        id,
        name: 'Demo Annonces',
        integrationMode: 'http',
        webhookUrl: 'https://demo.example/vigie/takedown',
        hasWebhookSecret: true,
        apiKeys: [{ label: 'initial key', revokedAt: null }],
      });
      expect(isUuidV7(created.body.platform.apiKeys[0].id)).toBe(true);
      expect(created.body.apiKey).toMatch(/^vigie_[A-Za-z0-9_-]{43}$/);
      expect(created.body.webhookSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);

      // The key works for its own platform straight away.
      const own = await ingest.call('GET', `/platforms/${id}/ads/never-seen`, { key: created.body.apiKey });
      expect(own.status).toBe(404);
      expect(own.body.code).toBe('AD_NOT_FOUND');

      // At rest: the key only as a SHA-256 hash, the webhook secret sealed with VIGIE_SECRETS_KEY.
      const dataSource = ingest.service.infrastructure.dataSource;
      const [keyRow] = await dataSource.query(`SELECT key_hash FROM ingest.api_keys WHERE platform_id = $1`, [id]);
      expect(Buffer.from(keyRow.key_hash).equals(createHash('sha256').update(created.body.apiKey).digest())).toBe(true);
      const [platformRow] = await dataSource.query(`SELECT webhook_secret_sealed FROM ingest.platforms WHERE id = $1`, [id]);
      const sealed = Buffer.from(platformRow.webhook_secret_sealed);
      expect(sealed.includes(Buffer.from(created.body.webhookSecret ?? ''))).toBe(false);
      expect(open(Buffer.from(ingest.secretsKey, 'hex'), sealed)).toBe(created.body.webhookSecret);
    });

    it('registers a Kafka-native platform without a webhook: no webhook secret', async () => {
      const id = uniquePlatformId('kafka');
      const created = await ingest.call<{ platform: PlatformView; apiKey: string; webhookSecret: string | null }>('POST', '/admin/platforms', {
        body: { id, name: 'Kafka platform', integrationMode: 'kafka' },
      });
      expect(created.status).toBe(201);
      expect(created.body.webhookSecret).toBeNull();
      expect(created.body.platform).toMatchObject({ id, integrationMode: 'kafka', webhookUrl: null, hasWebhookSecret: false });
    });

    it('lists platforms and shows one without ever returning keys, hashes or secrets', async () => {
      const id = uniquePlatformId('list');
      const created = await ingest.call<{ apiKey: string; webhookSecret: string }>('POST', '/admin/platforms', {
        body: { id, name: 'Listed', integrationMode: 'http', webhookUrl: 'http://listed.example/hook' },
      });
      expect(created.status).toBe(201);

      const list = await ingest.call<PlatformView[]>('GET', '/admin/platforms');
      expect(list.status).toBe(200);
      expect(list.body.map((p) => p.id)).toContain(id);
      const one = await ingest.call<PlatformView>('GET', `/admin/platforms/${id}`);
      expect(one.status).toBe(200);
      expect(one.body).toEqual({
        id,
        name: 'Listed',
        integrationMode: 'http',
        webhookUrl: 'http://listed.example/hook',
        hasWebhookSecret: true,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        apiKeys: [{ id: expect.any(String), label: 'initial key', createdAt: expect.any(String), revokedAt: null }],
      });
      for (const answer of [list, one]) {
        expect(answer.text).not.toContain(created.body.apiKey);
        expect(answer.text).not.toContain(created.body.webhookSecret);
        expect(answer.text).not.toMatch(/key_?hash|sealed|"webhookSecret"/i);
      }
    });

    it('refuses a second platform with the same id: 409 PLATFORM_ALREADY_EXISTS', async () => {
      const { id } = await ingest.createPlatform();
      const again = await ingest.call('POST', '/admin/platforms', { body: { id, name: 'Again', integrationMode: 'http' } });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('PLATFORM_ALREADY_EXISTS');
    });

    it.each([
      ['missing name', { id: 'it-ok', integrationMode: 'http' }, '/name'],
      ['an id that is not a lowercase slug', { id: 'Bad_Platform', name: 'x', integrationMode: 'http' }, '/id'],
      ['an id longer than 63 characters', { id: `a${'b'.repeat(63)}`, name: 'x', integrationMode: 'http' }, '/id'],
      ['an unknown integration mode', { id: 'it-ok', name: 'x', integrationMode: 'ftp' }, '/integrationMode'],
      ['a webhook URL that is not http(s)', { id: 'it-ok', name: 'x', integrationMode: 'http', webhookUrl: 'ftp://x' }, '/webhookUrl'],
      ['an empty name', { id: 'it-ok', name: '', integrationMode: 'http' }, '/name'],
      ['a name of the wrong type', { id: 'it-ok', name: 42, integrationMode: 'http' }, '/name'],
      ['an unknown property', { id: 'it-ok', name: 'x', integrationMode: 'http', apiKey: 'mine' }, '/apiKey'],
    ])('answers 400 INVALID_REQUEST naming the field for %s', async (_case, body, field) => {
      const answer = await ingest.call('POST', '/admin/platforms', { body });
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('INVALID_REQUEST');
      expect(answer.body.errors).toEqual(expect.arrayContaining([{ field, reason: expect.any(String) }]));
    });

    it('answers 400 for bodies that are not a platform at all', async () => {
      for (const body of [[], 'a string', 42, null]) {
        const answer = await ingest.call('POST', '/admin/platforms', { body: JSON.stringify(body) });
        expect({ body, status: answer.status, code: answer.body.code }).toEqual({ body, status: 400, code: 'INVALID_REQUEST' });
      }
      const malformed = await ingest.call('POST', '/admin/platforms', { body: '{"id": "it-x", "name": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('INVALID_JSON');
      const badUtf8 = Buffer.concat([Buffer.from('{"id":"it-x","name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('","integrationMode":"http"}')]);
      const invalid = await ingest.call('POST', '/admin/platforms', { body: badUtf8 });
      expect(invalid.status).toBe(400);
      expect(invalid.body.code).toBe('INVALID_UTF8');
    });
  });

  describe('authentication and authorisation', () => {
    let platformA: { id: string; apiKey: string };
    let platformB: { id: string; apiKey: string };

    beforeAll(async () => {
      platformA = await ingest.createPlatform();
      platformB = await ingest.createPlatform();
    });

    it('answers 401 MISSING_API_KEY without a key, on admin and platform routes alike', async () => {
      for (const [method, path] of [
        ['GET', '/admin/platforms'],
        ['POST', '/admin/platforms'],
        ['GET', `/platforms/${platformA.id}/ads/x`],
        ['POST', `/platforms/${platformA.id}/ads`],
        ['POST', `/platforms/${platformA.id}/ads/ndjson`],
      ]) {
        const answer = await ingest.call(method, path, { key: null, body: method === 'POST' ? [] : undefined });
        expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 401, code: 'MISSING_API_KEY' });
      }
      const emptyBearer = await ingest.call('GET', '/admin/platforms', { key: null, headers: { authorization: 'Bearer ' } });
      expect(emptyBearer.status).toBe(401);
      expect(emptyBearer.body.code).toBe('MISSING_API_KEY');
    });

    it('answers 401 INVALID_API_KEY for an unknown key, a near miss and an absurdly long key', async () => {
      for (const key of ['vigie_not-a-real-key', `${platformA.apiKey}x`, platformA.apiKey.slice(0, -1), 'k'.repeat(10000)]) {
        const answer = await ingest.call('GET', `/platforms/${platformA.id}/ads/x`, { key });
        expect(answer.status).toBe(401);
        expect(answer.body.code).toBe('INVALID_API_KEY');
      }
    });

    it('accepts the key as Authorization: Bearer or as X-API-Key', async () => {
      const bearer = await ingest.call('GET', `/admin/platforms/${platformA.id}`, { keyHeader: 'bearer' });
      const header = await ingest.call('GET', `/admin/platforms/${platformA.id}`, { keyHeader: 'x-api-key' });
      expect([bearer.status, header.status]).toEqual([200, 200]);
      const platformByHeader = await ingest.call('GET', `/platforms/${platformA.id}/ads/x`, { key: platformA.apiKey, keyHeader: 'x-api-key' });
      expect(platformByHeader.status).toBe(404); // authenticated; the ad simply does not exist
    });

    it('answers 403 ROLE_NOT_ALLOWED to a platform key on every admin route', async () => {
      for (const [method, path, body] of [
        ['GET', '/admin/platforms', undefined],
        ['GET', `/admin/platforms/${platformA.id}`, undefined],
        ['POST', '/admin/platforms', { id: uniquePlatformId('sneaky'), name: 'x', integrationMode: 'http' }],
        ['POST', `/admin/platforms/${platformA.id}/api-keys`, { label: 'extra' }],
        ['DELETE', `/admin/platforms/${platformA.id}/api-keys/00000000-0000-7000-8000-000000000000`, undefined],
      ] as const) {
        const answer = await ingest.call(method, path, { key: platformA.apiKey, body });
        expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 403, code: 'ROLE_NOT_ALLOWED' });
      }
    });

    it("answers 403 OTHER_PLATFORM to a platform key on another platform's routes", async () => {
      for (const [method, path, body, contentType] of [
        ['GET', `/platforms/${platformB.id}/ads/some-ad`, undefined, undefined],
        ['POST', `/platforms/${platformB.id}/ads`, [], undefined],
        ['POST', `/platforms/${platformB.id}/ads/ndjson`, '{}\n', 'application/x-ndjson'],
        ['POST', `/platforms/${platformB.id}/ads/some-ad/removal`, { removedAt: new Date().toISOString() }, undefined],
        ['POST', `/platforms/no-such-platform/ads`, [], undefined],
      ] as const) {
        const answer = await ingest.call(method, path, {
          key: platformA.apiKey,
          body,
          headers: contentType ? { 'content-type': contentType } : undefined,
        });
        expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 403, code: 'OTHER_PLATFORM' });
      }
    });

    it('answers 404 PLATFORM_NOT_FOUND to the admin key for a platform that does not exist', async () => {
      for (const [method, path, body] of [
        ['GET', '/admin/platforms/no-such-platform', undefined],
        ['POST', '/admin/platforms/no-such-platform/api-keys', { label: 'x' }],
        ['GET', '/platforms/no-such-platform/ads/x', undefined],
        ['POST', '/platforms/no-such-platform/ads', [{}]],
        ['POST', '/platforms/no-such-platform/ads/x/removal', { removedAt: new Date().toISOString() }],
      ] as const) {
        const answer = await ingest.call(method, path, { body });
        expect({ path, status: answer.status, code: answer.body.code }).toEqual({ path, status: 404, code: 'PLATFORM_NOT_FOUND' });
      }
    });
  });

  describe('who am I (how the other services check a key)', () => {
    it('answers the role and platform of the presented key, and 401 without a valid one', async () => {
      const platform = await ingest.createPlatform();
      const asPlatform = await ingest.call<{ role: string; platformId: string | null }>('GET', '/auth/whoami', { key: platform.apiKey });
      expect(asPlatform.status).toBe(200);
      expect(asPlatform.body).toMatchObject({ role: 'platform', platformId: platform.id });
      const asAdmin = await ingest.call<{ role: string; platformId: string | null }>('GET', '/auth/whoami');
      expect(asAdmin.body).toMatchObject({ role: 'admin', platformId: null });
      expect((await ingest.call('GET', '/auth/whoami', { key: null })).status).toBe(401);
      expect((await ingest.call('GET', '/auth/whoami', { key: 'vigie_nope' })).status).toBe(401);
      expect(asPlatform.text).not.toContain(platform.apiKey);
    });
  });

  describe('API keys', () => {
    it('issues another key, lists it without the secret, and revokes it: the revoked key stops within 5 s', async () => {
      const platform = await ingest.createPlatform();
      const issued = await ingest.call<{ id: string; apiKey: string }>('POST', `/admin/platforms/${platform.id}/api-keys`, {
        body: { label: 'nightly backfill' },
      });
      expect(issued.status).toBe(201);
      expect(isUuidV7(issued.body.id)).toBe(true);
      expect(issued.body.apiKey).toMatch(/^vigie_/);
      expect(issued.body.apiKey).not.toBe(platform.apiKey);

      // Both keys work, and warm the authentication cache.
      for (const key of [platform.apiKey, issued.body.apiKey]) {
        expect((await ingest.call('GET', `/platforms/${platform.id}/ads/x`, { key })).status).toBe(404);
      }
      const view = await ingest.call<PlatformView>('GET', `/admin/platforms/${platform.id}`);
      expect(view.body.apiKeys).toEqual([
        expect.objectContaining({ label: 'initial key', revokedAt: null }),
        expect.objectContaining({ id: issued.body.id, label: 'nightly backfill', revokedAt: null }),
      ]);
      expect(view.text).not.toContain(issued.body.apiKey);

      const revoked = await ingest.call('DELETE', `/admin/platforms/${platform.id}/api-keys/${issued.body.id}`);
      expect(revoked.status).toBe(204);
      expect(revoked.text).toBe('');
      const revokedAt = Date.now();
      await waitFor(
        async () => (await ingest.call('GET', `/platforms/${platform.id}/ads/x`, { key: issued.body.apiKey })).status === 401,
        5000,
        'the revoked key to be refused',
      );
      expect(Date.now() - revokedAt).toBeLessThanOrEqual(5000);
      const refused = await ingest.call('GET', `/platforms/${platform.id}/ads/x`, { key: issued.body.apiKey });
      expect(refused.body.code).toBe('INVALID_API_KEY');
      // The other key is unaffected; the listing shows the revocation.
      expect((await ingest.call('GET', `/platforms/${platform.id}/ads/x`, { key: platform.apiKey })).status).toBe(404);
      const after = await ingest.call<PlatformView>('GET', `/admin/platforms/${platform.id}`);
      expect(after.body.apiKeys.find((k) => k.id === issued.body.id)?.revokedAt).toEqual(expect.stringMatching(/^\d{4}-/));
    });

    it('answers 404 API_KEY_NOT_FOUND for a key already revoked, unknown, malformed or of another platform', async () => {
      const platform = await ingest.createPlatform();
      const other = await ingest.createPlatform();
      const issued = await ingest.call<{ id: string }>('POST', `/admin/platforms/${platform.id}/api-keys`, { body: { label: 'temp' } });
      expect((await ingest.call('DELETE', `/admin/platforms/${platform.id}/api-keys/${issued.body.id}`)).status).toBe(204);
      const otherKey = await ingest.call<{ id: string; apiKey: string }>('POST', `/admin/platforms/${other.id}/api-keys`, { body: { label: 'other' } });
      for (const keyId of [issued.body.id, '01890000-0000-7000-8000-000000000000', 'not-a-uuid', otherKey.body.id]) {
        const answer = await ingest.call('DELETE', `/admin/platforms/${platform.id}/api-keys/${keyId}`);
        expect({ keyId, status: answer.status, code: answer.body.code }).toEqual({ keyId, status: 404, code: 'API_KEY_NOT_FOUND' });
      }
      // The other platform's key survived the attempt.
      expect((await ingest.call('GET', `/platforms/${other.id}/ads/x`, { key: otherKey.body.apiKey })).status).toBe(404);
    });

    it('validates the label of a new key', async () => {
      const platform = await ingest.createPlatform();
      for (const body of [{}, { label: '' }, { label: 'x'.repeat(201) }, { label: 'ok', extra: true }]) {
        const answer = await ingest.call<ErrorBody>('POST', `/admin/platforms/${platform.id}/api-keys`, { body });
        expect(answer.status).toBe(400);
        expect(answer.body.code).toBe('INVALID_REQUEST');
        expect(answer.body.errors?.length).toBeGreaterThan(0);
      }
    });

    it('keeps the bootstrap admin key only as a hash', async () => {
      const rows: { role: string; key_hash: Buffer }[] = await ingest.service.infrastructure.dataSource.query(
        `SELECT role, key_hash FROM ingest.api_keys WHERE role = 'admin'`,
      );
      expect(rows).toHaveLength(1);
      expect(Buffer.from(rows[0].key_hash).equals(createHash('sha256').update(ingest.adminKey).digest())).toBe(true);
    });
  });

  it('documents the ingest API in its OpenAPI document', async () => {
    const openApi = await ingest.call<{ paths: Record<string, unknown> }>('GET', '/docs/json', { key: null });
    expect(openApi.status).toBe(200);
    expect(Object.keys(openApi.body.paths)).toEqual(
      expect.arrayContaining([
        '/admin/platforms',
        '/admin/platforms/{platformId}',
        '/admin/platforms/{platformId}/api-keys',
        '/admin/platforms/{platformId}/api-keys/{keyId}',
        '/platforms/{platformId}/ads',
        '/platforms/{platformId}/ads/ndjson',
        '/platforms/{platformId}/ads/{adId}/removal',
        '/platforms/{platformId}/ads/{adId}',
      ]),
    );
  });

  it('is still healthy and ready after all of the above', async () => {
    expect((await ingest.call('GET', '/health', { key: null })).status).toBe(200);
    expect((await ingest.call('GET', '/ready', { key: null })).status).toBe(200);
  });
});
