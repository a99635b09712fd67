import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProvisioningLog } from '../log';
import { isProcessAlive } from '../process/proc';
import { CommandFailedError, runCommand } from '../process/run-command';

// Written last, so a libs folder without it is an interrupted copy and gets resolved again. It
// holds the version and a fingerprint of the pom, so editing the pom (e.g. adding an artifact)
// resolves the jars again.
const MARKER = '.resolved';
const STAGING_PREFIX = 'libs.partial-';

export interface KafkaDistribution {
  version: string;
  /** Folder holding the broker's jars and Kafka's command-line tools (the classpath is `<libsDir>/*`). */
  libsDir: string;
}

/** The pom is the single place the Kafka version is written down. */
function kafkaVersion(pom: string, text: string): string {
  const match = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(text);
  if (!match) throw new Error(`${pom} does not define <kafka.version>.`);
  return match[1].trim();
}

/** What the marker of a folder resolved from this pom says. */
function markerText(version: string, pomText: string): string {
  return `${version} ${createHash('sha256').update(pomText).digest('hex').slice(0, 16)}\n`;
}

async function isCurrent(libsDir: string, marker: string): Promise<boolean> {
  try {
    return (await readFile(join(libsDir, MARKER), 'utf8')) === marker;
  } catch {
    return false;
  }
}

const jarsIn = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((file) => file.endsWith('.jar'));

async function requireMaven(maven: string): Promise<void> {
  try {
    await runCommand(maven, ['-v'], { timeoutMs: 60_000 });
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
 * The Kafka jars, resolved from Maven Central into `<cacheRoot>/<version>/libs` on first use
 * (tools/kafka/pom.xml lists them). Maven downloads into a per-process staging folder that is
 * renamed into place once complete, so concurrent first runs cannot see a half-copied classpath.
 *
 * When the pom changed since the folder was resolved and the new set only adds jars (an
 * artifact was added), the new jars are moved in one by one (each rename is atomic) and the
 * folder stays in place: brokers already running from it keep their classpath.
 */
export async function resolveKafkaJars(
  repoRoot: string,
  cacheRoot: string,
  log: ProvisioningLog,
  /** The Maven launcher (a stand-in in unit specs). */
  maven = 'mvn',
): Promise<KafkaDistribution> {
  const pom = join(repoRoot, 'tools', 'kafka', 'pom.xml');
  const pomText = await readFile(pom, 'utf8');
  const version = kafkaVersion(pom, pomText);
  const marker = markerText(version, pomText);
  const versionDir = join(cacheRoot, version);
  const libsDir = join(versionDir, 'libs');
  if (await isCurrent(libsDir, marker)) return { version, libsDir };

  await requireMaven(maven);
  const update = existsSync(join(libsDir, MARKER));
  log(
    update
      ? `tools/kafka/pom.xml changed: resolving Apache Kafka ${version}'s jars again...`
      : `resolving Apache Kafka ${version} from Maven Central (first run only)...`,
  );
  const startedAt = Date.now();
  const staging = join(versionDir, `${STAGING_PREFIX}${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  try {
    await runCommand(
      maven,
      ['-q', '-B', 'dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime', '-f', pom],
      { timeoutMs: 15 * 60_000 },
    );
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const output = error instanceof CommandFailedError ? `\n${error.output.split('\n').slice(-30).join('\n')}` : '';
    throw new Error(`Resolving Apache Kafka ${version} with Maven failed: ${(error as Error).message}${output}`);
  }
  await writeFile(join(staging, MARKER), marker);
  await removeAbandonedStaging(versionDir);

  if (await isCurrent(libsDir, marker)) {
    // Another process finished first; its copy is complete and may already be in use.
    await rm(staging, { recursive: true, force: true });
  } else if (update && (await isSuperset(staging, libsDir))) {
    const present = new Set(await jarsIn(libsDir));
    for (const jar of await jarsIn(staging)) {
      if (!present.has(jar)) await rename(join(staging, jar), join(libsDir, jar));
    }
    await rename(join(staging, MARKER), join(libsDir, MARKER));
    await rm(staging, { recursive: true, force: true });
  } else {
    await rm(libsDir, { recursive: true, force: true });
    await rename(staging, libsDir);
  }
  const jars = (await jarsIn(libsDir)).length;
  log(`resolved ${jars} jars into ${libsDir} in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  return { version, libsDir };
}

/** Whether `candidate` holds every jar of `current` (so moving the others in changes no version). */
async function isSuperset(candidate: string, current: string): Promise<boolean> {
  const offered = new Set(await jarsIn(candidate));
  return (await jarsIn(current)).every((jar) => offered.has(jar));
}
