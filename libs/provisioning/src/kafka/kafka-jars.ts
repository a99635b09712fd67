import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProvisioningLog } from '../log';
import { isProcessAlive } from '../process/proc';
import { CommandFailedError, runCommand } from '../process/run-command';

// Written last, so a libs folder without it is an interrupted copy and gets resolved again.
const MARKER = '.resolved';
const STAGING_PREFIX = 'libs.partial-';

export interface KafkaDistribution {
  version: string;
  /** Folder holding the broker's jars (its classpath is `<libsDir>/*`). */
  libsDir: string;
}

/** The pom is the single place the Kafka version is written down. */
async function kafkaVersion(pom: string): Promise<string> {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(await readFile(pom, 'utf8'));
  if (!match) throw new Error(`${pom} does not define <kafka.version>.`);
  return match[1].trim();
}

async function requireMaven(): Promise<void> {
  try {
    await runCommand('mvn', ['-v'], { timeoutMs: 60_000 });
  } catch (error) {
    throw new Error(
      `Resolving the Kafka broker jars needs Apache Maven, but ${(error as Error).message}. ` +
        'Install it (e.g. `apt-get install maven` or https://maven.apache.org/download.cgi), ' +
        'or set KAFKA_BROKERS to use an existing broker.',
    );
  }
}

/** Staging folders left by runs that died mid-download; their owner pid is in the name. */
async function removeAbandonedStaging(versionDir: string): Promise<void> {
  for (const entry of await readdir(versionDir)) {
    const ownerPid = Number(entry.slice(STAGING_PREFIX.length));
    if (entry.startsWith(STAGING_PREFIX) && !isProcessAlive(ownerPid)) {
      await rm(join(versionDir, entry), { recursive: true, force: true });
    }
  }
}

/**
 * The Kafka broker jars, resolved from Maven Central into `<cacheRoot>/<version>/libs` on first use
 * (tools/kafka/pom.xml lists them). Maven downloads into a per-process staging folder that is
 * renamed into place once complete, so concurrent first runs cannot see a half-copied classpath.
 */
export async function resolveKafkaJars(repoRoot: string, cacheRoot: string, log: ProvisioningLog): Promise<KafkaDistribution> {
  const pom = join(repoRoot, 'tools', 'kafka', 'pom.xml');
  const version = await kafkaVersion(pom);
  const versionDir = join(cacheRoot, version);
  const libsDir = join(versionDir, 'libs');
  if (existsSync(join(libsDir, MARKER))) return { version, libsDir };

  await requireMaven();
  log(`resolving Apache Kafka ${version} from Maven Central (first run only)...`);
  const startedAt = Date.now();
  const staging = join(versionDir, `${STAGING_PREFIX}${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    await runCommand(
      'mvn',
      ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime', '-f', pom],
      { timeoutMs: 15 * 60_000 },
    );
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const output = error instanceof CommandFailedError ? `\n${error.output.split('\n').slice(-30).join('\n')}` : '';
    throw new Error(`Resolving Apache Kafka ${version} with Maven failed: ${(error as Error).message}${output}`);
  }
  await writeFile(join(staging, MARKER), `${version}\n`);
  await removeAbandonedStaging(versionDir);

  if (existsSync(join(libsDir, MARKER))) {
    // Another process finished first; its copy is complete and may already be in use.
    await rm(staging, { recursive: true, force: true });
  } else {
    await rm(libsDir, { recursive: true, force: true });
    await rename(staging, libsDir);
  }
  const jars = (await readdir(libsDir)).filter((file) => file.endsWith('.jar')).length;
  log(`resolved ${jars} jars into ${libsDir} in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  return { version, libsDir };
}
