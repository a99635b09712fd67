import { runCommand } from './run-command';

let supported: Promise<boolean> | undefined;

function setprivSupported(): Promise<boolean> {
  supported ??=
    process.platform === 'linux'
      ? runCommand('setpriv', ['--pdeathsig', 'TERM', '--', 'true']).then(
          () => true,
          () => false,
        )
      : Promise.resolve(false);
  return supported;
}

/**
 * Wraps a command in `setpriv --pdeathsig TERM` (Linux util-linux) so the child receives SIGTERM
 * when this process dies in any way, SIGKILL included, which no exit handler can intercept.
 * Elsewhere the command is returned unchanged. setpriv execs the command, so the pid is the same.
 */
export async function withParentDeathSignal(command: string, args: string[]): Promise<[string, string[]]> {
  return (await setprivSupported()) ? ['setpriv', ['--pdeathsig', 'TERM', '--', command, ...args]] : [command, args];
}
