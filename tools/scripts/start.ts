// `npm start`: provisions Kafka and PostgreSQL (or uses KAFKA_BROKERS / DATABASE_URL),
// starts the four services as separate processes, waits until each one is ready, prints
// their URLs, and on Ctrl-C stops the services (graceful drain) and then the broker.
import {
  provisionKafka,
  provisionPostgres,
  SERVICES,
  serviceNodeArgs,
  type DatabaseEndpoint,
  type KafkaEndpoint,
  type ServiceProcessSpec,
} from '@vigie/provisioning';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { localSecrets } from './support/local-secrets';
import { describeSummary, runDemo } from '../demo/scenario';

interface RunningProcess {
  spec: ServiceProcessSpec;
  child: ChildProcess;
  exited: Promise<number | null>;
}

const readyTimeoutMs = 180000;
const stopTimeoutMs = 25000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startService(spec: ServiceProcessSpec, env: NodeJS.ProcessEnv): RunningProcess {
  const child = spawn(process.execPath, serviceNodeArgs(spec.main), {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${spec.name}] `;
  const relay = (stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream) => {
    let pending = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) out.write(`${prefix}${line}\n`);
    });
  };
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { spec, child, exited };
}

async function waitReady(service: RunningProcess): Promise<unknown> {
  const deadline = Date.now() + readyTimeoutMs;
  let exitCode: number | null | undefined;
  void service.exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${service.spec.name} exited with code ${exitCode} before it was ready`);
    try {
      const response = await fetch(`http://127.0.0.1:${service.spec.port}/ready`);
      if (response.ok) return await response.json();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${service.spec.name} not ready after ${readyTimeoutMs / 1000} s`);
    await sleep(500);
  }
}

async function stopServices(services: RunningProcess[]): Promise<void> {
  await Promise.all(
    services.map(async (service) => {
      if (service.child.exitCode !== null) return;
      service.child.kill('SIGTERM');
      const timer = setTimeout(() => service.child.kill('SIGKILL'), stopTimeoutMs);
      await service.exited;
      clearTimeout(timer);
    }),
  );
}

async function main(): Promise<number> {
  const log = (line: string) => console.log(`vigie ▸ ${line}`);
  let kafka: KafkaEndpoint | undefined;
  let database: DatabaseEndpoint | undefined;
  const services: RunningProcess[] = [];
  let stopping: Promise<void> | undefined;
  let signalStop: () => void = () => undefined;
  const stoppedSignal = new Promise<void>((resolve) => (signalStop = resolve));
  const stopAll = () =>
    (stopping ??= (async () => {
      signalStop();
      log('stopping services (draining consumers, flushing producers)...');
      await stopServices(services);
      log('stopping infrastructure...');
      await Promise.allSettled([kafka?.stop(), database?.stop()]);
      log('stopped.');
    })());

  // `on`, not `once`: a handler that removes itself would leave the provisioning's last-resort
  // signal handler believing it is alone, and it would kill the broker and exit at once.
  const stopped = new Promise<number>((resolve) => {
    process.on('SIGINT', () => void stopAll().then(() => resolve(0)));
    process.on('SIGTERM', () => void stopAll().then(() => resolve(0)));
  });

  try {
    log('compiling the services (npm run build)...');
    const build = spawnSync(join('node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('the build failed; see the compiler output above');
    [kafka, database] = await Promise.all([
      provisionKafka({ log: (line) => log(`kafka: ${line}`) }),
      provisionPostgres({ database: 'vigie', log: (line) => log(`postgres: ${line}`) }),
    ]);
    log(`Kafka ${kafka.managed ? 'started' : 'given'} at ${kafka.brokers.join(',')}; PostgreSQL: ${database.kind}`);
    const secrets = localSecrets(process.cwd(), process.env);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_BROKERS: kafka.brokers.join(','),
      DATABASE_URL: database.url,
      INGEST_ADMIN_API_KEY: secrets.ingestAdminApiKey,
      VIGIE_SECRETS_KEY: secrets.secretsKey,
      // notice-and-takedown reads platforms' webhook targets from the registry with it.
      VIGIE_SERVICE_API_KEY: process.env.VIGIE_SERVICE_API_KEY ?? secrets.ingestAdminApiKey,
    };
    // A local stack: the platforms plugged into it for a try or an integration test serve their
    // ads on loopback or the local network, where removal probes are refused by default.
    env.NAT_VERIFY_PRIVATE_ADDRESSES ??= 'allow';
    // `<SERVICE>_PORT` from the environment wins over the default port.
    const specs = SERVICES.map((spec) => ({ ...spec, port: Number(process.env[spec.portVariable] ?? spec.port) }));
    // The other services verify API keys with ingest's registry.
    env.VIGIE_AUTH_URL ??= `http://127.0.0.1:${specs[0].port}`;
    // The console forwards the browser's calls to each service.
    const urlOf = (name: string) => `http://127.0.0.1:${specs.find((spec) => spec.name === name)?.port}`;
    env.VIGIE_INGEST_URL ??= urlOf('ingest');
    env.VIGIE_SCORING_URL ??= urlOf('scoring');
    env.VIGIE_NAT_URL ??= urlOf('notice-and-takedown');
    env.VIGIE_AUDIT_URL ??= urlOf('audit');
    for (const spec of specs) services.push(startService(spec, { ...env, [spec.portVariable]: String(spec.port) }));
    const reports = await Promise.all(services.map((service) => waitReady(service)));
    console.log('\nVigie is running:');
    services.forEach((service, index) => {
      const url = `http://127.0.0.1:${service.spec.port}`;
      const report = reports[index] as { checks: Record<string, { ok: boolean; latencyMs: number }> };
      const checks = Object.entries(report.checks)
        .map(([name, check]) => `${name} ${check.ok ? 'ok' : 'DOWN'} (${check.latencyMs} ms)`)
        .join(', ');
      const docs = service.spec.name === 'console' ? `${url}/console/` : `docs ${url}/docs`;
      console.log(`  ${service.spec.name.padEnd(20)} ${url}  ${docs}  ready: ${checks}`);
    });
    console.log(`\nCompliance console: ${urlOf('console')}/console/ (sign in with an API key)`);
    const ingestUrl = `http://127.0.0.1:${specs[0].port}`;
    console.log(`\nAdmin API key (kept in .cache/local-secrets.json): ${secrets.ingestAdminApiKey}`);
    console.log(`Register a platform: VIGIE_INGEST_URL=${ingestUrl} VIGIE_API_KEY=<admin key> npm run vigie -- platforms create --id demo --name Demo`);
    console.log('\nPress Ctrl-C to stop.\n');
    if (!process.argv.includes('--no-demo') && process.env.VIGIE_DEMO !== 'off') {
      void runDemo({
        ingestUrl,
        scoringUrl: `http://127.0.0.1:${specs[1].port}`,
        noticeAndTakedownUrl: `http://127.0.0.1:${specs[2].port}`,
        auditUrl: `http://127.0.0.1:${specs[3].port}`,
        adminKey: secrets.ingestAdminApiKey,
        ads: Number(process.env.VIGIE_DEMO_ADS ?? 6000),
        adsPerSecond: Number(process.env.VIGIE_DEMO_ADS_PER_SECOND ?? 100),
        outageMs: 20_000,
        log,
        stopped: stoppedSignal,
        launchedAt: Number(process.env.VIGIE_LAUNCHED_AT ?? Date.now()),
        historyDays: Number(process.env.VIGIE_DEMO_HISTORY_DAYS ?? 30),
        workDirectory: join(process.cwd(), 'tmp', 'demo'),
      }).then(
        (summary) => console.log(`\n${describeSummary(summary)}\n\nVigie keeps running; press Ctrl-C to stop.\n`),
        (error) => log(`demo failed: ${(error as Error).message}`),
      );
    }
    // A service that dies on its own takes the stack down rather than leaving it half-running.
    const crashed = Promise.race(
      services.map((service) =>
        service.exited.then((code) => {
          if (stopping) return stopping.then(() => 0);
          log(`${service.spec.name} exited unexpectedly (code ${code}); stopping everything`);
          return stopAll().then(() => 1);
        }),
      ),
    );
    return await Promise.race([stopped, crashed]);
  } catch (error) {
    console.error(`vigie ▸ ${(error as Error).message}`);
    await stopAll();
    return 1;
  }
}

main().then((code) => process.exit(code));
