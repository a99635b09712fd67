import fc from 'fast-check';
import { normalise, NormalisedText, normaliseInto } from './normalise';

// Property tests for issue 9 ("bad input"): the normaliser's offset map back to the original
// text holds for any input. Example-based specs are in normalise.spec.ts.

const fragments = [
  'jeune', 'JEUNE', 'Première', 'fois', ' ', '  ', '\t', '\n', '-', '.', '_', '(', ')', '*', '~', ',', '|', '/', ':', "'", '@', '$', '!',
  '0', '1', '3', '6', '7', '12', '0612', '+33', 'zéro', 'six', 'dix', '-sept', 'soixante-dix-huit', 'vingt et un', 'seventeen', 'ans', 'yo',
  'age', "j'ai", 'i am', 'at', 'arobase', 'dot', 'point', '\u200b', '\u200d', '\u00ad', '\ufeff', '\u2060', '\u0007', '\u0000', '\u009f',
  '️⃣', '\u20e3', '\ufe0f', 'е', 'р', 'Α', 'ΑΒΕ', 'ＪＥＵＮＥ', '𝐣𝐞𝐮𝐧𝐞', 'Œ', 'ß', 'ﬁ', '﷽', 'ǅ', 'İ', '\u0301', '\u0308',
  '💗', '🍒', '🌹', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d', 'm@ssage', 'p3t1te', 'j3une', '$exy', '①', '⑰', '¹⁷',
];
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 200 }),
  fc.array(fc.constantFrom(...fragments), { maxLength: 80 }).map((parts) => parts.join('')),
);

/** The normalised text's map as plain arrays, for comparisons. */
function snapshot(text: NormalisedText) {
  return {
    original: text.original,
    text: text.text,
    letters: text.letters,
    starts: Array.from(text.starts.subarray(0, text.length)),
    ends: Array.from(text.ends.subarray(0, text.length)),
    flags: Array.from(text.flags.subarray(0, text.length)),
    hasDigits: text.hasDigits,
    mayHaveEmail: text.mayHaveEmail,
    mayHaveHandle: text.mayHaveHandle,
    digits: text.hasDigits ? [text.digitsStart, text.digitsEnd] : [],
  };
}

describe('normalise (properties)', () => {
  it('never throws, and maps every normalised unit to a non-empty range inside the original', () => {
    fc.assert(
      fc.property(anyText, (original) => {
        const text = normalise(original);
        expect(text.original).toBe(original);
        expect(text.codes.length).toBe(text.length);
        expect(text.letterCodes.length).toBe(text.length);
        for (let i = 0; i < text.length; i++) {
          const start = text.starts[i];
          const end = text.ends[i];
          if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= original.length)) {
            throw new Error(`unit ${i} maps to [${start}, ${end}) of ${original.length}`);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('maps monotonically: starts and ends never go backwards', () => {
    fc.assert(
      fc.property(anyText, (original) => {
        const text = normalise(original);
        for (let i = 1; i < text.length; i++) {
          if (text.starts[i] < text.starts[i - 1] || text.ends[i] < text.ends[i - 1]) {
            throw new Error(`unit ${i}: [${text.starts[i]}, ${text.ends[i]}) after [${text.starts[i - 1]}, ${text.ends[i - 1]})`);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('maps every span [a, b) to a non-empty original range, ordered like the span', () => {
    fc.assert(
      fc.property(
        anyText.filter((original) => normalise(original).length > 0),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (original, from, to) => {
          const text = normalise(original);
          const a = Math.floor(from * text.length);
          const b = a + 1 + Math.floor(to * (text.length - a - 1));
          const start = text.originalStart(a);
          const end = text.originalEnd(b);
          return 0 <= start && start < end && end <= original.length && original.slice(start, end).length === end - start;
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never maps two units of one surrogate pair apart: spans never cut a pair in two', () => {
    fc.assert(
      fc.property(anyText, (original) => {
        const text = normalise(original);
        const isLow = (i: number) => i > 0 && i < original.length && /[\udc00-\udfff]/.test(original[i]) && /[\ud800-\udbff]/.test(original[i - 1]);
        for (let i = 0; i < text.length; i++) {
          if (isLow(text.starts[i]) || isLow(text.ends[i])) throw new Error(`unit ${i} cuts a surrogate pair at [${text.starts[i]}, ${text.ends[i]})`);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('drops invisible characters and folds case and whitespace', () => {
    fc.assert(
      fc.property(anyText, (original) => {
        const out = normalise(original).text;
        return !/[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]/.test(out) && !/[A-Z]/.test(out) && !/ {2}/.test(out);
      }),
      { numRuns: 1000 },
    );
  });

  it('is deterministic, and a reused buffer gives exactly what a fresh one gives', () => {
    const reused = new NormalisedText();
    fc.assert(
      fc.property(anyText, anyText, (before, original) => {
        normaliseInto(before, reused);
        const viaReused = snapshot(normaliseInto(original, reused));
        const fresh = snapshot(normalise(original));
        expect(viaReused).toEqual(fresh);
        expect(snapshot(normalise(original))).toEqual(fresh);
      }),
      { numRuns: 500 },
    );
  });

  it('copes with huge inputs', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 40 }), (parts) => {
        const chunk = parts.join('') || 'x';
        const huge = chunk.repeat(Math.ceil(200_000 / chunk.length)).slice(0, 200_000);
        const text = normalise(huge);
        return text.length <= huge.length * 3 && (text.length === 0 || text.ends[text.length - 1] <= huge.length);
      }),
      { numRuns: 10 },
    );
  });

  it('treats input that is not a string as empty text', () => {
    fc.assert(
      fc.property(fc.anything().filter((value) => typeof value !== 'string'), (value) => normalise(value as string).length === 0),
      { numRuns: 200 },
    );
  });
});
