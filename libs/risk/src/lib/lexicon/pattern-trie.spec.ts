import { normalise } from '../text/normalise';
import { expandOptionalParts, PatternTrie, TrieMatches } from './pattern-trie';

function matchesOf(patterns: readonly string[], text: string): string[] {
  const trie = new PatternTrie();
  patterns.forEach((pattern, id) => trie.add(pattern, id));
  const normalised = normalise(text);
  const out = new TrieMatches();
  trie.scan(normalised.letterCodes, out);
  const found: string[] = [];
  for (let k = 0; k < out.length; k++) {
    const start = normalised.originalStart(out.starts[k]);
    const end = normalised.originalEnd(out.ends[k]);
    found.push(`${patterns[out.ids[k]]}=${text.slice(start, end)}`);
  }
  return [...new Set(found)].sort();
}

describe('PatternTrie', () => {
  it('expands optional parts', () => {
    expect(expandOptionalParts('hôtesse(s)')).toEqual(['hôtesse', 'hôtesses']);
    expect(expandOptionalParts('diplômé(e)(s)').sort()).toEqual(['diplômé', 'diplômée', 'diplômées', 'diplômés']);
  });

  it('keeps every pattern whose nodes were created while its tables grew', () => {
    // Enough distinct patterns to grow the node tables several times (256 nodes at first);
    // each must still be found, the ones whose last node landed on a growth included.
    const letters = (n: number): string => (n < 26 ? '' : letters(Math.floor(n / 26) - 1)) + String.fromCharCode(0x61 + (n % 26));
    const words = Array.from({ length: 400 }, (_, i) => `mot${letters(i)}x${letters(i * 7919)}`);
    const patterns = [...words, ...words.map((word) => `${word} suite`)];
    const text = patterns.join(' , ');
    const found = matchesOf(patterns, text).map((match) => match.slice(0, match.indexOf('=')));
    expect(new Set(found)).toEqual(new Set(patterns));
  });

  it('matches whole words only', () => {
    expect(matchesOf(['ado'], 'un ado, adorable, rado')).toEqual(['ado=ado']);
    expect(matchesOf(['jeune'], 'jeunesse jeune')).toEqual(['jeune=jeune']);
  });

  it('lets a separator in a pattern match any separators or none', () => {
    expect(matchesOf(['body body'], 'body-body; body  body; bodybody; body.body; body, body')).toEqual([
      'body body=body  body',
      'body body=body-body',
      'body body=body.body',
      'body body=bodybody',
    ]);
  });

  it('matches through accents, case, look-alikes, invisible characters and leetspeak', () => {
    expect(matchesOf(['première fois'], 'PREMIERE fois')).toEqual(['première fois=PREMIERE fois']);
    expect(matchesOf(['petite'], 'реtitе')).toEqual(['petite=реtitе']);
    expect(matchesOf(['jeune'], 'je\u200bune')).toEqual(['jeune=je\u200bune']);
    expect(matchesOf(['petite', 'belle'], 'p3t1te be11e')).toEqual(['belle=be11e', 'petite=p3t1te']);
  });

  it('accepts any ending after a stem', () => {
    expect(matchesOf(['hotess*'], 'hôtesses hotesse hôte')).toEqual(['hotess*=hotesse', 'hotess*=hôtesses']);
  });

  it('matches emojis wherever they stand', () => {
    expect(matchesOf(['💗', '🌹'], 'douce💗💗 100🌹')).toEqual(['🌹=🌹', '💗=💗']);
  });

  it('reports nested and overlapping patterns', () => {
    expect(matchesOf(['jeune', 'jeune fille', 'fille'], 'jeune fille')).toEqual(['fille=fille', 'jeune fille=jeune fille', 'jeune=jeune']);
  });
});
