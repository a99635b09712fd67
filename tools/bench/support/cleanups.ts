/**
 * What a benchmark started (broker, databases, services, clients), stopped in reverse order,
 * once: on the way out, or on Ctrl-C or a signal, after which the process exits with 130.
 */
export interface BenchCleanups {
  add(name: string, run: () => Promise<unknown>): void;
  /** Runs every step (a failing step is reported, the others still run); later calls wait for the first. */
  run(): Promise<void>;
  /** Whether the cleanup has begun (a child exiting then is being stopped, not failing). */
  readonly stopping: boolean;
  /** Whether a signal started the cleanup (children may then be stopped with less patience). */
  readonly interrupted: boolean;
}

/** `label` prefixes the lines it prints; `onInterrupt` runs first when a signal arrives (e.g. to stop a load generator). */
export function benchCleanups(label: string, onInterrupt?: () => void): BenchCleanups {
  const steps: { name: string; run: () => Promise<unknown> }[] = [];
  let running: Promise<void> | undefined;
  let interrupted = false;
  const log = (line: string) => console.log(`${label} ▸ ${line}`);
  const cleanups: BenchCleanups = {
    add: (name, run) => void steps.push({ name, run }),
    run: () =>
      (running ??= (async () => {
        for (const step of steps.reverse()) {
          if (interrupted) log(`stopping ${step.name}...`);
          await step.run().catch((error: unknown) => console.error(`${label} ▸ cleaning up ${step.name}: ${(error as Error).message}`));
        }
      })()),
    get stopping() {
      return running !== undefined;
    },
    get interrupted() {
      return interrupted;
    },
  };
  // `on`, not `once`: the provisioning library's last-resort handlers stand back only while
  // another listener is registered for the signal; a second Ctrl-C while cleaning is ignored.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (running) return;
      interrupted = true;
      log(`${signal}: stopping and cleaning up...`);
      onInterrupt?.();
      void cleanups.run().finally(() => process.exit(130));
    });
  }
  return cleanups;
}
