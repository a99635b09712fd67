import type { ConsoleServerOptions } from './console-server';

/** The console's default HTTP port (`CONSOLE_PORT`). */
export const CONSOLE_DEFAULT_PORT = 3000;

/**
 * The console's settings, read from the environment (its only settings reader, so
 * docker-compose.yml can be checked against what it actually reads). `npm start` runs the
 * console beside the services; each upstream URL may be overridden.
 */
export function loadConsoleSettings(env: NodeJS.ProcessEnv): Required<ConsoleServerOptions> {
  return {
    port: Number(env.CONSOLE_PORT ?? CONSOLE_DEFAULT_PORT),
    host: env.HOST ?? '127.0.0.1',
    upstreams: {
      ingest: env.VIGIE_INGEST_URL ?? env.VIGIE_AUTH_URL ?? 'http://127.0.0.1:3001',
      scoring: env.VIGIE_SCORING_URL ?? 'http://127.0.0.1:3002',
      nat: env.VIGIE_NAT_URL ?? 'http://127.0.0.1:3003',
      audit: env.VIGIE_AUDIT_URL ?? 'http://127.0.0.1:3004',
    },
  };
}
