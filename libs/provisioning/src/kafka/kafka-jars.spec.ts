import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveKafkaJars } from './kafka-jars';

// A stand-in for Maven: `mvn -v` answers, and `dependency:copy-dependencies` writes into the
// output directory the jars the pom names in a `<!-- jars: ... -->` comment.
const FAKE_MVN = `#!/bin/sh
[ "$1" = "-v" ] && { echo "Apache Maven (fake)"; exit 0; }
out=""; pom=""; prev=""
for arg in "$@"; do
  case "$arg" in -DoutputDirectory=*) out="\${arg#-DoutputDirectory=}";; esac
  [ "$prev" = "-f" ] && pom="$arg"
  prev="$arg"
done
mkdir -p "$out"
for jar in $(sed -n 's/.*<!-- jars: \\(.*\\) -->.*/\\1/p' "$pom"); do echo "$jar" > "$out/$jar"; done
echo "$out" >> "$(dirname "$0")/calls"
`;

describe('resolving the Kafka jars', () => {
  let root: string;
  const pom = (version: string, jars: string[]) =>
    writeFileSync(join(root, 'repo', 'tools', 'kafka', 'pom.xml'), `<project><properties><kafka.version>${version}</kafka.version></properties><!-- jars: ${jars.join(' ')} --></project>\n`);
  const resolve = () => resolveKafkaJars(join(root, 'repo'), join(root, 'cache'), () => undefined, join(root, 'bin', 'mvn'));
  const mavenRuns = () => {
    const calls = join(root, 'bin', 'calls');
    return existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n').length : 0;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'vigie-kafka-jars-'));
    mkdirSync(join(root, 'repo', 'tools', 'kafka'), { recursive: true });
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin', 'mvn'), FAKE_MVN);
    chmodSync(join(root, 'bin', 'mvn'), 0o755);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('resolves once, then uses the cached folder while the pom is unchanged', async () => {
    pom('3.9.1', ['kafka_2.13-3.9.1.jar', 'kafka-clients-3.9.1.jar']);

    const first = await resolve();
    const second = await resolve();

    expect(first).toEqual({ version: '3.9.1', libsDir: join(root, 'cache', '3.9.1', 'libs') });
    expect(second).toEqual(first);
    expect(readdirSync(first.libsDir).filter((file) => file.endsWith('.jar')).sort()).toEqual(['kafka-clients-3.9.1.jar', 'kafka_2.13-3.9.1.jar']);
    expect(mavenRuns()).toBe(1);
  });

  it('adds the jars of an artifact added to the pom into the folder in place (running brokers keep theirs)', async () => {
    pom('3.9.1', ['kafka_2.13-3.9.1.jar', 'kafka-clients-3.9.1.jar']);
    const { libsDir } = await resolve();
    const folder = statSync(libsDir).ino;
    const brokerJar = statSync(join(libsDir, 'kafka-clients-3.9.1.jar')).ino;

    pom('3.9.1', ['kafka_2.13-3.9.1.jar', 'kafka-clients-3.9.1.jar', 'kafka-tools-3.9.1.jar']);
    await resolve();
    await resolve();

    expect(statSync(libsDir).ino).toBe(folder);
    expect(statSync(join(libsDir, 'kafka-clients-3.9.1.jar')).ino).toBe(brokerJar);
    expect(readdirSync(libsDir).filter((file) => file.endsWith('.jar')).sort()).toEqual(['kafka-clients-3.9.1.jar', 'kafka-tools-3.9.1.jar', 'kafka_2.13-3.9.1.jar']);
    expect(readdirSync(join(root, 'cache', '3.9.1'))).toEqual(['libs']);
    expect(mavenRuns()).toBe(2);
  });

  it('replaces the folder when the new set drops or changes a jar', async () => {
    pom('3.9.1', ['kafka_2.13-3.9.1.jar', 'jackson-databind-2.16.2.jar']);
    const { libsDir } = await resolve();

    pom('3.9.1', ['kafka_2.13-3.9.1.jar', 'jackson-databind-2.17.0.jar']);
    await resolve();

    expect(readdirSync(libsDir).filter((file) => file.endsWith('.jar')).sort()).toEqual(['jackson-databind-2.17.0.jar', 'kafka_2.13-3.9.1.jar']);
  });
});
