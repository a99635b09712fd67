import { extname } from 'node:path';

/**
 * The `execArgv` of a worker thread that runs `file`, a module of this workspace. Run from
 * TypeScript sources (specs, scripts under ts-node), the thread compiles its module the same
 * way and resolves the workspace aliases from tsconfig; compiled, it keeps the `--require`
 * hooks this process was started with (dist/'s alias map) and none of its V8 flags, which a
 * thread refuses (its heap is sized by `resourceLimits`).
 */
export function workerThreadExecArgv(file: string, processExecArgv: readonly string[] = process.execArgv): string[] {
  if (extname(file) === '.ts') return ['--require', 'ts-node/register/transpile-only', '--require', 'tsconfig-paths/register'];
  const hooks: string[] = [];
  for (let i = 0; i < processExecArgv.length; i++) {
    const arg = processExecArgv[i];
    if ((arg === '-r' || arg === '--require') && i + 1 < processExecArgv.length) hooks.push('--require', processExecArgv[++i]);
    else if (arg.startsWith('--require=')) hooks.push(arg);
  }
  return hooks;
}
