// Per-address limits on public notices behind a reverse proxy: the client's address comes from
// X-Forwarded-For only when the proxy is trusted (HTTP_TRUSTED_PROXIES); otherwise the header
// is ignored, since any client could write it to escape its limit.
import { startNatFixture, type CreatedPlatform, type NatFixture } from '../test-support/nat-fixture';

jest.setTimeout(120_000);

let fixture: NatFixture;
let platform: CreatedPlatform;
let adCounter = 0;

async function publicNotice(forwardedFor?: string): Promise<number> {
  const response = await fetch(`${fixture.natUrl}/notices`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({
      locations: [{ platformId: platform.id, adId: `proxy-${Date.now().toString(36)}-${++adCounter}` }],
      category: 'minors',
      explanation: 'Annonce qui mentionne une jeune fille de seize ans.',
      goodFaith: true,
    }),
  });
  await response.text();
  return response.status;
}

/** Sends public notices until one is refused; returns how many were accepted. */
async function spendBudget(forwardedFor?: string): Promise<number> {
  for (let accepted = 0; accepted < 50; accepted++) {
    const status = await publicNotice(forwardedFor);
    if (status === 429) return accepted;
    expect(status).toBe(201);
  }
  throw new Error('the public notice limit never answered 429');
}

beforeAll(async () => {
  fixture = await startNatFixture({ env: { NAT_PUBLIC_NOTICES_PER_MINUTE: '5', NAT_VERIFY_REMOVALS: 'off' } });
  platform = await fixture.createPlatform('kafka');
});

afterAll(async () => {
  await fixture?.close();
});

it('ignores X-Forwarded-For from a client that is not a trusted proxy', async () => {
  expect(await spendBudget('198.51.100.1')).toBeGreaterThan(0);
  // Another forged address does not open a new budget: the limit is the connection's address.
  expect(await publicNotice('198.51.100.2')).toBe(429);
  expect(await publicNotice()).toBe(429);
});

it("behind a trusted proxy, limits each client by the address the proxy saw", async () => {
  await fixture.restartNat({ HTTP_TRUSTED_PROXIES: '127.0.0.1,::1' });
  expect(await spendBudget('198.51.100.11')).toBeGreaterThan(0);
  // Another client behind the same proxy has its own budget...
  expect(await publicNotice('198.51.100.12')).toBe(201);
  // ...and an address the client itself prepended is not believed: the proxy appended the real one.
  expect(await publicNotice('203.0.113.50, 198.51.100.11')).toBe(429);
});
