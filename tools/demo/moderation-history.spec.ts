import { generateModerationHistory } from './moderation-history';

describe('generateModerationHistory', () => {
  const endMs = Date.parse('2026-11-20T12:00:00Z');
  const history = generateModerationHistory({ endMs, days: 30, casesPerDay: 40, seed: 7 });
  const rows = history.csv.trim().split('\n').slice(1).map((line) => line.split(','));

  it('is deterministic for a seed and spans the period', () => {
    expect(generateModerationHistory({ endMs, days: 30, casesPerDay: 40, seed: 7 }).csv).toBe(history.csv);
    expect(rows).toHaveLength(1200);
    expect(history.from).toBe('2026-10-21T12:00:00.000Z');
    expect(rows.every((row) => row.length === 9)).toBe(true);
  });

  it('keeps each case in time order and in the past', () => {
    for (const [, , , published, notice, , decided, , removed] of rows) {
      expect(published < notice).toBe(true);
      if (decided) expect(notice <= decided).toBe(true);
      if (removed) expect(decided <= removed).toBe(true);
      expect([notice, decided, removed].filter(Boolean).every((at) => Date.parse(at) <= endMs)).toBe(true);
    }
  });

  it('mixes cases handled within 24 h with late ones, so the replayed report shows both', () => {
    const hours = rows.filter((row) => row[6]).map((row) => (Date.parse(row[6]) - Date.parse(row[4])) / 3_600_000);
    const late = hours.filter((h) => h > 24).length / hours.length;
    expect(late).toBeGreaterThan(0.03);
    expect(late).toBeLessThan(0.3);
  });
});
