import { countBinary, formatTable, scoresOf } from './metrics';

describe('metrics', () => {
  it('computes precision, recall and F1', () => {
    const items = [
      { truth: true, predicted: true },
      { truth: true, predicted: false },
      { truth: false, predicted: true },
      { truth: false, predicted: false },
      { truth: true, predicted: true },
    ];
    const counts = countBinary(items, (i) => i.truth, (i) => i.predicted);
    expect(counts).toEqual({ truePositives: 2, falsePositives: 1, falseNegatives: 1 });
    expect(scoresOf(counts)).toEqual({ precision: 0.6667, recall: 0.6667, f1: 0.6667, support: 3, predicted: 3 });
  });

  it('scores an empty class as perfect rather than undefined', () => {
    expect(scoresOf({ truePositives: 0, falsePositives: 0, falseNegatives: 0 })).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    expect(scoresOf({ truePositives: 0, falsePositives: 3, falseNegatives: 0 })).toMatchObject({ precision: 0, recall: 1 });
  });

  it('aligns table columns', () => {
    expect(formatTable(['name', 'value'], [['a', 0.5], ['longer', 12]]).split('\n')).toEqual([
      'name    value',
      '------  -----',
      'a       0.500',
      'longer     12',
    ]);
  });
});
