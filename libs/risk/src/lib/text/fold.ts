/**
 * Per-character folding tables for normalisation: case, accents, compatibility forms
 * (fullwidth, mathematical, circled, superscript), Cyrillic and Greek look-alikes, invisible
 * characters. ASCII is precomputed; other code points are computed once on first sight and
 * cached, so the hot path is one table read per code unit.
 */

/** The character only looks like its folded form (look-alike or compatibility form): obfuscation. */
export const FOLD_DISGUISED = 1;

/** Result codes in the BMP table besides a plain UTF-16 code unit. */
export const FOLD_UNKNOWN = -1;
/** Dropped without a trace: combining marks, variation selectors. */
export const FOLD_DROP = -2;
/** Dropped, but its presence between visible characters is a sign of obfuscation. */
export const FOLD_HIDDEN = -3;
/** The combining enclosing keycap: turns the preceding digit into a keycap emoji. */
export const FOLD_KEYCAP = -4;
/** Folds to several code units, stored in {@link expansions}. */
export const FOLD_EXPANDS = -5;

/**
 * Cyrillic and Greek letters that render like Latin ones. Applied after lowercasing, so only
 * lowercase forms are listed. Mixed-script spelling is a classic filter-evasion trick.
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  а: 'a', в: 'b', г: 'r', е: 'e', к: 'k', м: 'm', н: 'h', о: 'o', п: 'n', р: 'p', с: 'c', т: 't',
  у: 'y', х: 'x', ѕ: 's', і: 'i', ј: 'j', ԁ: 'd', ӏ: 'l', һ: 'h', ԛ: 'q', ԝ: 'w', ү: 'y', ь: 'b',
  α: 'a', β: 'b', γ: 'y', ε: 'e', η: 'n', ι: 'i', κ: 'k', μ: 'u', ν: 'v', ο: 'o', ρ: 'p', ς: 'c',
  σ: 'o', τ: 't', υ: 'u', χ: 'x', ω: 'w', ϲ: 'c', ϳ: 'j',
};

/** Letters and punctuation that Unicode decomposition leaves alone but readers equate. */
const PLAIN_EQUIVALENTS: Readonly<Record<string, string>> = {
  œ: 'oe', æ: 'ae', ß: 'ss', ø: 'o', đ: 'd', ł: 'l', ı: 'i', ħ: 'h', ŧ: 't', ƒ: 'f',
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u02bc': "'", '\u00b4': "'", '\u0060': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u00ab': '"', '\u00bb': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-',
  '\u00b7': '.', '\u2022': '.', '\u2027': '.', '\u22c5': '.',
  '\ufe6b': '@',
};

/** Invisible characters used to split words and numbers without changing how they look. */
function isHiddenCharacter(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2060 && cp <= 0x2064) ||
    (cp >= 0x2066 && cp <= 0x2069) ||
    cp === 0xfeff ||
    cp === 0x00ad ||
    cp === 0x034f ||
    cp === 0x061c ||
    cp === 0x115f ||
    cp === 0x1160 ||
    cp === 0x17b4 ||
    cp === 0x17b5 ||
    cp === 0x180e ||
    cp === 0x3164 ||
    cp === 0xffa0 ||
    (cp >= 0xe0000 && cp <= 0xe007f) ||
    (cp >= 0x80 && cp <= 0x9f) ||
    (cp < 0x20 && cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) ||
    cp === 0x7f
  );
}

function isVariationSelector(cp: number): boolean {
  return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

const WHITESPACE = /^\s$/u;
const MARKS = /\p{M}/gu;

export interface FoldedCharacter {
  /** The folded text; empty when the character is dropped. */
  readonly text: string;
  readonly disguised: boolean;
  readonly hidden: boolean;
  readonly keycap: boolean;
}

/** Folds one code point. Slow path: runs once per distinct code point, results are cached. */
export function foldCodePoint(cp: number): FoldedCharacter {
  if (cp === 0x20e3) return { text: '', disguised: false, hidden: false, keycap: true };
  if (isHiddenCharacter(cp)) return { text: '', disguised: false, hidden: true, keycap: false };
  if (isVariationSelector(cp)) return { text: '', disguised: false, hidden: false, keycap: false };
  if (cp >= 0xd800 && cp <= 0xdfff) return { text: '', disguised: false, hidden: true, keycap: false };
  const ch = String.fromCodePoint(cp);
  if (WHITESPACE.test(ch)) return { text: ' ', disguised: false, hidden: false, keycap: false };
  if (cp === 0x1f51f) return { text: '10', disguised: true, hidden: false, keycap: false };
  const plain = PLAIN_EQUIVALENTS[ch.toLowerCase()];
  if (plain !== undefined) return { text: plain, disguised: false, hidden: false, keycap: false };
  const canonical = ch.normalize('NFD').replace(MARKS, '').toLowerCase();
  const compatible = ch.normalize('NFKD').toLowerCase().normalize('NFKD').replace(MARKS, '');
  let text = '';
  let lookAlike = false;
  for (const c of compatible) {
    const latin = LOOK_ALIKES[c] ?? PLAIN_EQUIVALENTS[c];
    if (latin !== undefined) {
      text += latin;
      lookAlike = lookAlike || LOOK_ALIKES[c] !== undefined;
    } else {
      text += c;
    }
  }
  const disguised = lookAlike || (compatible !== canonical && text.length > 0);
  return { text, disguised, hidden: false, keycap: false };
}

/** Folded code for each BMP code unit ({@link FOLD_UNKNOWN} until first seen). */
export const bmpFold = new Int32Array(0x10000).fill(FOLD_UNKNOWN);
/** {@link FOLD_DISGUISED} per BMP code unit. */
export const bmpFlags = new Uint8Array(0x10000);
/** Multi-unit results for code points marked {@link FOLD_EXPANDS}, and every astral code point. */
export const expansions = new Map<number, FoldedCharacter>();

const ASTRAL_CACHE_LIMIT = 4096;

function fillBmp(cp: number): void {
  const folded = foldCodePoint(cp);
  bmpFlags[cp] = folded.disguised ? FOLD_DISGUISED : 0;
  if (folded.keycap) bmpFold[cp] = FOLD_KEYCAP;
  else if (folded.hidden) bmpFold[cp] = FOLD_HIDDEN;
  else if (folded.text.length === 0) bmpFold[cp] = FOLD_DROP;
  else if (folded.text.length === 1) bmpFold[cp] = folded.text.charCodeAt(0);
  else {
    bmpFold[cp] = FOLD_EXPANDS;
    expansions.set(cp, folded);
  }
}

/** Table entry for a BMP code unit, computing it on first sight. */
export function bmpEntry(cu: number): number {
  const code = bmpFold[cu];
  if (code !== FOLD_UNKNOWN) return code;
  fillBmp(cu);
  return bmpFold[cu];
}

/** Folded form of an astral code point (emoji, mathematical alphanumerics), cached. */
export function astralEntry(cp: number): FoldedCharacter {
  let folded = expansions.get(cp);
  if (folded === undefined) {
    folded = foldCodePoint(cp);
    if (expansions.size < ASTRAL_CACHE_LIMIT) expansions.set(cp, folded);
  }
  return folded;
}

for (let cu = 0; cu < 0x80; cu++) fillBmp(cu);
