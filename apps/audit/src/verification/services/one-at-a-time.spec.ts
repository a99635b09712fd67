import { OneAtATime, TooManyWaitingError } from './one-at-a-time';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('OneAtATime', () => {
  it('runs tasks one after the other, in order, and turns away callers past maxWaiting', async () => {
    const gate = new OneAtATime(2);
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const task = (n: number) => () =>
      new Promise<number>((resolve) => {
        started.push(n);
        finish.push(() => resolve(n));
      });
    const first = gate.run(task(1));
    await tick();
    const second = gate.run(task(2));
    const third = gate.run(task(3));
    expect(gate.waiting).toBe(2);
    await expect(gate.run(task(4))).rejects.toBeInstanceOf(TooManyWaitingError);
    expect(started).toEqual([1]);
    finish[0]();
    expect(await first).toBe(1);
    await tick();
    expect(started).toEqual([1, 2]);
    expect(gate.waiting).toBe(1);
    finish[1]();
    expect(await second).toBe(2);
    await tick();
    expect(started).toEqual([1, 2, 3]);
    finish[2]();
    expect(await third).toBe(3);
  });

  it('goes on after a failed task', async () => {
    const gate = new OneAtATime(1);
    const failed = gate.run(async () => {
      throw new Error('tree build failed');
    });
    await expect(failed).rejects.toThrow('tree build failed');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});
