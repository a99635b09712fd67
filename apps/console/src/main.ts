import { startConsoleServer } from './console-server';

/** `npm start` runs the console beside the services; each upstream URL may be overridden. */
const env = process.env;
const port = Number(env.CONSOLE_PORT ?? 3000);
const upstreams = {
  ingest: env.VIGIE_INGEST_URL ?? env.VIGIE_AUTH_URL ?? 'http://127.0.0.1:3001',
  scoring: env.VIGIE_SCORING_URL ?? 'http://127.0.0.1:3002',
  nat: env.VIGIE_NAT_URL ?? 'http://127.0.0.1:3003',
  audit: env.VIGIE_AUDIT_URL ?? 'http://127.0.0.1:3004',
};

startConsoleServer({ port, host: env.HOST ?? '127.0.0.1', upstreams }).then(
  (running) => {
    console.log(JSON.stringify({ level: 'info', service: 'console', msg: `console at ${running.url}/console/`, upstreams }));
    const stop = () => void running.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  },
  (error: Error) => {
    console.error(`console did not start: ${error.message}`);
    process.exit(1);
  },
);
