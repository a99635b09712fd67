import { startVigieStack, type VigieStack } from '@vigie/testing';
import { startConsoleServer, type RunningConsole } from '../console-server';

export { sleep, waitFor } from '@vigie/testing';

/** The four services (own processes, fresh database) with the console server in-process in front of them. */
export interface ConsoleStack extends VigieStack {
  readonly console: RunningConsole;
}

export async function startConsoleStack(): Promise<ConsoleStack> {
  const stack = await startVigieStack({ label: 'console' });
  const consoleServer = await startConsoleServer({ port: 0, upstreams: stack.urls });
  return {
    ...stack,
    console: consoleServer,
    async close() {
      await consoleServer.close();
      await stack.close();
    },
  };
}
