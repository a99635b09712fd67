import { CsvRecordReader } from './csv-records';

function readAll(text: string, pieces: number): { fields: string[]; line: number }[] {
  const reader = new CsvRecordReader();
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const out: { fields: string[]; line: number }[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...reader.push(text.slice(i, i + size)));
  const last = reader.end();
  if (last) out.push(last);
  return out.map(({ fields, line }) => ({ fields, line }));
}

describe('CsvRecordReader', () => {
  const text = 'a,b,c\r\n1,"two, with comma","say ""hi"""\n"multi\nline",,x\nlast,row,no-newline';

  it.each([1, 2, 3, 7, text.length])('reads the same records whatever the pieces (%i pieces)', (pieces) => {
    expect(readAll(text, pieces)).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['1', 'two, with comma', 'say "hi"'], line: 2 },
      { fields: ['multi\nline', '', 'x'], line: 3 },
      { fields: ['last', 'row', 'no-newline'], line: 5 },
    ]);
  });

  it('reports an unterminated quote at the end', () => {
    const reader = new CsvRecordReader();
    expect(reader.push('a,"open\n')).toEqual([]);
    expect(reader.end()).toMatchObject({ unterminatedQuote: true, line: 1 });
  });

  it('marks a record longer than the limit without keeping it', () => {
    const reader = new CsvRecordReader(10);
    const [record] = reader.push(`${'x'.repeat(50)},y\nok\n`);
    expect(record.tooLong).toBe(true);
    expect(record.fields[0].length).toBeLessThanOrEqual(10);
  });
});
