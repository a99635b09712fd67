import { existsSync } from 'node:fs';
import { runStep, type StepResult } from './run-step';

/** Where the console's browser specs look for Debian's Chromium (driven by playwright-core). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The console's browser specs need Debian's Chromium and never skip without it. When it is
 * missing and this process may install packages (root with apt-get), it is installed here, so a
 * fresh machine runs `npm test` without a manual step; otherwise the step fails and says how.
 */
export async function ensureChromium(): Promise<StepResult> {
  const name = 'chromium for browser specs';
  if (existsSync(CHROMIUM_PATH)) return { name, ok: true, seconds: 0 };
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    console.error(`vigie ▸ ${name}: ${CHROMIUM_PATH} is missing; install it with \`sudo apt-get install -y chromium\``);
    return { name, ok: false, seconds: 0 };
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = await runStep('apt-get update', '/usr/bin/apt-get', ['update', '-qq'], env);
  if (!update.ok) return { ...update, name };
  const install = await runStep(name, '/usr/bin/apt-get', ['install', '-y', '-qq', 'chromium'], env);
  return { ...install, seconds: Math.round((install.seconds + update.seconds) * 10) / 10, ok: install.ok && existsSync(CHROMIUM_PATH) };
}
