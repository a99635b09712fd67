import { normaliseText } from './text-normalisation';

describe('normaliseText', () => {
  it('applies NFKC, drops invisible and control characters, folds whitespace', () => {
    expect(normaliseText('  ﬁne\u200B  Ｌｙｏｎ\t\n\u0007ok\uFEFF ')).toBe('fine Lyon ok');
    expect(normaliseText('0\u200C6\u200D 39')).toBe('06 39');
  });

  it('strips HTML tags, scripts and comments, and decodes entities', () => {
    expect(normaliseText('<p>Caf&eacute; <b>ouvert</b></p><script>alert(1)</script><!-- x -->&amp; plus&#33; &#x41;')).toBe(
      'Café ouvert & plus! A',
    );
  });

  it('leaves a lone < and unknown entities alone', () => {
    expect(normaliseText('prix < 50 &unknown; & co')).toBe('prix < 50 &unknown; & co');
  });

  it('never produces surrounding or doubled spaces', () => {
    for (const input of ['', ' ', '\u200B', '<br>', 'a  <i>b</i>  c']) {
      const output = normaliseText(input);
      expect(output).toBe(output.trim());
      expect(output).not.toMatch(/\s{2}/);
    }
  });
});

describe('normaliseText fast path (printable ASCII and Latin-1 letters)', () => {
  const fastCharacters = [
    ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).filter((c) => c !== '<' && c !== '&'),
    ...Array.from({ length: 0x100 - 0xc0 }, (_, i) => String.fromCharCode(0xc0 + i)),
  ];

  it('only takes characters that NFKC leaves unchanged, alone and in pairs', () => {
    for (const a of fastCharacters) {
      expect(a.normalize('NFKC')).toBe(a);
      for (const b of fastCharacters) expect(`${a}${b}`.normalize('NFKC')).toBe(`${a}${b}`);
    }
  });

  it('gives the same text as the full normalisation', () => {
    // A zero-width space forces the full path and is removed by it, so both paths must agree.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 2000; run++) {
      const text = Array.from({ length: random(40) }, () => (random(4) === 0 ? ' ' : fastCharacters[random(fastCharacters.length)])).join('');
      expect(normaliseText(text)).toBe(normaliseText(`\u200B${text}`));
    }
  });
});
