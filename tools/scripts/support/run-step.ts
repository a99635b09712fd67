import { spawn } from 'node:child_process';

export interface StepResult {
  name: string;
  ok: boolean;
  seconds: number;
}

/** Runs one command with inherited output and reports how it went and how long it took. */
export function runStep(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<StepResult> {
  const started = Date.now();
  console.log(`\nvigie ▸ ${name}: ${command} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGTERM', forward);
    child.on('exit', (code) => {
      process.off('SIGTERM', forward);
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      console.log(`vigie ▸ ${name}: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${seconds} s`);
      resolve({ name, ok: code === 0, seconds });
    });
    child.on('error', (error) => {
      console.error(`vigie ▸ ${name}: could not run ${command}: ${error.message}`);
      resolve({ name, ok: false, seconds: 0 });
    });
  });
}

export const npxBin = (bin: string) => `node_modules/.bin/${bin}`;
