import { GroupCommitter } from './group-committer';

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
});
