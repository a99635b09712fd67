// How an integrator runs the whole of Vigie inside its own test suite: the infrastructure
// (Testcontainers when a Docker engine answers, else the local provisioning; under `npm test` the
// broker and database it provides), then the four services as processes on a fresh database.
// Outside this library, import both helpers from '@vigie/testing'.
import { EVENT_DEFINITIONS } from '@vigie/contracts';
import { startVigieInfrastructure, type VigieInfrastructure } from '../start-vigie-infrastructure';
import { startVigieStack, waitFor, type VigieStack } from '../lib/vigie-stack';

jest.setTimeout(300_000);

describe('a Vigie stack in an integrator test (example)', () => {
  let infrastructure: VigieInfrastructure;
  let stack: VigieStack;

  beforeAll(async () => {
    infrastructure = await startVigieInfrastructure({ database: 'vigie_stack_example' });
    stack = await startVigieStack({ label: 'example', kafkaBrokers: infrastructure.brokers.join(','), databaseUrl: infrastructure.databaseUrl });
  });
  afterAll(async () => {
    await stack?.close();
    await infrastructure?.stop();
  });

  it('takes an ad from a platform through scoring into the audited SLA report of a notice', async () => {
    const platformId = `${stack.tenantPrefix}-shop`;
    const created = await stack.call<{ apiKey: string }>('ingest', 'POST', '/admin/platforms', stack.adminKey, {
      id: platformId,
      name: 'My platform under test',
      integrationMode: 'http',
    });
    expect(created.status).toBe(201);
    const officer = await stack.call<{ apiKey: string }>('ingest', 'POST', '/admin/keys', stack.adminKey, {
      role: 'officer',
      principalId: 'officer-example',
      label: 'example',
      platformId,
    });

    // The contract's own example ad, as the platform would send it.
    const example = EVENT_DEFINITIONS.find((definition) => definition.type === 'ad.submitted')?.example.data as Record<string, unknown>;
    const ad = { ...example, platformAdId: 'ad-1', publishedAt: new Date(Date.now() - 3_600_000).toISOString(), updatedAt: new Date().toISOString() };
    const sent = await stack.call<{ accepted: number }>('ingest', 'POST', `/platforms/${platformId}/ads`, created.body.apiKey, [ad]);
    expect(sent.body.accepted).toBe(1);
    const assessment = await waitFor(
      async () => {
        const answer = await stack.call<{ band: string }>('scoring', 'GET', `/platforms/${platformId}/ads/ad-1/assessment`, created.body.apiKey);
        return answer.status === 200 ? answer.body : undefined;
      },
      60_000,
      'the ad to be scored',
    );
    expect(['low', 'medium', 'high', 'critical']).toContain(assessment.band);

    // A public notice opens a case with its 24 h clock; the audit's SLA report counts it.
    const notice = await fetch(`${stack.urls.nat}/notices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        locations: [{ platformId, adId: 'ad-1' }],
        category: 'pimping',
        explanation: "Cette annonce semble proposer des services sexuels pour le compte d'un tiers.",
        goodFaith: true,
        notifier: { name: 'Camille Martin', email: 'camille.martin@example.org' },
      }),
    });
    expect({ status: notice.status, body: await notice.json() }).toMatchObject({ status: 201 });
    const report = await waitFor(
      async () => {
        const answer = await stack.call<{ cases: number; response: { open: number } }>('audit', 'GET', '/reports/sla', officer.body.apiKey);
        return answer.status === 200 && answer.body.cases === 1 ? answer.body : undefined;
      },
      60_000,
      'the case in the SLA report',
    );
    expect(report.response.open).toBe(1);
  });
});
