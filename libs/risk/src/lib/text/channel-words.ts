import { WordTable } from './word-key';

/**
 * Names of messaging services as ads write them. Shared by handle extraction, which reads the
 * cue, and normalisation, which notes whether a text may hold one at all so that extraction
 * can skip the many texts that do not.
 */

export interface ChannelCue {
  readonly channel: string;
  /** Short forms ("wa", "tg") need a ":" or "@" after them. */
  readonly short: boolean;
}

const CHANNEL_WORD_LIST: readonly (readonly [string, ChannelCue])[] = [
  ['whatsapp', { channel: 'whatsapp', short: false }],
  ['whatsap', { channel: 'whatsapp', short: false }],
  ['watsap', { channel: 'whatsapp', short: false }],
  ['watsapp', { channel: 'whatsapp', short: false }],
  ['wasap', { channel: 'whatsapp', short: false }],
  ['wsp', { channel: 'whatsapp', short: true }],
  ['wa', { channel: 'whatsapp', short: true }],
  ['telegram', { channel: 'telegram', short: false }],
  ['telegramme', { channel: 'telegram', short: false }],
  ['tg', { channel: 'telegram', short: true }],
  ['tlg', { channel: 'telegram', short: true }],
  ['snap', { channel: 'snapchat', short: false }],
  ['snapchat', { channel: 'snapchat', short: false }],
  ['signal', { channel: 'signal', short: false }],
  ['kik', { channel: 'kik', short: false }],
  ['wechat', { channel: 'wechat', short: false }],
  ['viber', { channel: 'viber', short: false }],
  ['insta', { channel: 'instagram', short: false }],
  ['instagram', { channel: 'instagram', short: false }],
];

export const CHANNEL_WORDS = new WordTable<ChannelCue>(CHANNEL_WORD_LIST);

/** 1 for the first letter of a channel word: one table read rejects most words. */
export const CHANNEL_FIRST_LETTERS = new Uint8Array(0x80);
/**
 * 1 at first letter × 0x80 + second letter of a channel word ("whats app" included, as
 * "whatsapp" starts it): a table rather than a Set, as it is read at every word start.
 */
const CHANNEL_INITIALS = new Uint8Array(0x80 * 0x80);
for (const [word] of CHANNEL_WORD_LIST) {
  CHANNEL_FIRST_LETTERS[word.charCodeAt(0)] = 1;
  CHANNEL_INITIALS[word.charCodeAt(0) * 0x80 + word.charCodeAt(1)] = 1;
}

/** Whether a word starting with these two code units may be a channel word. */
export function mayStartChannelWord(first: number, second: number): boolean {
  return first < 0x80 && second < 0x80 && CHANNEL_INITIALS[first * 0x80 + second] === 1;
}

/** Length of "whats" in "whats app", which handle extraction joins with the next word. */
const WHATS_LENGTH = 5;

/**
 * Whether the word [start, end) of lowercase letters may be read as a channel cue: a channel
 * word, or a five-letter "w…" word (handle extraction tries any such word followed by a
 * three-letter "a…" word as "whats app").
 */
export function mayBeChannelWord(codes: ArrayLike<number>, start: number, end: number): boolean {
  if (end - start === WHATS_LENGTH && codes[start] === 0x77) return true;
  return CHANNEL_WORDS.has(codes, start, end);
}
