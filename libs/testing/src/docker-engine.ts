import { request } from 'node:http';

const DEFAULT_SOCKET = '/var/run/docker.sock';

type PingTarget = { socketPath: string } | { host: string; port: number };

/** Where the Docker API is, following DOCKER_HOST (unix:// or tcp://) like the docker CLI does. */
function pingTarget(env: NodeJS.ProcessEnv): PingTarget | undefined {
  const dockerHost = env['DOCKER_HOST'];
  if (!dockerHost) return { socketPath: DEFAULT_SOCKET };
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return { socketPath: url.pathname };
  if (url.protocol === 'tcp:') return { host: url.hostname, port: Number(url.port || 2375) };
  return undefined; // ssh:// and npipe:// cannot be pinged over plain HTTP from here
}

/**
 * True when a Docker engine answers GET /_ping within `timeoutMs`. A plain HTTP ping rather than
 * testcontainers' own detection, which is slow to give up and too heavy to load just to ask.
 */
export function isDockerEngineAvailable(env: NodeJS.ProcessEnv = process.env, timeoutMs = 1_000): Promise<boolean> {
  let target: PingTarget | undefined;
  try {
    target = pingTarget(env);
  } catch {
    return Promise.resolve(false); // malformed DOCKER_HOST
  }
  if (!target) return Promise.resolve(false);
  return new Promise((resolve) => {
    const ping = request({ ...target, path: '/_ping', method: 'GET' }, (response) => {
      response.resume();
      finish(response.statusCode === 200);
    });
    const timer = setTimeout(() => finish(false), timeoutMs);
    ping.on('error', () => finish(false));
    ping.end();
    function finish(available: boolean): void {
      clearTimeout(timer);
      ping.destroy();
      resolve(available);
    }
  });
}
