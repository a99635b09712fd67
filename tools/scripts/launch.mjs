#!/usr/bin/env node
// Entry point of `npm start`, `npm test` and the benchmark commands. Plain Node with no
// dependencies, because its first job is to install them: it runs `npm ci` when node_modules
// is missing or older than package-lock.json, then hands over to a TypeScript script
// (`start` and `test` name theirs; `run <file.ts>` runs any other).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const launchedAt = Date.now();
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [command, ...rest] = process.argv.slice(2);
const scripts = { start: join('tools', 'scripts', 'start.ts'), test: join('tools', 'scripts', 'test.ts') };
const script = command === 'run' ? rest[0] : scripts[command];
const args = command === 'run' ? rest.slice(1) : rest;

if (!script || !script.endsWith('.ts')) {
  console.error('usage: launch.mjs start|test [args] | launch.mjs run <file.ts> [args]');
  process.exit(64);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Vigie needs Node.js >= 20.19; this is ${process.version}.`);
  process.exit(1);
}

const installedMarker = join(root, 'node_modules', '.package-lock.json');
const lockfile = join(root, 'package-lock.json');
const stale = !existsSync(installedMarker) || statSync(lockfile).mtimeMs > statSync(installedMarker).mtimeMs;
if (stale) {
  console.log('vigie: installing npm dependencies (npm ci)...');
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (install.status !== 0) {
    console.error('vigie: npm ci failed; see the output above.');
    process.exit(install.status ?? 1);
  }
}

// The CLI's `audit verify` reads millions of log rows a page at a time. At V8's default 16 MB
// semi-space a page outlives two scavenges and is promoted, and the old generation grows to four
// times the live heap: 2.8 GB peak RSS for 10M records. At 64 MB pages die young: 1.1 GB, and
// the walk runs about a quarter faster. Other commands never fill it, so it costs them nothing.
const nodeOptionsByScript = { [join('tools', 'cli', 'vigie.ts')]: ['--max-semi-space-size=64'] };

const child = spawn(
  process.execPath,
  [...(nodeOptionsByScript[normalize(script)] ?? []), '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', script, ...args],
  // VIGIE_LAUNCHED_AT: when the command was typed, so `npm start` can say how long the first scored ad took.
  { cwd: root, stdio: 'inherit', env: { ...process.env, TS_NODE_PROJECT: join(root, 'tsconfig.json'), VIGIE_LAUNCHED_AT: process.env.VIGIE_LAUNCHED_AT ?? String(launchedAt) } },
);
// Ctrl-C reaches the child directly (same process group); a signal sent to the launcher alone
// (a process manager, `kill -INT <pid>`) is passed on, so the child stops everything it started
// either way (its stop is idempotent: a second signal does not stop twice).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
