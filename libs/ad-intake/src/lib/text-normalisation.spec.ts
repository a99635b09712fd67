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
