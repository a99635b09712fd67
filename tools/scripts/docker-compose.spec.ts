// docker-compose.yml checked against the code, without a Docker engine: the services it runs,
// the variables it gives each one (against what that service's settings readers actually read
// and require), ports, health checks, dependencies, volumes and the image's entry point.
//
// Nothing about the services is listed twice here: which variables a service reads is found by
// running its real settings readers over a recording environment, its port and host from what
// those readers return, its entry point from the `npm start` service list.
import { PATH_METADATA } from '@nestjs/common/constants';
import { SERVICES, serviceNodeArgs, serviceProcessSpec } from '@vigie/provisioning';
import { ConfigurationError, loadServiceConfig, type ServiceDefinition } from '@vigie/service-kit';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parse } from 'yaml';
import { auditService } from '../../apps/audit/src/audit.service';
import { startConsoleServer } from '../../apps/console/src/console-server';
import { loadConsoleSettings } from '../../apps/console/src/console.settings';
import { ingestService } from '../../apps/ingest/src/ingest.service';
import { noticeAndTakedownService } from '../../apps/notice-and-takedown/src/notice-and-takedown.service';
import { scoringService } from '../../apps/scoring/src/scoring.service';
import { HealthController } from '../../libs/service-kit/src/lib/health/health.controller';

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  working_dir?: string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: (string | { target: number; published: number | string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  volumes?: (string | { type?: string; source?: string; target: string })[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Sample values for the variables the compose file takes from the operator's environment. */
const OPERATOR_VARIABLES: Record<string, string> = {
  VIGIE_ADMIN_API_KEY: 'compose-spec-admin-key-0123456789abcdef',
  VIGIE_SECRETS_KEY: '0123456789abcdef'.repeat(4),
};

const composeText = read('docker-compose.yml');
const compose = parse(composeText, { merge: true }) as ComposeFile;

/** Compose interpolation: `${VAR}`, `${VAR:?err}`, `${VAR:-default}` (and without `:`), `$$`. */
function interpolate(value: string): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[?-])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced, operator, argument, bare) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare) as string;
    const value = OPERATOR_VARIABLES[name];
    if (value !== undefined) return value;
    if (operator === ':-' || operator === '-') return argument as string;
    throw new Error(`docker-compose.yml uses \${${name}} without a default: add a sample to OPERATOR_VARIABLES and document it`);
  });
}

/** The environment a container gets, interpolated as `docker compose` would. */
function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([name, value]) => [name, value === null ? '' : interpolate(String(value))]),
  );
}

/** An environment that records every variable read from it. */
function recording(env: Record<string, string>): { env: NodeJS.ProcessEnv; read: Set<string>; enumerated: () => boolean } {
  const readNames = new Set<string>();
  let enumerated = false;
  const proxy = new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') readNames.add(name);
      return Reflect.get(target, name);
    },
    has(target, name) {
      if (typeof name === 'string') readNames.add(name);
      return Reflect.has(target, name);
    },
    ownKeys(target) {
      enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
  return { env: proxy, read: readNames, enumerated: () => enumerated };
}

/** What a service makes of its environment, through its own readers (they throw on bad config). */
interface ServiceReading {
  port: number;
  host: string;
  /** Everything the readers returned, to find file paths and URLs in. */
  settings: object;
}
type Reader = (env: NodeJS.ProcessEnv) => ServiceReading;

const definitions: ServiceDefinition[] = [ingestService, scoringService, noticeAndTakedownService, auditService];
const nestReader =
  (definition: ServiceDefinition): Reader =>
  (env) => {
    const config = loadServiceConfig(definition.name, definition.defaultPort, env);
    const settings = definition.settings?.(env) ?? {};
    return { port: config.port, host: config.host, settings: { config, settings } };
  };
const readers: Record<string, Reader> = {
  ...Object.fromEntries(definitions.map((definition) => [definition.name, nestReader(definition)])),
  console: (env) => {
    const settings = loadConsoleSettings(env);
    return { port: settings.port, host: settings.host, settings };
  },
};

/** Runs a reader, turning a configuration error into a readable failure. */
function readService(name: string, env: Record<string, string>): ServiceReading {
  try {
    return readers[name](env);
  } catch (error) {
    const problems = error instanceof ConfigurationError ? error.problems.join('; ') : (error as Error).message;
    throw new Error(`${name} does not start with the environment docker-compose.yml gives it: ${problems}`);
  }
}

const dockerfile = read('Dockerfile');
/** The last stage's WORKDIR, USER and ENTRYPOINT. */
const lastStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
const instruction = (name: string) => [...lastStage.matchAll(new RegExp(`^${name}\\s+(.+)$`, 'gm'))].map((m) => m[1].trim()).pop();
const imageWorkdir = instruction('WORKDIR') as string;
const imageUser = instruction('USER') as string;
const imageEntrypoint = JSON.parse(instruction('ENTRYPOINT') as string) as string[];

const appNames = SERVICES.map((service) => service.name);
const dependenciesOf = (service: ComposeService): Record<string, { condition?: string }> =>
  Array.isArray(service.depends_on) ? Object.fromEntries(service.depends_on.map((name) => [name, {}])) : (service.depends_on ?? {});
const healthcheckOf = (service: ComposeService): string =>
  service.healthcheck && !service.healthcheck.disable ? [service.healthcheck.test ?? []].flat().join(' ') : '';
const publishedPorts = (service: ComposeService): { published: number; target: number }[] =>
  (service.ports ?? []).map((entry) => {
    if (typeof entry !== 'string') return { published: Number(entry.published), target: entry.target };
    const parts = entry.split('/')[0].split(':');
    return { published: Number(parts[parts.length - 2] ?? parts[0]), target: Number(parts[parts.length - 1]) };
  });
const volumeMounts = (service: ComposeService): { source: string; target: string }[] =>
  (service.volumes ?? []).map((entry) => {
    if (typeof entry !== 'string') return { source: entry.source ?? '', target: entry.target };
    const [source, target] = entry.split(':');
    return { source, target };
  });

/** Strings held by a settings object at keys ending in `File`: paths the service reads or writes. */
function filePaths(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return /File$/.test(key) ? [value] : [];
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return [];
  return Object.entries(value).flatMap(([childKey, child]) => filePaths(child, childKey));
}

describe('docker-compose.yml', () => {
  it('runs Kafka, PostgreSQL and every service npm start runs', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'postgres', ...appNames].sort());
    // Every app of the `npm start` list can be read here (a new one needs a reader above).
    expect(Object.keys(readers).sort()).toEqual([...appNames].sort());
  });

  it('runs Kafka in KRaft mode, single node, with the broker version local provisioning uses', () => {
    const kafka = compose.services['kafka'];
    const env = environmentOf(kafka);
    const kafkaVersion = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(read('tools/kafka/pom.xml'))?.[1];
    expect(kafka.image).toBe(`apache/kafka:${kafkaVersion}`);
    expect(env['KAFKA_PROCESS_ROLES'].split(',').sort()).toEqual(['broker', 'controller']);
    expect(Object.keys(env).filter((name) => name.includes('ZOOKEEPER'))).toEqual([]);
    const nodeId = env['KAFKA_NODE_ID'];
    const controllerListener = env['KAFKA_CONTROLLER_LISTENER_NAMES'];
    const controllerPort = new RegExp(`${controllerListener}://[^:,]*:(\\d+)`).exec(env['KAFKA_LISTENERS'])?.[1];
    expect(env['KAFKA_CONTROLLER_QUORUM_VOTERS']).toBe(`${nodeId}@kafka:${controllerPort}`);
    expect(env['KAFKA_LISTENER_SECURITY_PROTOCOL_MAP']).toContain(`${controllerListener}:`);
    // One broker: no replication factor above 1.
    for (const [name, value] of Object.entries(env)) {
      if (/REPLICATION_FACTOR|MIN_ISR/.test(name)) expect(Number(value)).toBe(1);
    }
    // Topics are created by the services with their own partition counts, never on first use.
    expect(env['KAFKA_AUTO_CREATE_TOPICS_ENABLE']).toBe('false');
    expect(healthcheckOf(kafka)).not.toBe('');
  });

  it('runs PostgreSQL with the database, user and password the services connect with', () => {
    const postgres = compose.services['postgres'];
    const env = environmentOf(postgres);
    for (const name of appNames) {
      const url = environmentOf(compose.services[name])['DATABASE_URL'];
      if (url === undefined) continue;
      const parsed = new URL(url);
      expect({ host: parsed.hostname, port: parsed.port || '5432', user: parsed.username, password: parsed.password, db: parsed.pathname.slice(1) }).toEqual({
        host: 'postgres',
        port: env['PGPORT'] ?? '5432',
        user: env['POSTGRES_USER'],
        password: env['POSTGRES_PASSWORD'],
        db: env['POSTGRES_DB'],
      });
    }
    expect(healthcheckOf(postgres)).toContain('pg_isready');
    expect(volumeMounts(postgres).map((mount) => mount.target)).toContain('/var/lib/postgresql/data');
  });

  describe.each(appNames)('%s', (name) => {
    // A missing service fails the first test above; `{}` keeps the rest of the file running.
    const service: ComposeService = compose.services[name] ?? {};
    const spec = serviceProcessSpec(name);
    const env = environmentOf(service);

    it('gives only variables the service reads', () => {
      const recorder = recording(env);
      readers[name](recorder.env);
      expect(recorder.enumerated()).toBe(false);
      expect(Object.keys(env).filter((variable) => !recorder.read.has(variable))).toEqual([]);
    });

    it('gives every variable the service requires, with a value it accepts', () => {
      readService(name, env);
      // Required = the service refuses to start without it. (Listed for the failure message.)
      const required = Object.keys(env).filter((variable) => {
        const without = { ...env };
        delete without[variable];
        try {
          readers[name](without);
          return false;
        } catch {
          return true;
        }
      });
      if (definitions.some((definition) => definition.name === name)) expect(required).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'DATABASE_URL']));
    });

    it('listens on all interfaces, on the port it publishes', () => {
      const { port, host } = readService(name, env);
      expect(['0.0.0.0', '::']).toContain(host);
      expect(port).toBe(spec.port);
      expect(publishedPorts(service)).toEqual([{ published: port, target: port }]);
    });

    it('runs the compiled entry point npm start runs, through the image entry point', () => {
      const workdir = service.working_dir ?? imageWorkdir;
      const [require, preload, ...rest] = serviceNodeArgs(spec.main);
      const main = rest[rest.length - 1];
      const entrypoint = service.entrypoint ?? imageEntrypoint;
      expect(entrypoint[0]).toBe('node');
      expect(entrypoint.slice(1, -1)).toEqual([require]);
      expect(posix.resolve(workdir, entrypoint[entrypoint.length - 1])).toBe(posix.join(imageWorkdir, preload));
      // The service's node options, then its entry point.
      const command = service.command as string[];
      expect(command.slice(0, -1)).toEqual(rest.slice(0, -1));
      expect(rest.slice(0, -1)).toEqual(spec.nodeOptions ?? []);
      expect(posix.resolve(workdir, command[command.length - 1])).toBe(posix.join(imageWorkdir, main));
      expect(existsSync(join(root, spec.main))).toBe(true);
      expect(service.build).toBe('.');
    });

    it('has a health check on its own port and health route', async () => {
      const { port } = readService(name, env);
      const match = /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/[a-z]*)/.exec(healthcheckOf(service));
      expect(match).not.toBeNull();
      const [, checkedPort, path] = match as RegExpExecArray;
      expect(Number(checkedPort)).toBe(port);
      if (name === 'console') {
        // The console has no framework routes to read: ask a real one.
        const running = await startConsoleServer({ port: 0, upstreams: loadConsoleSettings(env).upstreams });
        try {
          expect((await fetch(`${running.url}${path}`)).status).toBe(200);
        } finally {
          await running.close();
        }
      } else {
        const routes = [HealthController.prototype.health, HealthController.prototype.ready].map((handler) => `/${Reflect.getMetadata(PATH_METADATA, handler)}`);
        expect(routes).toContain(path);
      }
    });

    it('points its URLs and broker list at compose services, on their ports', () => {
      const { settings } = readService(name, env);
      const addresses: string[] = [];
      const collect = (value: unknown): void => {
        if (typeof value === 'string' && /^https?:\/\//.test(value)) addresses.push(value);
        else if (Array.isArray(value)) value.forEach(collect);
        else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) Object.values(value).forEach(collect);
      };
      collect(settings);
      for (const address of addresses) {
        const url = new URL(address);
        expect(appNames).toContain(url.hostname);
        expect(Number(url.port)).toBe(readService(url.hostname, environmentOf(compose.services[url.hostname])).port);
      }
      const brokers = (settings as { config?: { kafkaBrokers?: string[] } }).config?.kafkaBrokers ?? [];
      const advertised = environmentOf(compose.services['kafka'])['KAFKA_ADVERTISED_LISTENERS'];
      for (const broker of brokers) expect(advertised).toContain(`://${broker}`);
    });

    it('waits for every service it talks to, until that one is healthy', () => {
      const { settings } = readService(name, env);
      const talksTo = new Set<string>();
      const text = JSON.stringify(settings);
      for (const other of Object.keys(compose.services)) {
        if (other !== name && new RegExp(`(//|@|"|,)${other}:\\d+`).test(text)) talksTo.add(other);
      }
      const dependencies = dependenciesOf(service);
      expect(Object.keys(dependencies).sort()).toEqual([...talksTo].sort());
      for (const dependency of Object.keys(dependencies)) {
        expect(healthcheckOf(compose.services[dependency])).not.toBe('');
        expect(dependencies[dependency].condition).toBe('service_healthy');
      }
    });

    it('keeps every file it writes or reads by path on a volume the image user owns', () => {
      const { settings } = readService(name, env);
      const workdir = service.working_dir ?? imageWorkdir;
      const mounts = volumeMounts(service);
      for (const file of filePaths(settings)) {
        const absolute = posix.resolve(workdir, file);
        const mount = mounts.find((candidate) => absolute.startsWith(`${candidate.target}/`));
        if (mount === undefined) throw new Error(`${name} uses ${absolute}, which is on no volume (and ${imageWorkdir} belongs to root in the image)`);
        // A new named volume takes the owner of the directory it is mounted on, if the image has
        // it; only the image user's home is theirs.
        expect(mount.target).toBe(`/home/${imageUser}`);
        expect(Object.keys(compose.volumes ?? {})).toContain(mount.source);
      }
    });
  });

  it('has no dependency cycle, and depends only on services it defines', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, path: string[]): void => {
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`dependency cycle: ${[...path, name].join(' → ')}`);
      visiting.add(name);
      for (const dependency of Object.keys(dependenciesOf(compose.services[name] ?? {}))) {
        expect(Object.keys(compose.services)).toContain(dependency);
        visit(dependency, [...path, name]);
      }
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(compose.services)) visit(name, []);
  });

  it('declares every named volume it mounts', () => {
    for (const service of Object.values(compose.services)) {
      for (const mount of volumeMounts(service)) {
        if (!mount.source.startsWith('.') && !mount.source.startsWith('/')) expect(Object.keys(compose.volumes ?? {})).toContain(mount.source);
      }
    }
  });

  it('takes from the operator only variables the README and its own header document, and refuses to start without them', () => {
    const used = [...new Set([...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}/g)].map((m) => `${m[1]}${m[2].startsWith(':?') ? '' : ' (optional)'}`))];
    expect(used.sort()).toEqual(Object.keys(OPERATOR_VARIABLES).sort());
    const readme = read('README.md');
    const dockerSection = readme.slice(readme.indexOf('## Docker'), readme.indexOf('\n## ', readme.indexOf('## Docker') + 1));
    const header = composeText.slice(0, composeText.indexOf('\nx-'));
    for (const variable of Object.keys(OPERATOR_VARIABLES)) {
      expect(dockerSection).toContain(variable);
      expect(header).toContain(variable);
    }
  });
});
