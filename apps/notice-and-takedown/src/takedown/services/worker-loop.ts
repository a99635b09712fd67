/**
 * A background loop that runs one round of work, then sleeps until the next poll or until it
 * is woken (a new command was committed, a breaker half-opened). Once stopped it starts no
 * new round; `stop()` resolves when the round in flight has finished.
 */
export class WorkerLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;

  constructor(
    private readonly options: {
      intervalMs: number;
      /** Returns true when more work is probably waiting (run again at once). */
      round: () => Promise<boolean>;
      onError: (error: unknown) => void;
      /** Back-off after a failed round (e.g. the database is down). */
      failureBackoffMs?: number;
    },
  ) {}

  get active(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        more = await this.options.round();
      } catch (error) {
        this.options.onError(error);
        await this.sleep(this.options.failureBackoffMs ?? Math.max(1000, this.options.intervalMs));
        continue;
      }
      if (!more) await this.sleep(this.options.intervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || !this.running) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
