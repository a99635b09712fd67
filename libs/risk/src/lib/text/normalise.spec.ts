import fc from 'fast-check';
import { AMBIGUOUS_I_OR_L, CHAR_AFTER_HIDDEN, CHAR_DISGUISED, CHAR_JOINED, CHAR_KEYCAP, CHAR_SPELLED, normalise, NormalisedText, normaliseInto } from './normalise';

/** The original text behind the normalised span [start, end). */
function originalOf(text: NormalisedText, start: number, end: number): string {
  return text.original.slice(text.originalStart(start), text.originalEnd(end));
}

function spanOf(text: NormalisedText, needle: string): [number, number] {
  const start = text.text.indexOf(needle);
  if (start < 0) throw new Error(`"${needle}" not in "${text.text}"`);
  return [start, start + needle.length];
}

describe('normalise', () => {
  describe('folding', () => {
    it('lowercases and strips accents, mapping each character back', () => {
      const text = normalise('Première FOIS à Évry');
      expect(text.text).toBe('premiere fois a evry');
      expect(originalOf(text, ...spanOf(text, 'premiere'))).toBe('Première');
      expect(originalOf(text, ...spanOf(text, 'evry'))).toBe('Évry');
    });

    it('reads Cyrillic and Greek look-alikes as Latin and flags them', () => {
      const text = normalise('jеunе реtitе'); // Cyrillic е and р
      expect(text.text).toBe('jeune petite');
      expect(text.flagsIn(0, 5) & CHAR_DISGUISED).toBeTruthy();
      expect(normalise('ΑΒΕ').text).toBe('abe');
    });

    it('reads fullwidth and mathematical letters as plain letters', () => {
      expect(normalise('ＪＥＵＮＥ').text).toBe('jeune');
      expect(normalise('𝐣𝐞𝐮𝐧𝐞').text).toBe('jeune');
      const math = normalise('𝐣𝐞𝐮𝐧𝐞');
      expect(originalOf(math, 0, 1)).toBe('𝐣');
    });

    it('drops zero-width and control characters and flags what follows them', () => {
      const text = normalise('je\u200bu\u00adne\u0007');
      expect(text.text).toBe('jeune');
      expect(text.flags[2] & CHAR_AFTER_HIDDEN).toBeTruthy();
      expect(originalOf(text, 0, 5)).toBe('je\u200bu\u00adne');
    });

    it('collapses whitespace of every kind', () => {
      expect(normalise('de \u00a0\t\n passage').text).toBe('de passage');
    });

    it('expands ligatures and keeps emojis', () => {
      const text = normalise('Œuvre 💗🍒');
      expect(text.text).toBe('oeuvre 💗🍒');
      expect(originalOf(text, 0, 2)).toBe('Œ');
      expect(originalOf(text, ...spanOf(text, '💗'))).toBe('💗');
    });
  });

  describe('digits', () => {
    it('turns keycap emojis into digits covering the whole emoji', () => {
      const text = normalise('0️⃣6️⃣1️⃣2️⃣');
      expect(text.text).toBe('0612');
      expect(text.flags[0] & CHAR_KEYCAP).toBeTruthy();
      expect(originalOf(text, 0, 1)).toBe('0️⃣');
    });

    it('joins digits spaced out one by one, and says so', () => {
      const text = normalise('appelle 0 6. 1 2-3 4 5 6 7 8');
      expect(text.text).toBe('appelle 0612345678');
      expect(text.flagsIn(8, 18) & CHAR_JOINED).toBeTruthy();
      expect(originalOf(text, 8, 18)).toBe('0 6. 1 2-3 4 5 6 7 8');
    });

    it('leaves ordinary groupings, dates and prices alone', () => {
      expect(normalise('06 12 34 56 78').text).toBe('06 12 34 56 78');
      expect(normalise('+33 (0)6 12 34 56 78').text).toBe('+33 (0)6 12 34 56 78');
      expect(normalise('née le 1/2/2009').text).toBe('nee le 1/2/2009');
      expect(normalise('1 500 €').text).toBe('1 500 €');
    });

    it('spells French number words out as a phone number', () => {
      const text = normalise('zéro six douze trente-quatre cinquante-six soixante-dix-huit');
      expect(text.text).toBe('0612345678');
      expect(text.flags[0] & CHAR_SPELLED).toBeTruthy();
      expect(originalOf(text, 2, 4)).toBe('douze');
    });

    it('spells English number words out as a phone number', () => {
      expect(normalise('zero seven seven zero zero nine zero zero one two three').text).toBe('07700900123');
      expect(normalise('call zero 6 12 34 56 78').text).toBe('call 0612345678');
    });

    it('turns number words into an age only next to an age cue', () => {
      expect(normalise('dix-sept ans').text).toBe('17 ans');
      expect(normalise('quatre-vingt-dix-neuf ans').text).toBe('99 ans');
      expect(normalise('vingt et un ans').text).toBe('21 ans');
      expect(normalise('I am seventeen').text).toBe('i am 17');
      expect(normalise('age: seventeen').text).toBe('age: 17');
      expect(normalise("j'ai seize ans").text).toBe("j'ai 16 ans");
      expect(normalise('une jeune femme, un moment').text).toBe('une jeune femme, un moment');
      expect(normalise('six sept huit').text).toBe('678');
    });
  });

  describe('letters view', () => {
    it('reads leetspeak inside words, keeping digits in the text view', () => {
      const text = normalise('j3une p3t1te m@ssage $exy');
      expect(text.text).toBe('j3une p3t1te m@ssage $exy');
      expect(text.letters).toBe(`jeune pet${String.fromCharCode(AMBIGUOUS_I_OR_L)}te massage sexy`);
    });

    it('keeps digits that are numbers, ages or phone numbers', () => {
      const text = normalise('17ans rdv24h 0612345678 lea@mail.com');
      expect(text.letters).toBe('17ans rdv24h 0612345678 leaamail.com');
    });

    it('has the same length and offsets as the text view', () => {
      const text = normalise('Fr3sh n3w g1rl');
      expect(text.letterCodes.length).toBe(text.codes.length);
    });
  });

  it('reuses buffers without leaking the previous text', () => {
    const target = new NormalisedText();
    normaliseInto('a much longer first text with 0 6 1 2 3 4 5 6 7 8', target);
    normaliseInto('Court', target);
    expect(target.text).toBe('court');
    expect(target.length).toBe(5);
  });

  describe('properties', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc.array(fc.constantFrom('0', '6', ' ', '.', '-', 'zéro', 'six', 'dix', '-sept', 'ans', '\u200b', '️⃣', 'е', 'J', '\ud800', '\udc00', '💗', 'œ', '﷽'), { maxLength: 60 }).map((a) => a.join('')),
    );

    it('never throws and maps every normalised unit into the original', () => {
      fc.assert(
        fc.property(anyText, (original) => {
          const text = normalise(original);
          for (let i = 0; i < text.length; i++) {
            const start = text.starts[i];
            const end = text.ends[i];
            if (!(start >= 0 && start < end && end <= original.length)) return false;
            if (i > 0 && start < text.starts[i - 1]) return false;
          }
          return text.codes.length === text.length && text.letterCodes.length === text.length;
        }),
        { numRuns: 500 },
      );
    });

    it('is idempotent on its own output for plain text', () => {
      fc.assert(
        fc.property(fc.string({ unit: fc.constantFrom(...'abcdefghij klmn'.split('')), maxLength: 80 }), (original) => {
          const once = normalise(original).text;
          return normalise(once).text === once;
        }),
      );
    });
  });
});
