/** Precision, recall and F1 for the evaluation, and plain-text tables to print them. */

export interface Counts {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

export interface Scores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Items that truly are positive. */
  readonly support: number;
  /** Items predicted positive. */
  readonly predicted: number;
}

export function countBinary<T>(items: readonly T[], truth: (item: T) => boolean, predicted: (item: T) => boolean): Counts {
  const counts: Counts = { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
  for (const item of items) {
    const t = truth(item);
    const p = predicted(item);
    if (t && p) counts.truePositives++;
    else if (p) counts.falsePositives++;
    else if (t) counts.falseNegatives++;
  }
  return counts;
}

const ratio = (numerator: number, denominator: number): number => (denominator === 0 ? 1 : numerator / denominator);

/** Scores from counts; an empty class scores 1 (nothing to find, nothing wrongly found). */
export function scoresOf(counts: Counts): Scores {
  const predicted = counts.truePositives + counts.falsePositives;
  const support = counts.truePositives + counts.falseNegatives;
  const precision = ratio(counts.truePositives, predicted);
  const recall = ratio(counts.truePositives, support);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision: round(precision), recall: round(recall), f1: round(f1), support, predicted };
}

export function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => (typeof cell === 'number' ? cell.toFixed(Number.isInteger(cell) ? 0 : 3) : cell)));
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (row: readonly string[], source: readonly (string | number)[]): string =>
    row.map((cell, c) => (typeof source[c] === 'number' ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ');
  return [line(cells[0], header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map((row, i) => line(row, rows[i]))].join('\n');
}
