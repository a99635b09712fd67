import { execFile } from 'node:child_process';

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** Failure of {@link runCommand}; carries the command's output so callers can show why it failed. */
export class CommandFailedError extends Error {
  constructor(
    message: string,
    readonly output: string,
    readonly code: string | number | undefined,
  ) {
    super(message);
    this.name = 'CommandFailedError';
  }
}

/** Runs a command to completion (no shell) and collects its output. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const reason =
          typeof error.code === 'number'
            ? `exit code ${error.code}`
            : error.killed
              ? `killed after ${options.timeoutMs} ms`
              : error.message.split('\n')[0];
        reject(
          new CommandFailedError(`\`${command} ${args.join(' ')}\` failed (${reason})`, `${stdout}${stderr}`.trim(), error.code ?? undefined),
        );
      },
    );
  });
}
