/**
 * Group commit: items submitted while a group is being written wait and go together in the
 * next one, so a burst of N requests costs a few transactions (and WAL flushes) instead of N.
 * Nothing waits on a timer: an idle committer writes a lone item at once, so latency only
 * grows under load, when grouping pays for itself.
 */
/** Thrown by {@link GroupCommitter.submit} when `maxWaiting` items already wait: the caller should come back later. */
export class GroupCommitterFullError extends Error {
  constructor(readonly waiting: number) {
    super(`${waiting} items are already waiting to be written`);
    this.name = 'GroupCommitterFullError';
  }
}

export class GroupCommitter<TItem, TResult> {
  private readonly waiting: { item: TItem; resolve: (result: TResult) => void; reject: (error: Error) => void }[] = [];
  private running = 0;

  constructor(
    /** Writes a group; answers one result (or error) per item, in the items' order. */
    private readonly writeGroup: (items: TItem[]) => Promise<(TResult | Error)[]>,
    private readonly options: {
      maxGroupSize: number;
      maxConcurrentGroups: number;
      /**
       * Items allowed to wait; beyond, submit rejects at once with GroupCommitterFullError. While
       * the database stalls, requests would otherwise pile up in memory without bound, each
       * written long after its client gave up (and retried: a second notice).
       */
      maxWaiting?: number;
    },
  ) {}

  /** Items waiting for a group (not those being written). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  submit(item: TItem): Promise<TResult> {
    const { maxWaiting } = this.options;
    if (maxWaiting !== undefined && this.waiting.length >= maxWaiting) return Promise.reject(new GroupCommitterFullError(this.waiting.length));
    return new Promise<TResult>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.maxConcurrentGroups && this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.options.maxGroupSize);
      this.running += 1;
      this.writeGroup(group.map((entry) => entry.item))
        .then(
          (results) => group.forEach((entry, index) => settle(entry, results[index])),
          (error: Error) => group.forEach((entry) => entry.reject(error)),
        )
        .finally(() => {
          this.running -= 1;
          this.pump();
        });
    }
  }
}

function settle<TResult>(entry: { resolve: (result: TResult) => void; reject: (error: Error) => void }, result: TResult | Error | undefined): void {
  if (result instanceof Error) entry.reject(result);
  else if (result === undefined) entry.reject(new Error('the group writer gave no result for this item'));
  else entry.resolve(result);
}
