import { isLowerLetter, letterRunEnd, WordTable } from './word-key';

/**
 * French and English number words from zero to ninety-nine, as ads spell out ages ("dix-sept
 * ans") and phone numbers ("zéro six douze…") to slip past digit filters. Input is folded text:
 * lowercase, accents stripped.
 */

type NumberWordKind = 'unit' | 'teen' | 'tens' | 'and';

interface NumberWord {
  readonly kind: NumberWordKind;
  readonly value: number;
}

const unit = (value: number): NumberWord => ({ kind: 'unit', value });
const teen = (value: number): NumberWord => ({ kind: 'teen', value });
const tens = (value: number): NumberWord => ({ kind: 'tens', value });

const NUMBER_WORD_ENTRIES: readonly (readonly [string, NumberWord])[] = [
  ['zero', unit(0)], ['un', unit(1)], ['une', unit(1)], ['deux', unit(2)], ['trois', unit(3)],
  ['quatre', unit(4)], ['cinq', unit(5)], ['six', unit(6)], ['sept', unit(7)], ['huit', unit(8)],
  ['neuf', unit(9)],
  ['dix', teen(10)], ['onze', teen(11)], ['douze', teen(12)], ['treize', teen(13)],
  ['quatorze', teen(14)], ['quinze', teen(15)], ['seize', teen(16)],
  ['vingt', tens(20)], ['vingts', tens(20)], ['trente', tens(30)], ['quarante', tens(40)],
  ['cinquante', tens(50)], ['soixante', tens(60)], ['septante', tens(70)], ['huitante', tens(80)],
  ['octante', tens(80)], ['nonante', tens(90)],
  ['et', { kind: 'and', value: 0 }],
  // "six" is spelled the same in English and already listed.
  ['one', unit(1)], ['two', unit(2)], ['three', unit(3)], ['four', unit(4)], ['five', unit(5)],
  ['seven', unit(7)], ['eight', unit(8)], ['nine', unit(9)],
  ['ten', teen(10)], ['eleven', teen(11)], ['twelve', teen(12)], ['thirteen', teen(13)],
  ['fourteen', teen(14)], ['fifteen', teen(15)], ['sixteen', teen(16)], ['seventeen', teen(17)],
  ['eighteen', teen(18)], ['nineteen', teen(19)],
  ['twenty', tens(20)], ['thirty', tens(30)], ['forty', tens(40)], ['fifty', tens(50)],
  ['sixty', tens(60)], ['seventy', tens(70)], ['eighty', tens(80)], ['ninety', tens(90)],
];
const NUMBER_WORDS = new WordTable<NumberWord>(NUMBER_WORD_ENTRIES);

/**
 * First three letters (or the whole two-letter word) of every number word that can start a
 * phrase: one table read rejects "de", "des", "se", "trop"… before any lookup.
 */
const PREFIXES = new Uint8Array(27 * 27 * 27);

function prefixIndex(first: number, second: number, third: number): number {
  return ((first - 0x60) * 27 + (second - 0x60)) * 27 + (isLowerLetter(third) ? third - 0x60 : 0);
}

for (const [word, meaning] of NUMBER_WORD_ENTRIES) {
  if (meaning.kind !== 'and') PREFIXES[prefixIndex(word.charCodeAt(0), word.charCodeAt(1), word.charCodeAt(2))] = 1;
}

/** Whether a word starting with these letters (`third` may be any code) can be a number word. */
export function mayStartNumberWord(first: number, second: number, third: number): boolean {
  if (!isLowerLetter(first) || !isLowerLetter(second)) return false;
  return PREFIXES[prefixIndex(first, second, third)] === 1;
}

export interface NumberPhrase {
  readonly value: number;
  /** Exclusive end of the phrase in the code array. */
  readonly end: number;
}

interface WordAt {
  readonly word: NumberWord;
  readonly start: number;
  readonly end: number;
}

/** Number word starting exactly at `start`, if the letter run there is one. */
function numberWordAt(codes: ArrayLike<number>, start: number, length: number): WordAt | undefined {
  if (start >= length || !isLowerLetter(codes[start])) return undefined;
  if (start > 0 && isLowerLetter(codes[start - 1])) return undefined;
  const end = letterRunEnd(codes, start, length);
  const word = NUMBER_WORDS.get(codes, start, end);
  return word === undefined ? undefined : { word, start, end };
}

/** The number word right after `end` when only one space or hyphen separates them. */
function nextWord(codes: ArrayLike<number>, end: number, length: number): WordAt | undefined {
  if (end >= length) return undefined;
  const separator = codes[end];
  if (separator !== 0x20 && separator !== 0x2d) return undefined;
  return numberWordAt(codes, end + 1, length);
}

/** "dix", "dix-sept", "onze"…: 10 to 19, consuming one or two words. */
function teenAt(first: WordAt, codes: ArrayLike<number>, length: number): NumberPhrase | undefined {
  if (first.word.kind !== 'teen') return undefined;
  if (first.word.value === 10) {
    const next = nextWord(codes, first.end, length);
    if (next !== undefined && next.word.kind === 'unit' && next.word.value >= 7) {
      return { value: 10 + next.word.value, end: next.end };
    }
  }
  return { value: first.word.value, end: first.end };
}

/** A unit or teen following a tens word ("vingt-deux", "soixante et onze", "twenty one"). */
function tensComplement(tensWord: WordAt, codes: ArrayLike<number>, length: number): NumberPhrase {
  let next = nextWord(codes, tensWord.end, length);
  if (next !== undefined && next.word.kind === 'and') next = nextWord(codes, next.end, length);
  const tensValue = tensWord.word.value;
  if (next === undefined) return { value: tensValue, end: tensWord.end };
  if (next.word.kind === 'unit' && next.word.value > 0) return { value: tensValue + next.word.value, end: next.end };
  if (next.word.kind === 'teen' && (tensValue === 60 || tensValue === 80)) {
    const teenPhrase = teenAt(next, codes, length);
    if (teenPhrase !== undefined) return { value: tensValue + teenPhrase.value, end: teenPhrase.end };
  }
  return { value: tensValue, end: tensWord.end };
}

/**
 * Parses the number phrase starting at `start` (0 to 99), or returns undefined when no number
 * word starts there. Greedy: "quatre-vingt-dix-neuf" is 99, "six sept" is only 6.
 */
export function parseNumberPhrase(codes: ArrayLike<number>, start: number, length: number): NumberPhrase | undefined {
  const first = numberWordAt(codes, start, length);
  if (first === undefined) return undefined;
  switch (first.word.kind) {
    case 'unit': {
      const next = first.word.value === 4 ? nextWord(codes, first.end, length) : undefined;
      if (next !== undefined && next.word.kind === 'tens' && next.word.value === 20) {
        return tensComplement({ word: tens(80), start: first.start, end: next.end }, codes, length);
      }
      return { value: first.word.value, end: first.end };
    }
    case 'teen':
      return teenAt(first, codes, length);
    case 'tens':
      return tensComplement(first, codes, length);
    case 'and':
      return undefined;
  }
}
