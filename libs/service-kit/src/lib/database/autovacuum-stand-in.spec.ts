import { tablesToAnalyze, tablesToVacuum, type TableActivity } from './autovacuum-stand-in';

const activity = (table: string, liveRows: number, writes: Partial<TableActivity>): TableActivity => ({
  table,
  liveRows,
  deadRows: 0,
  insertedSinceVacuum: 0,
  modifiedSinceAnalyze: 0,
  ...writes,
});

describe('tablesToAnalyze', () => {
  it('picks the tables written more than 50 rows plus 10 % of their size since the last analyze, sorted', () => {
    expect(
      tablesToAnalyze([
        activity('s.grown', 1000, { modifiedSinceAnalyze: 151 }),
        activity('s.quiet', 1000, { modifiedSinceAnalyze: 150 }),
        activity('s.new', 0, { modifiedSinceAnalyze: 51 }),
        activity('s.empty', 0, {}),
        activity('s.big', 10_000_000, { modifiedSinceAnalyze: 999_000 }),
        activity('s.after_burst', 10_000_000, { modifiedSinceAnalyze: 1_000_100 }),
      ]),
    ).toEqual(['s.after_burst', 's.grown', 's.new']);
  });
});

describe('tablesToVacuum', () => {
  it('picks the tables with more dead rows than 50 plus 20 % of their size, sorted', () => {
    expect(
      tablesToVacuum([
        activity('s.churned', 1000, { deadRows: 251 }),
        activity('s.quiet', 1000, { deadRows: 250 }),
        activity('s.big', 2_000_000, { deadRows: 400_050 }),
        activity('s.big_churned', 2_000_000, { deadRows: 400_051 }),
      ]),
    ).toEqual(['s.big_churned', 's.churned']);
  });

  it('picks the tables with more rows inserted since the last vacuum than 1,000 plus 20 % of their size', () => {
    expect(
      tablesToVacuum([
        activity('s.appended', 10_000, { insertedSinceVacuum: 3001 }),
        activity('s.few', 10_000, { insertedSinceVacuum: 3000 }),
        activity('s.new', 0, { insertedSinceVacuum: 1001 }),
        activity('s.empty', 0, {}),
      ]),
    ).toEqual(['s.appended', 's.new']);
  });
});
