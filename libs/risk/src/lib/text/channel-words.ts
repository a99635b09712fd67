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

export const CHANNEL_WORDS = new WordTable<ChannelCue>([
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
]);

/** 1 for the first letter of a channel word: one table read rejects most words. */
export const CHANNEL_FIRST_LETTERS = new Uint8Array(0x80);
for (const letter of 'wtskvi') CHANNEL_FIRST_LETTERS[letter.charCodeAt(0)] = 1;

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
