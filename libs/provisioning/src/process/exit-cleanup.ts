// Last-resort cleanup of the processes we start, for hosts that exit without calling stop().
// Only synchronous work can run here ('exit' handlers cannot await), hence SIGKILL.
// Under jest the global `process` is a sandboxed copy whose events never fire; there the
// parent-death signal (see parent-death-signal.ts) and the stale-run reaping cover us.

const cleanups = new Set<() => void>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function runCleanups(): void {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort while exiting: one failed cleanup must not prevent the others.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // When the host handles this signal itself it decides when to exit (and our 'exit' handler
  // still runs then); when we are its only handler, clean up and restore the default behaviour.
  if (process.listenerCount(signal) > 1) return;
  runCleanups();
  process.removeListener(signal, onSignal);
  process.kill(process.pid, signal);
}

/** Registers `cleanup` to run synchronously if the process exits; returns the unregister function. */
export function onProcessExit(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runCleanups);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}
