import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lastLines } from '../file-tail';
import { logToStderr, ProvisioningLog } from '../log';
import { findFreePort, isPortFree } from '../ports';
import { hasExited, terminate } from '../process/child-exit';
import { onProcessExit } from '../process/exit-cleanup';
import { withParentDeathSignal } from '../process/parent-death-signal';
import { CommandFailedError, runCommand } from '../process/run-command';
import { findRepoRoot } from '../repo-root';
import { reapStaleBrokers, removeBrokerFilesSync, writeBrokerRecord } from './broker-records';
import { parseBrokerList } from './broker-list';
import { javaCommand, requireJava } from './java';
import { brokerProperties, LOG4J_PROPERTIES, newClusterId } from './kafka-config';
import { resolveKafkaJars, type KafkaDistribution } from './kafka-jars';
import { waitForKafka } from './wait-for-kafka';

export interface KafkaEndpoint {
  /** Bootstrap servers, `host:port`. */
  brokers: string[];
  /** True when this call started the broker (and stop() stops it); false for KAFKA_BROKERS. */
  managed: boolean;
  /** Stops a managed broker and deletes its data; idempotent; a no-op when not managed. */
  stop(): Promise<void>;
  /**
   * Stops a managed broker cleanly, waits `downtimeMs`, and starts it again on the same port and
   * data (fault tests). Only for a managed broker: absent when KAFKA_BROKERS was given.
   */
  restart?(downtimeMs?: number): Promise<void>;
}

export interface ProvisionKafkaOptions {
  /** Where KAFKA_BROKERS and KAFKA_PORT are read from; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Parent of the per-run data folder; defaults to `<repo>/.cache/kafka`. */
  workDir?: string;
  /** Preferred broker port (else KAFKA_PORT, else 9092); any free port is used when it is taken. */
  port?: number;
  log?: ProvisioningLog;
}

const DEFAULT_PORT = 9092;
const READY_TIMEOUT_MS = 90_000;
// A controlled shutdown of a single node takes a few seconds; beyond this it is stuck.
const SHUTDOWN_GRACE_MS = 20_000;
const LOG_LINES_ON_FAILURE = 40;

/**
 * Kafka for local runs and tests: the brokers in KAFKA_BROKERS when set (nothing is started), else a
 * fresh single-node KRaft broker on 127.0.0.1 run from the Maven Central jars with the local Java.
 */
export async function provisionKafka(options: ProvisionKafkaOptions = {}): Promise<KafkaEndpoint> {
  const env = options.env ?? process.env;
  const given = parseBrokerList(env['KAFKA_BROKERS']);
  if (given.length > 0) return { brokers: given, managed: false, stop: async () => undefined };
  return startLocalBroker(preferredPort(options.port, env['KAFKA_PORT']), options.workDir, options.log ?? logToStderr);
}

/**
 * The jars the local broker runs from (resolved from Maven Central on first use), which also
 * hold Kafka's own command-line tools (`org.apache.kafka.tools.ProducerPerformance`...), and
 * the java launcher to run them with: `java -cp <libsDir>/* <class>`.
 */
export async function kafkaDistribution(log: ProvisioningLog = logToStderr): Promise<KafkaDistribution & { java: string }> {
  const repoRoot = findRepoRoot();
  const java = javaCommand();
  await requireJava(java);
  return { ...(await resolveKafkaJars(repoRoot, join(repoRoot, '.cache', 'kafka'), log)), java };
}

function preferredPort(option: number | undefined, fromEnv: string | undefined): number {
  if (option !== undefined) return option;
  if (!fromEnv) return DEFAULT_PORT;
  const port = Number(fromEnv);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
    throw new Error(`KAFKA_PORT must be a TCP port number, got "${fromEnv}".`);
  }
  return port;
}

async function choosePorts(preferred: number, log: ProvisioningLog): Promise<{ port: number; controllerPort: number }> {
  let port = preferred;
  if (!(await isPortFree(preferred))) {
    port = await findFreePort();
    log(`port ${preferred} is in use; the broker will listen on ${port} instead`);
  }
  let controllerPort = await findFreePort();
  while (controllerPort === port) controllerPort = await findFreePort();
  return { port, controllerPort };
}

async function startLocalBroker(preferred: number, workDir: string | undefined, log: ProvisioningLog): Promise<KafkaEndpoint> {
  const startedAt = Date.now();
  const cacheRoot = join(findRepoRoot(), '.cache', 'kafka');
  const pidDir = join(cacheRoot, 'pids');
  await reapStaleBrokers(pidDir, log);
  const { version, libsDir, java } = await kafkaDistribution(log);

  const dataDir = join(workDir ?? cacheRoot, `run-${process.pid}-${Date.now()}`);
  const propertiesFile = join(dataDir, 'server.properties');
  const log4jFile = join(dataDir, 'log4j.properties');
  const brokerLog = join(dataDir, 'broker.log');
  const ports = await choosePorts(preferred, log);
  await mkdir(dataDir, { recursive: true });
  await writeFile(propertiesFile, brokerProperties(ports, join(dataDir, 'data')));
  await writeFile(log4jFile, LOG4J_PROPERTIES);
  const jvmArgs = [
    // Start-up time matters more than peak throughput for a local broker: the C1 compiler alone
    // and the serial collector halve JVM start-up CPU, which shows on small or busy machines.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-cp',
    join(libsDir, '*'),
    `-Dlog4j.configuration=file:${log4jFile}`,
  ];

  try {
    // StorageTool ends with System.exit, so it runs as its own JVM before the broker.
    await runCommand(java, [...jvmArgs, 'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', propertiesFile], {
      timeoutMs: 60_000,
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    const output = error instanceof CommandFailedError ? `\n${error.output}` : '';
    throw new Error(`Formatting the Kafka storage failed: ${(error as Error).message}${output}`);
  }

  log(`starting Kafka ${version} on 127.0.0.1:${ports.port} (data and broker.log in ${dataDir})`);
  const [command, args] = await withParentDeathSignal(java, ['-Xms256m', '-Xmx512m', ...jvmArgs, 'kafka.Kafka', propertiesFile]);
  const brokers = [`127.0.0.1:${ports.port}`];
  let broker: ChildProcess | undefined;
  let recordPath: string | undefined;
  let stopped = false;

  /** Starts the broker JVM on the formatted data directory and waits until it serves requests. */
  const launch = async (): Promise<void> => {
    const logFd = openSync(brokerLog, 'a');
    // Not detached: Ctrl-C reaches the broker's process group too. Unref'd: a host that forgets
    // stop() can still exit, and then the exit hook or the parent-death signal ends the broker.
    const child = spawn(command, args, { cwd: dataDir, stdio: ['ignore', logFd, logFd] });
    broker = child;
    closeSync(logFd);
    child.unref();
    const exited = new AbortController();
    child.once('error', (error) => exited.abort(new Error(`the broker could not be started: ${error.message}`)));
    child.once('exit', (code, signal) =>
      exited.abort(new Error(`the broker process exited (${signal ?? `code ${code}`}) before it was ready`)),
    );
    const previousRecord = recordPath;
    recordPath = child.pid ? await writeBrokerRecord(pidDir, { ownerPid: process.pid, brokerPid: child.pid, dataDir }) : undefined;
    if (previousRecord && previousRecord !== recordPath) await rm(previousRecord, { force: true });
    await waitForKafka(brokers, { timeoutMs: READY_TIMEOUT_MS, signal: exited.signal });
  };

  const unregisterExitHook = onProcessExit(() => {
    if (broker && !hasExited(broker)) broker.kill('SIGKILL');
    if (recordPath) removeBrokerFilesSync(recordPath, dataDir);
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      stopped = true;
      unregisterExitHook();
      if (broker) await terminate(broker, SHUTDOWN_GRACE_MS);
      await rm(dataDir, { recursive: true, force: true });
      if (recordPath) await rm(recordPath, { force: true });
    })());

  const failed = async (error: unknown, what: string): Promise<never> => {
    const tail = await lastLines(brokerLog, LOG_LINES_ON_FAILURE);
    await stop();
    throw new Error(`${what}: ${(error as Error).message}\nLast ${LOG_LINES_ON_FAILURE} lines of ${brokerLog}:\n${tail}`);
  };

  // Fault tests: the same broker (port, cluster id, data) goes away and comes back.
  const restart = async (downtimeMs = 0): Promise<void> => {
    if (stopped) throw new Error('the broker was stopped; it cannot be restarted');
    const began = Date.now();
    log(`restarting Kafka on ${brokers[0]} (controlled shutdown, then ${downtimeMs} ms down)`);
    if (broker) await terminate(broker, SHUTDOWN_GRACE_MS);
    if (downtimeMs > 0) await new Promise((resolve) => setTimeout(resolve, downtimeMs));
    try {
      await launch();
    } catch (error) {
      await failed(error, 'The local Kafka broker did not come back after a restart');
    }
    log(`Kafka back on ${brokers[0]} after ${((Date.now() - began) / 1000).toFixed(1)}s`);
  };

  try {
    await launch();
  } catch (error) {
    await failed(error, 'The local Kafka broker did not become ready');
  }
  log(`Kafka ready on ${brokers[0]} after ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  return { brokers, managed: true, stop, restart };
}
