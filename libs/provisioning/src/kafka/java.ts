import { join } from 'node:path';
import { runCommand } from '../process/run-command';

// Kafka 3.9 brokers refuse to run on older JVMs.
const MIN_JAVA_MAJOR = 11;

/** The java launcher: JAVA_HOME's when set (what Java tooling conventionally honours), else PATH's. */
export function javaCommand(): string {
  return process.env['JAVA_HOME'] ? join(process.env['JAVA_HOME'], 'bin', 'java') : 'java';
}

function javaMajorVersion(versionOutput: string): number | undefined {
  // `java -version` prints e.g. `openjdk version "17.0.15"` (or "1.8.0_402" for Java 8).
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  return match[1] === '1' ? Number(match[2]) : Number(match[1]);
}

/** Fails with install instructions unless a usable Java runtime is present. */
export async function requireJava(java: string): Promise<void> {
  let output: string;
  try {
    const { stdout, stderr } = await runCommand(java, ['-version'], { timeoutMs: 30_000 });
    output = `${stdout}${stderr}`;
  } catch (error) {
    throw new Error(
      `A local Kafka broker needs Java ${MIN_JAVA_MAJOR}+ (17 recommended), but ${(error as Error).message}. Install a JDK (e.g. \`apt-get install openjdk-17-jre-headless\` ` +
        `or https://adoptium.net) and put it on PATH or in JAVA_HOME, or set KAFKA_BROKERS to use an existing broker.`,
    );
  }
  const major = javaMajorVersion(output);
  if (major !== undefined && major < MIN_JAVA_MAJOR) {
    throw new Error(
      `A local Kafka broker needs Java ${MIN_JAVA_MAJOR}+ (17 recommended), but \`${java}\` is Java ${major}. ` +
        `Install a newer JDK, or set KAFKA_BROKERS to use an existing broker.`,
    );
  }
}
