/**
 * Group commit: items submitted while a group is being written wait and go together in the
 * next one, so a burst of N requests costs a few transactions (and WAL flushes) instead of N.
 * Nothing waits on a timer: an idle committer writes a lone item at once, so latency only
 * grows under load, when grouping pays for itself.
 */
export class GroupCommitter<TItem, TResult> {
  private readonly waiting: { item: TItem; resolve: (result: TResult) => void; reject: (error: Error) => void }[] = [];
  private running = 0;

  constructor(
    /** Writes a group; answers one result (or error) per item, in the items' order. */
    private readonly writeGroup: (items: TItem[]) => Promise<(TResult | Error)[]>,
    private readonly options: { maxGroupSize: number; maxConcurrentGroups: number },
  ) {}

  submit(item: TItem): Promise<TResult> {
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
