import { provisionKafka, type KafkaEndpoint } from '@vigie/provisioning';
import { requireEnv, type VigieStack } from '@vigie/testing';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runFaultScenario, startFaultStack, type FaultRunOptions, type FaultRunResult } from './fault-run';
import { DEFAULT_SEED, generateScenario } from './scenario';

/**
 * The short fault test of `npm test` (2.5 to 3 minutes on 2 cores): the fault scenario
 * (2,000 ads, fixed seed, denser in notices and flags than the full run's) once without faults,
 * then once with a SIGKILL of each of the four services, a restart of the Kafka broker and an
 * outage of the platform's webhook, at seeded points of the stream and up to two at a time.
 * After each: every ad ingested and scored once, every notice and decision once, every takedown
 * command executed once, confirmed and verified, no audit record lost or duplicated, no dead
 * letter, `verify` passes, and the SLA report equals the scenario's and the fault-free run's.
 *
 * It runs on a broker of its own (so it can restart it, and no other stack's consumers act on
 * its events) and on DATABASE_URL's server, which is shared and so never restarted here. Both
 * runs share one stack (two platforms), and the services' consumer session is 10 s, so a killed
 * service's partitions come back within seconds. The full `npm run test:faults` (README, "Fault
 * tests") adds 100,000 ads, two SIGKILLs of each service, a PostgreSQL restart (on an embedded
 * server of its own), a three-minute webhook outage, each fault kind in a run of its own on a
 * fresh stack, and the services' default 30 s session.
 */

const ADS = Number(process.env.FAULTS_ADS ?? 2000);
const ARTIFACTS = join(__dirname, '..', '..', 'tmp', 'test-artifacts', 'faults');

jest.setTimeout(600_000);

describe('fault tests (short)', () => {
  const scenario = generateScenario({ seed: DEFAULT_SEED, ads: ADS, noticeShare: 0.02, cueShare: 0.02 });
  const log = (line: string) => console.log(`faults ▸ ${line}`);
  let kafka: KafkaEndpoint;
  let stack: VigieStack;
  let common: Omit<FaultRunOptions, 'kind' | 'logDir'>;
  let baseline: FaultRunResult;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    kafka = await provisionKafka({ env: {}, log: (line) => log(`kafka: ${line}`) });
    const databaseUrl = requireEnv('DATABASE_URL');
    stack = await startFaultStack({
      label: 'faults-ci',
      kafkaBrokers: kafka.brokers.join(','),
      databaseUrl,
      logFile: join(ARTIFACTS, 'services.log'),
      consumerSessionTimeoutMs: 10_000,
    });
    log(`stack ready (${stack.runtime}); scenario ${JSON.stringify(scenario.expected)}`);
    common = {
      scenario,
      stack,
      seed: DEFAULT_SEED,
      rate: 100,
      batchSize: 100,
      concurrency: 2,
      kafkaBrokers: kafka.brokers.join(','),
      databaseUrl,
      restartKafka: kafka.restart,
      killsPerService: 1,
      brokerDowntimeMs: 3_000,
      postgresDowntimeMs: 0,
      outageMs: 8_000,
      parallelFaults: 2,
      settleTimeoutMs: 150_000,
      log,
    };
  }, 300_000);

  afterAll(async () => {
    await stack?.close();
    await kafka?.stop();
  });

  const expectPassed = (result: FaultRunResult) => {
    writeFileSync(join(ARTIFACTS, `${result.kind}.json`), `${JSON.stringify(result, null, 2)}\n`);
    expect(result.assertions.filter((assertion) => !assertion.pass)).toEqual([]);
    expect(result.passed).toBe(true);
  };

  it('drives the scenario through the four services without faults', async () => {
    baseline = await runFaultScenario({ ...common, kind: 'none', logDir: ARTIFACTS });
    expectPassed(baseline);
  });

  it('loses nothing, duplicates nothing and ends with the same SLA report when every service is SIGKILLed, the broker restarts and the webhook goes down', async () => {
    const result = await runFaultScenario({
      ...common,
      kind: 'sigkill',
      alsoFaults: ['kafka-restart', 'webhook-outage'],
      baseline,
      logDir: ARTIFACTS,
    });
    expect(result.injections.map((injection) => injection.what).sort()).toEqual(
      [
        'Kafka broker restart (controlled shutdown, same port and data)',
        'SIGKILL audit',
        'SIGKILL ingest',
        'SIGKILL nat',
        'SIGKILL scoring',
        'platform webhook outage (503 to every call)',
      ].sort(),
    );
    expectPassed(result);
  });
});
