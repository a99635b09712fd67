import { EnvReader } from './env-reader';

describe('EnvReader', () => {
  it('reads integers and flags, with fallbacks for unset values', () => {
    const reader = new EnvReader({ A: '12', B: 'off', C: '' });
    expect(reader.integer('A', 1, 0, 100)).toBe(12);
    expect(reader.integer('C', 7, 0, 100)).toBe(7);
    expect(reader.flag('B', true)).toBe(false);
    expect(reader.flag('D', true)).toBe(true);
    expect(() => reader.assertValid('svc')).not.toThrow();
  });

  it('names every wrong variable at once', () => {
    const reader = new EnvReader({ A: '-1', B: 'maybe', C: '1000' });
    reader.integer('A', 1, 0, 10);
    reader.flag('B', true);
    reader.integer('C', 1, 0, 10);
    expect(() => reader.assertValid('svc')).toThrow(/A must be an integer between 0 and 10[\s\S]*B must be on or off[\s\S]*C must be/);
  });
});
