// Kafka's own performance tools (`org.apache.kafka.tools.ProducerPerformance` and
// `ConsumerPerformance`, from the kafka-tools artifact resolved with the broker's jars), run
// with the provisioned JDK, and the figures they print.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProducerPerformanceReport {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface ConsumerPerformanceReport {
  records: number;
  /** Records over the whole run, the consumer group's join included (the tool's `nMsg.sec`). */
  recordsPerSec: number;
  /** Records over the fetch time only, the group join excluded (the tool's `fetch.nMsg.sec`). */
  fetchRecordsPerSec: number;
  mbPerSec: number;
  fetchMbPerSec: number;
  rebalanceMs: number;
  fetchMs: number;
}

/** The summary line ProducerPerformance prints last (the periodic lines have no percentiles). */
export function parseProducerPerformance(output: string): ProducerPerformanceReport {
  const line = output
    .split('\n')
    .reverse()
    .find((candidate) => /records sent, .* 50th/.test(candidate));
  const match =
    line &&
    /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/.exec(
      line,
    );
  if (!match) throw new Error(`ProducerPerformance printed no summary:\n${output.slice(-2000)}`);
  const [records, recordsPerSec, mbPerSec, avgLatencyMs, maxLatencyMs, p50Ms, p95Ms, p99Ms] = match.slice(1).map(Number);
  return { records, recordsPerSec: Math.round(recordsPerSec), mbPerSec, avgLatencyMs, maxLatencyMs, p50Ms, p95Ms, p99Ms };
}

/** ConsumerPerformance's CSV-like header line and the line of figures under it. */
export function parseConsumerPerformance(output: string): ConsumerPerformanceReport {
  const lines = output.split('\n').map((line) => line.trim());
  const headerAt = lines.findIndex((line) => line.startsWith('start.time,'));
  const header = headerAt >= 0 ? lines[headerAt].split(/,\s*/) : [];
  const values = headerAt >= 0 ? (lines[headerAt + 1] ?? '').split(/,\s*/) : [];
  const field = (name: string): number => {
    const value = Number(values[header.indexOf(name)]);
    if (header.indexOf(name) < 0 || !Number.isFinite(value)) throw new Error(`ConsumerPerformance printed no ${name}:\n${output.slice(-2000)}`);
    return value;
  };
  return {
    records: field('data.consumed.in.nMsg'),
    recordsPerSec: Math.round(field('nMsg.sec')),
    fetchRecordsPerSec: Math.round(field('fetch.nMsg.sec')),
    mbPerSec: field('MB.sec'),
    fetchMbPerSec: field('fetch.MB.sec'),
    rebalanceMs: field('rebalance.time.ms'),
    fetchMs: field('fetch.time.ms'),
  };
}

export interface KafkaToolsContext {
  java: string;
  libsDir: string;
  brokers: string[];
  /** Scratch folder for the payload and logging files. */
  workDir: string;
  /** Extra JVM options (heap...). */
  jvmOptions?: string[];
  timeoutMs?: number;
}

function log4jFile(workDir: string): string {
  const file = join(workDir, 'kafka-tools-log4j.properties');
  writeFileSync(
    file,
    ['log4j.rootLogger=WARN, stderr', 'log4j.appender.stderr=org.apache.log4j.ConsoleAppender', 'log4j.appender.stderr.Target=System.err', 'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout', 'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n', ''].join('\n'),
  );
  return file;
}

function runTool(context: KafkaToolsContext, mainClass: string, args: string[]): Promise<string> {
  const jvm = [...(context.jvmOptions ?? ['-Xmx512m']), `-Dlog4j.configuration=file:${log4jFile(context.workDir)}`, '-cp', join(context.libsDir, '*'), mainClass];
  return new Promise((resolve, reject) => {
    const child = spawn(context.java, [...jvm, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), context.timeoutMs ?? 180_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${mainClass} ended with ${signal ?? `code ${code}`}:\n${`${stdout}\n${stderr}`.slice(-3000)}`));
    });
  });
}

/**
 * ProducerPerformance at full speed (`--throughput -1`) with the producer's defaults of this
 * Kafka version (acks=all, idempotence on), its records drawn from `payloads` (one per line).
 */
export async function producerPerformance(
  context: KafkaToolsContext,
  options: { topic: string; records: number; payloads: string[]; producerProps?: Record<string, string> },
): Promise<ProducerPerformanceReport & { output: string }> {
  if (options.payloads.some((payload) => payload.includes('\n'))) throw new Error('a payload holds a newline: ProducerPerformance splits the payload file on newlines');
  const payloadFile = join(context.workDir, 'producer-payloads.txt');
  writeFileSync(payloadFile, options.payloads.join('\n'));
  const props = Object.entries({ 'bootstrap.servers': context.brokers.join(','), ...options.producerProps }).map(([key, value]) => `${key}=${value}`);
  const output = await runTool(context, 'org.apache.kafka.tools.ProducerPerformance', [
    '--topic',
    options.topic,
    '--num-records',
    String(options.records),
    '--throughput',
    '-1',
    '--payload-file',
    payloadFile,
    '--producer-props',
    ...props,
  ]);
  return { ...parseProducerPerformance(output), output: output.trim().split('\n').slice(-3).join('\n') };
}

/** ConsumerPerformance reading `records` records of `topic` from the beginning in a new group. */
export async function consumerPerformance(
  context: KafkaToolsContext,
  options: { topic: string; records: number; group: string },
): Promise<ConsumerPerformanceReport & { output: string }> {
  const output = await runTool(context, 'org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server',
    context.brokers.join(','),
    '--topic',
    options.topic,
    '--messages',
    String(options.records),
    '--group',
    options.group,
    '--timeout',
    '30000',
  ]);
  return { ...parseConsumerPerformance(output), output: output.trim() };
}
