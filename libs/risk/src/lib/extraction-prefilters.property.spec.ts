import fc from 'fast-check';
import { extractAges } from './age';
import { extractContacts } from './contacts';
import { normalise, type NormalisedText } from './text/normalise';

// Normalisation notes what a text may hold (digits and where, a word that may name a messaging
// service) so that contact and age extraction skip texts and stretches that cannot hold what
// they look for. These properties check the fast path against the slow one: the same text with
// every hint forced open must give exactly the same contacts and ages.

const REFERENCE = new Date('2026-11-23T12:00:00.000Z');
const BOUNDS = { min: 10, max: 80 };

const fragments = [
  // Channel names, plain, split, in leetspeak, with look-alikes, invisible characters and symbols.
  'whatsapp', 'WhatsApp', 'whats app', 'whats', 'app', 'wh4tsapp', 'wh@tsapp', 'whаtsapp', 'what\u200bsapp', 'watsap', 'wasap',
  'wsp', 'wa', 'WA:', 'tg', 'tlg', 'telegram', 'télégramme', 'snap', 'snapchat', '$nap', 'sn@p', 'sn4p', 'signal', 's1gnal', 'kik',
  'wechat', 'viber', 'insta', 'instagram', 'ｓｎａｐ', 'where', 'are', 'watch', 'any', 'was', 'in', 'tel', 'week',
  // Handles and e-mails.
  '@', ':', '=', '->', '👉', 'lola_22', 'lola.xx', 'me', 'uniquement', ' at ', 'arobase', '(at)', '[at]', 'gmail', 'dot', ' point ',
  'com', '.', 'fr',
  // Numbers: digits, spaced, spelled, keycaps, fullwidth, circled, prices and dates.
  '0', '1', '3', '4', '5', '7', '06', '12', '0612345678', '06 12 34 56 78', '0 6 1 2 3 4 5 6 7 8', '+33', '+33 6 12 34 56 78', '(0)',
  'zéro', 'six', 'douze', 'dix-sept', 'seventeen', 'vingt et un', '0️⃣', '6️⃣', '\u20e3', '０６', '①', '17 ans', '16yo', 'age: 15',
  "j'ai", 'I am', 'née en 2010', '03/05/2011', '150 roses', '2026',
  // Separators and noise.
  ' ', '  ', '-', '_', '*', '~', '|', '!', '$', ',', '\n', '\u200b', '\u00ad', 'é', 'а', 'о', 'Ж', '😀', '💗',
];
const text = fc.oneof(
  { arbitrary: fc.array(fc.constantFrom(...fragments), { maxLength: 40 }).map((parts) => parts.join('')), weight: 3 },
  { arbitrary: fc.array(fc.constantFrom(...fragments), { maxLength: 40 }).map((parts) => parts.join(' ')), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 120 }), weight: 1 },
  { arbitrary: fc.string({ unit: fc.constantFrom(...'ws$@4a0tp1 :_.9'.split('')), maxLength: 60 }), weight: 2 },
);

/** The same text with every hint open: what extraction did before the hints existed. */
function withoutHints(original: string): NormalisedText {
  const open = normalise(original);
  open.mayHaveHandle = true;
  open.digitsStart = 0;
  open.digitsEnd = open.length;
  return open;
}

describe('extraction prefilters (properties)', () => {
  it('find the same contacts as a full scan', () => {
    fc.assert(
      fc.property(text, fc.constantFrom('FR', 'GB', 'BE'), (original, region) => {
        expect(extractContacts(normalise(original), region)).toEqual(extractContacts(withoutHints(original), region));
      }),
      { numRuns: 3000 },
    );
  });

  it('find the same ages as a full scan', () => {
    fc.assert(
      fc.property(text, (original) => {
        expect(extractAges(normalise(original), REFERENCE, BOUNDS)).toEqual(extractAges(withoutHints(original), REFERENCE, BOUNDS));
      }),
      { numRuns: 2000 },
    );
  });

  it('keep every digit inside the noted range', () => {
    fc.assert(
      fc.property(text, (original) => {
        const normalised = normalise(original);
        for (let i = 0; i < normalised.length; i++) {
          const code = normalised.codes[i];
          if (code < 0x30 || code > 0x39) continue;
          expect(normalised.hasDigits).toBe(true);
          expect(i).toBeGreaterThanOrEqual(normalised.digitsStart);
          expect(i).toBeLessThan(normalised.digitsEnd);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('extraction prefilters (examples)', () => {
  it.each([
    ['whatsapp: lola_22', 'whatsapp:@lola_22'],
    ['wh4tsapp: lola_22', 'whatsapp:@lola_22'],
    ['whats app @lola_22', 'whatsapp:@lola_22'],
    ['$nap: lola_22', 'snapchat:@lola_22'],
    ['ｓｎａｐ lola_22', 'snapchat:@lola_22'],
    ['sna\u200bp lola_22', 'snapchat:@lola_22'],
  ])('notes a possible handle in %j', (original, value) => {
    const normalised = normalise(original);
    expect(normalised.mayHaveHandle).toBe(true);
    expect(extractContacts(normalised, 'FR').map((c) => c.value)).toEqual([value]);
  });

  it('notes no handle in text without a channel name', () => {
    expect(normalise('Belle brune, massage relaxant, appelle au 06 12 34 56 78').mayHaveHandle).toBe(false);
  });

  it('notes where the digits are, spelled and keycap digits included', () => {
    const spelled = normalise('appelle zéro six douze trente-quatre cinquante-six soixante-dix-huit merci');
    expect(spelled.text.slice(spelled.digitsStart, spelled.digitsEnd)).toBe('0612345678');
    const keycaps = normalise('tel 0️⃣6️⃣1️⃣2️⃣ ok');
    expect(keycaps.text.slice(keycaps.digitsStart, keycaps.digitsEnd)).toBe('0612');
    expect(normalise('pas de chiffres').hasDigits).toBe(false);
  });
});
