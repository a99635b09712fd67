import { GroupCommitter, GroupCommitterFullError } from './group-committer';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommitter', () => {
  it('writes a lone item at once and groups what arrives while groups are in flight', async () => {
    const groups: number[][] = [];
    const releases: (() => void)[] = [];
    const committer = new GroupCommitter<number, string>(
      (items) =>
        new Promise((resolve) => {
          groups.push(items);
          releases.push(() => resolve(items.map((item) => `ok ${item}`)));
        }),
      { maxGroupSize: 3, maxConcurrentGroups: 1 },
    );
    const first = committer.submit(1);
    await tick();
    expect(groups).toEqual([[1]]);
    const rest = [2, 3, 4, 5].map((item) => committer.submit(item));
    releases[0]?.();
    expect(await first).toBe('ok 1');
    await tick();
    expect(groups[1]).toEqual([2, 3, 4]);
    releases[1]?.();
    await tick();
    expect(groups[2]).toEqual([5]);
    releases[2]?.();
    expect(await Promise.all(rest)).toEqual(['ok 2', 'ok 3', 'ok 4', 'ok 5']);
  });

  it('fails only the items the writer reports as failed, and everything when the writer throws', async () => {
    const committer = new GroupCommitter<number, number>(async (items) => items.map((item) => (item % 2 ? item : new Error(`bad ${item}`))), {
      maxGroupSize: 10,
      maxConcurrentGroups: 1,
    });
    const results = await Promise.allSettled([1, 2, 3].map((item) => committer.submit(item)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const broken = new GroupCommitter<number, number>(async () => {
      throw new Error('database down');
    }, { maxGroupSize: 10, maxConcurrentGroups: 2 });
    await expect(broken.submit(1)).rejects.toThrow('database down');
  });

  it('turns items away at once beyond maxWaiting while a stalled group is written, and takes them again after', async () => {
    const releases: (() => void)[] = [];
    const committer = new GroupCommitter<number, number>(
      (items) => new Promise((resolve) => releases.push(() => resolve(items))),
      { maxGroupSize: 2, maxConcurrentGroups: 1, maxWaiting: 3 },
    );
    const inFlight = committer.submit(0);
    await tick();
    const waiting = [1, 2, 3].map((item) => committer.submit(item));
    expect(committer.waitingCount).toBe(3);
    await expect(committer.submit(4)).rejects.toBeInstanceOf(GroupCommitterFullError);
    expect(committer.waitingCount).toBe(3);
    releases[0]();
    expect(await inFlight).toBe(0);
    await tick();
    // One group of two left the queue: there is room again.
    const later = committer.submit(5);
    for (let i = 1; i < 4; i++) {
      releases[i]?.();
      await tick();
    }
    expect(await Promise.all([...waiting, later])).toEqual([1, 2, 3, 5]);
  });
});
