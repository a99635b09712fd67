/** Thrown by {@link OneAtATime.run} when `maxWaiting` callers already wait for their turn. */
export class TooManyWaitingError extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} callers already wait for their turn`);
    this.name = 'TooManyWaitingError';
  }
}

/**
 * Runs tasks one at a time, in the order they came, with at most `maxWaiting` waiting behind
 * the running one; any more are turned away at once. A failed task does not stop the next.
 */
export class OneAtATime {
  private last: Promise<unknown> = Promise.resolve();
  private waitingCount = 0;

  constructor(private readonly maxWaiting: number) {}

  get waiting(): number {
    return this.waitingCount;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.waitingCount >= this.maxWaiting) return Promise.reject(new TooManyWaitingError(this.waitingCount));
    this.waitingCount++;
    const mine = this.last
      .catch(() => undefined)
      .then(() => {
        this.waitingCount--;
        return task();
      });
    this.last = mine;
    return mine;
  }
}
