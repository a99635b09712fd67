import { tablesToAnalyze } from './planner-statistics';

describe('tablesToAnalyze', () => {
  it('picks the tables written more than 50 rows plus 10 % of their size since the last analyze, sorted', () => {
    expect(
      tablesToAnalyze([
        { table: 's.grown', liveRows: 1000, modifiedSinceAnalyze: 151 },
        { table: 's.quiet', liveRows: 1000, modifiedSinceAnalyze: 150 },
        { table: 's.new', liveRows: 0, modifiedSinceAnalyze: 51 },
        { table: 's.empty', liveRows: 0, modifiedSinceAnalyze: 0 },
        { table: 's.big', liveRows: 10_000_000, modifiedSinceAnalyze: 999_000 },
        { table: 's.after_burst', liveRows: 10_000_000, modifiedSinceAnalyze: 1_000_100 },
      ]),
    ).toEqual(['s.after_burst', 's.grown', 's.new']);
  });
});
