import type { Ad } from '@vigie/contracts';
import fc from 'fast-check';
import { canonicalJson, normaliseAd } from './ad-normalisation';
import { normaliseText } from './text-normalisation';

// Property tests for issue 9 ("bad input"): whatever a platform sends, the normaliser and the
// content hash behave. Example-based specs sit beside these in text-normalisation.spec.ts.

/** Invisible and formatting characters the normaliser promises to remove. */
const INVISIBLE = ['\u00ad', '\u180e', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u202a', '\u202e', '\u2060', '\u2064', '\u2066', '\u206f', '\ufeff'];
/** C0/C1 controls other than tab and line breaks (those become spaces). */
const CONTROLS = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\u000e', '\u001b', '\u001f', '\u007f', '\u0080', '\u0091', '\u009f'];
const WHITESPACE = [' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u2002', '\u3000', '\u2028', '\u2029', '\u0085', '\u202f'];
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_OUTPUT = /[\u0000-\u001f\u007f-\u009f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u2028\u2029]/;

/** Text with no markup or entity characters: letters, accents (composed and combining), digits, emoji. */
const plainUnit = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:!?\'"()-_/@#%+=*'.split(''),
  'é', 'è', 'à', 'ç', 'ñ', 'Å', 'ß', 'œ', 'Œ', 'ﬁ', 'ｊ', 'Ｅ', '①', '²', '½', '™', 'ㄱ', '가', '\u1100', '\u1161',
  '\u0301', '\u0300', '\u0308', '\u0327', '💗', '🍒', '🌹', '0️⃣', 'Ж', 'е', 'Ω', 'Ω', '\u212b', 'ǅ', '﷽',
  ' ',
);
/** Letters, combining marks and conjoining jamo packed close, so that insertions split compositions. */
const composable = fc.string({ unit: fc.constantFrom('a', 'e', 'o', 'n', 'c', 'A', 'E', '\u0301', '\u0300', '\u0303', '\u0327', '\u0308', '\u1100', '\u1161', '\u11a8', ' '), maxLength: 30 });
const plainText = fc.oneof({ arbitrary: fc.string({ unit: plainUnit, maxLength: 120 }), weight: 3 }, { arbitrary: composable, weight: 1 });

/** Fragments that exercise every pass: markup, entities, invisible and control characters, surrogates. */
const trickyText = fc
  .array(
    fc.oneof(
      plainUnit,
      fc.constantFrom(...INVISIBLE, ...CONTROLS, ...WHITESPACE),
      fc.constantFrom(
        '<', '>', '&', ';', '#', '#x', 'amp', 'lt', 'gt', 'nbsp', 'eacute', '&amp;', '&lt;', '&gt;', '&#233;', '&#x301;', '&#x200b;',
        '&#0;', '&#xd800;', '&#x110000;', '&#9999999;', '<b>', '</b>', '<br/>', '<p class="x">', '<script>', '</script>', '<style>',
        '</style >', '<!--', '-->', '<a href="x">', '＜', '＞', '＆', '﹤', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d',
      ),
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(''));

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  // Any UTF-16 code unit, lone surrogates included.
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 200 }),
  trickyText,
  plainText,
);

/** `text` with each `[position, extra]` inserted, the position a share of its length in code points. */
function insertAt(text: string, insertions: readonly (readonly [number, string])[]): string {
  const chars = [...text];
  const sorted = [...insertions].sort((a, b) => b[0] - a[0]);
  for (const [position, extra] of sorted) chars.splice(Math.floor(position * (chars.length + 1)), 0, extra);
  return chars.join('');
}

describe('normaliseText (properties)', () => {
  it('never throws and returns a string for any input, lone surrogates and controls included', () => {
    fc.assert(
      fc.property(anyText, (text) => typeof normaliseText(text) === 'string'),
      { numRuns: 1000 },
    );
  });

  it('copes with huge inputs', () => {
    fc.assert(
      fc.property(trickyText, (chunk) => {
        const huge = (chunk || 'x').repeat(Math.ceil(300_000 / Math.max(1, chunk.length))).slice(0, 300_000);
        return typeof normaliseText(huge) === 'string';
      }),
      { numRuns: 5 },
    );
    // Unterminated comments and scripts at the contract's 20,000-character body limit: the
    // markup patterns rescan to the end from every opener (quadratic), still milliseconds here.
    for (const opener of ['<', '<!--', '<script>', '<style>', '&#', '&#x', '<a ']) {
      expect(typeof normaliseText(opener.repeat(Math.floor(20_000 / opener.length)))).toBe('string');
    }
  });

  it('leaves no invisible character, control, tab or line break, and folds whitespace', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const out = normaliseText(text);
        return !FORBIDDEN_IN_OUTPUT.test(out) && out === out.trim() && !/\s\s/.test(out) && !/[^\S ]/.test(out);
      }),
      { numRuns: 1000 },
    );
  });

  it('returns text in Unicode NFKC', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const out = normaliseText(text);
        return out.normalize('NFKC') === out;
      }),
      { numRuns: 1000 },
    );
  });

  it('is idempotent whenever its output holds no markup or entity character', () => {
    // `&amp;lt;` decodes once, to `&lt;`, as HTML does: only output free of `<` and `&` can be
    // expected to come back unchanged (see the example below).
    fc.assert(
      fc.property(anyText, (text) => {
        const once = normaliseText(text);
        fc.pre(!/[<&]/.test(once));
        return normaliseText(once) === once;
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes one level of entities only, as a browser shows the text', () => {
    expect(normaliseText('&amp;lt;b&amp;gt;')).toBe('&lt;b&gt;');
    expect(normaliseText('&lt;b&gt;x')).toBe('<b>x');
  });

  it('gives the same text whatever invisible characters and controls are slipped in', () => {
    fc.assert(
      fc.property(
        plainText,
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.constantFrom(...INVISIBLE, ...CONTROLS)), { maxLength: 8 }),
        (text, insertions) => normaliseText(insertAt(text, insertions)) === normaliseText(text),
      ),
      { numRuns: 1000 },
    );
  });

  it('gives the same text whatever whitespace separates the words', () => {
    fc.assert(
      fc.property(fc.array(plainText.map((t) => t.replace(/ /g, '')), { maxLength: 8 }), fc.array(fc.constantFrom(...WHITESPACE), { minLength: 9, maxLength: 9 }), (words, gaps) => {
        const spaced = words.map((word, i) => gaps[i] + word).join('') + gaps[8];
        return normaliseText(spaced) === normaliseText(words.join(' '));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same text in any Unicode normalisation form', () => {
    fc.assert(
      fc.property(plainText, (text) => {
        const expected = normaliseText(text);
        return (['NFC', 'NFD', 'NFKC', 'NFKD'] as const).every((form) => normaliseText(text.normalize(form)) === expected);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same text with or without markup around words', () => {
    fc.assert(
      fc.property(plainText, fc.constantFrom('b', 'i', 'p', 'span class="x"', 'a href="https://x.example/?a=1&b=2"'), (text, tag) => {
        const name = tag.split(' ')[0];
        const wrapped = `<${tag}>${text}</${name}> <!-- note --> <script>alert(1)</script>`;
        return normaliseText(wrapped) === normaliseText(text);
      }),
      { numRuns: 300 },
    );
  });

  it('can never reintroduce a forbidden character through NFKC (checked over every code point)', () => {
    // The passes remove invisible and control characters before NFKC; this holds only because no
    // character's compatibility decomposition contains one.
    const offenders: string[] = [];
    for (let code = 0; code <= 0x10ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCodePoint(code);
      const nfkc = char.normalize('NFKC');
      if (nfkc !== char && FORBIDDEN_IN_OUTPUT.test(nfkc)) offenders.push(code.toString(16));
    }
    expect(offenders).toEqual([]);
  });

  describe('counterexamples found by the properties', () => {
    it('composes a letter and an accent that were split by an invisible character', () => {
      // NFKC ran before the invisible characters were removed, so "e\u200b\u0301" came out as
      // "e\u0301": not NFKC, and not the same text (nor hash) as "é".
      expect(normaliseText('e\u200b\u0301')).toBe('é');
      expect(normaliseText('e\u0007\u0301')).toBe('é');
      expect(normaliseText('\u1100\u00ad\u1161')).toBe('가');
    });
  });
});

const baseAd: Ad = {
  platformAdId: 'ad-1',
  url: 'https://annonces.example/ad-1',
  category: 'rencontres',
  title: 'Nouvelle en ville',
  body: 'Jeune femme de passage à Lyon.',
  price: { amount: 150, currency: 'EUR' },
  location: { city: 'Lyon', postcode: '69003', country: 'FR' },
  contacts: { phones: ['06 39 98 12 34'], emails: ['lea@example.org'], handles: ['telegram:@lyon_rdv'] },
  posterAccountId: 'acct-1',
  images: [{ pdq: 'ab'.repeat(32), quality: 87 }],
  language: 'fr',
  publishedAt: '2026-11-23T06:41:07.000Z',
  updatedAt: '2026-11-23T07:58:10.000Z',
  status: 'live',
};

/** Rebuilds a value with its object keys inserted in a shuffled order, recursively. */
function shuffledKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item) => shuffledKeys(item, seed));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value).sort((a, b) => ((hashOf(a) ^ seed) >>> 0) - ((hashOf(b) ^ seed) >>> 0));
  return Object.fromEntries(keys.map((key) => [key, shuffledKeys((value as Record<string, unknown>)[key], seed)]));
}

function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** How to rewrite a text into an equivalent one: invisible characters, padding, NFD, markup. */
const disguise = fc.record({
  invisible: fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.constantFrom(...INVISIBLE)), { maxLength: 4 }),
  pad: fc.constantFrom('', ' ', '\n\t', '\u00a0'),
  nfd: fc.boolean(),
  markup: fc.boolean(),
});

function disguised(text: string, how: { invisible: [number, string][]; pad: string; nfd: boolean; markup: boolean }): string {
  let out = insertAt(text, how.invisible);
  if (how.nfd) out = out.normalize('NFD');
  if (how.markup) out = `<b>${out}</b>`;
  return how.pad + out + how.pad;
}

describe('content hash (properties)', () => {
  const adArbitrary = fc.record({
    title: fc.oneof(plainText, trickyText),
    body: fc.oneof(plainText, trickyText, fc.string({ unit: 'binary', maxLength: 300 })),
    city: fc.option(plainText.filter((city) => city.trim().length > 0), { nil: undefined }),
  }).map(({ title, body, city }): Ad => {
    const location: Ad['location'] = { country: 'FR', postcode: '69003' };
    if (city !== undefined) location.city = city;
    return { ...baseAd, title: title.slice(0, 300), body, location };
  });

  it('never throws and is deterministic', () => {
    fc.assert(
      fc.property(adArbitrary, (ad) => {
        const first = normaliseAd(ad);
        const second = normaliseAd(structuredClone(ad));
        return /^[0-9a-f]{64}$/.test(first.contentHash) && first.contentHash === second.contentHash && canonicalJson(first.fieldHashes) === canonicalJson(second.fieldHashes);
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on the order of the keys or of the contacts', () => {
    fc.assert(
      fc.property(adArbitrary, fc.integer(), (ad, seed) => {
        const reordered = shuffledKeys(ad, seed) as Ad;
        const contacts = { phones: [...ad.contacts.phones, '+33 6 39 98 12 34'].reverse(), emails: [' LEA@example.org '], handles: ['Telegram : @Lyon_RDV'] };
        return normaliseAd({ ...reordered, contacts }).contentHash === normaliseAd(ad).contentHash;
      }),
      { numRuns: 300 },
    );
  });

  it('is the same for equivalent texts', () => {
    fc.assert(
      fc.property(
        plainText,
        plainText,
        plainText.filter((city) => city.trim().length > 0),
        disguise,
        disguise,
        disguise,
        (title, body, city, titleHow, bodyHow, cityHow) => {
          const ad: Ad = { ...baseAd, title, body, location: { ...baseAd.location, city } };
          const rewritten: Ad = {
            ...ad,
            title: disguised(title, titleHow),
            body: disguised(body, bodyHow),
            category: ` ${baseAd.category.toUpperCase()} `,
            location: { ...ad.location, city: disguised(city, cityHow) },
            updatedAt: '2026-11-24T00:00:00.000Z',
          };
          return normaliseAd(rewritten).contentHash === normaliseAd(ad).contentHash;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('changes whenever the normalised content changes', () => {
    fc.assert(
      fc.property(adArbitrary, adArbitrary, (a, b) => {
        const left = normaliseAd(a);
        const right = normaliseAd(b);
        const sameContent = left.ad.title === right.ad.title && left.ad.body === right.ad.body && canonicalJson(left.ad.location) === canonicalJson(right.ad.location);
        return sameContent === (left.contentHash === right.contentHash);
      }),
      { numRuns: 500 },
    );
  });
});
