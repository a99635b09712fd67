// `npm test`: lint (with module boundaries), type-check, unit specs, then the integration
// specs in band against a real Kafka broker and PostgreSQL provisioned here, then teardown.
// Nothing is skipped: missing infrastructure fails the run.
import {
  createDatabaseIfMissing,
  databaseUrl,
  dropDatabaseIfExists,
  provisionKafka,
  provisionPostgres,
  type DatabaseEndpoint,
  type KafkaEndpoint,
} from '@vigie/provisioning';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChromium } from './support/chromium';
import { auditDependencies } from './support/dependency-audit';
import { npxBin, runStep, type StepResult } from './support/run-step';

interface JestSummary {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
}

const resultsDir = join('tmp', 'test-results');
const testDatabase = 'vigie_test';

function readJestSummary(file: string): JestSummary {
  if (!existsSync(file)) return { numPassedTests: 0, numFailedTests: 1, numPendingTests: 0 };
  return JSON.parse(readFileSync(file, 'utf8')) as JestSummary;
}

async function main(): Promise<number> {
  mkdirSync(resultsDir, { recursive: true });
  const steps: StepResult[] = [];
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };

  // The broker and the database come up while lint and unit specs run.
  const log = (line: string) => console.log(`vigie ▸ infra: ${line}`);
  const kafkaReady: Promise<KafkaEndpoint> = provisionKafka({ log });
  const databaseReady: Promise<DatabaseEndpoint> = provisionPostgres({ database: testDatabase, log }).then(async (endpoint) => {
    // Every run starts from an empty database, unless it is one the user gave us.
    if (endpoint.kind !== 'env') {
      const adminUrl = databaseUrl(endpoint.url, 'postgres');
      await dropDatabaseIfExists(adminUrl, testDatabase);
      await createDatabaseIfMissing(adminUrl, testDatabase);
    }
    return endpoint;
  });
  kafkaReady.catch(() => undefined);
  databaseReady.catch(() => undefined);

  let kafka: KafkaEndpoint | undefined;
  let database: DatabaseEndpoint | undefined;
  const teardown = async () => {
    await Promise.allSettled([kafka?.stop(), database?.stop()]);
  };
  process.on('SIGINT', () => void teardown().then(() => process.exit(130)));
  process.on('SIGTERM', () => void teardown().then(() => process.exit(143)));

  try {
    // The module-boundary rule reads Nx's cached project graph and silently skips itself
    // without one (as on a fresh clone), so the graph is computed first.
    steps.push(await runStep('project graph', npxBin('nx'), ['show', 'projects'], env));
    steps.push(await runStep('lint', npxBin('eslint'), ['--max-warnings=0', '.'], env));
    // npm audit --omit=dev --audit-level=high: a high or critical advisory fails the run.
    steps.push(await auditDependencies('dependency audit'));
    // Type-checks everything (specs included) and writes dist/, which `npm start` runs.
    steps.push(await runStep('build', npxBin('tsc'), ['-p', 'tsconfig.build.json'], env));
    const unitResults = join(resultsDir, 'unit.json');
    steps.push(
      await runStep('unit tests', npxBin('jest'), ['-c', 'jest.unit.config.js', '--json', `--outputFile=${unitResults}`], env),
    );

    steps.push(await ensureChromium());
    [kafka, database] = await Promise.all([kafkaReady, databaseReady]);
    console.log(`vigie ▸ infra: Kafka at ${kafka.brokers.join(',')}, PostgreSQL (${database.kind})`);
    const integrationResults = join(resultsDir, 'integration.json');
    steps.push(
      await runStep(
        'integration tests',
        npxBin('jest'),
        ['-c', 'jest.int.config.js', '--runInBand', '--json', `--outputFile=${integrationResults}`],
        { ...env, KAFKA_BROKERS: kafka.brokers.join(','), DATABASE_URL: database.url },
      ),
    );

    const summaries = [readJestSummary(unitResults), readJestSummary(integrationResults)];
    const passed = summaries.reduce((sum, s) => sum + s.numPassedTests, 0);
    const failed = summaries.reduce((sum, s) => sum + s.numFailedTests, 0);
    const skipped = summaries.reduce((sum, s) => sum + s.numPendingTests, 0);
    console.log('\nvigie ▸ summary');
    for (const step of steps) console.log(`  ${step.ok ? 'ok    ' : 'FAILED'} ${step.name} (${step.seconds} s)`);
    const allOk = steps.every((step) => step.ok) && failed === 0;
    console.log(`tests: ${passed} passed, ${failed + (allOk ? 0 : steps.filter((s) => !s.ok).length)} failed, ${skipped} skipped`);
    return allOk ? 0 : 1;
  } catch (error) {
    console.error(`vigie ▸ ${(error as Error).message}`);
    return 1;
  } finally {
    await teardown();
  }
}

main().then((code) => process.exit(code));
