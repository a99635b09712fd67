import { randomFillSync } from 'crypto';

/**
 * Canonical (lowercase) UUIDv7 text form. Event ids are dedupe keys compared as plain strings,
 * so only one spelling of an id is accepted.
 */
export const UUID_V7_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';

const UUID_V7_REGEX = new RegExp(UUID_V7_PATTERN);
const MAX_UNIX_MS = 2 ** 48 - 1;
const MAX_COUNTER = 0xfff;
const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

export interface UuidV7GeneratorOptions {
  /** Milliseconds since the Unix epoch. */
  now?: () => number;
  /** Fills the buffer with cryptographically strong random bytes. */
  fillRandom?: (bytes: Uint8Array) => void;
}

/**
 * RFC 9562 UUIDv7 generator: 48-bit Unix milliseconds, version 7, a 12-bit counter in `rand_a`
 * (method 1 of §6.2) so ids from one generator sort in creation order even within a
 * millisecond or when the wall clock steps back, variant `10`, 62 random bits in `rand_b`.
 */
export function createUuidV7Generator(options: UuidV7GeneratorOptions = {}): () => string {
  const now = options.now ?? Date.now;
  const fillRandom = options.fillRandom ?? pooledRandomFill();
  const bytes = new Uint8Array(16);
  let lastMs = -1;
  let counter = 0;

  return () => {
    fillRandom(bytes);
    const clockMs = Math.floor(now());
    if (!(clockMs >= 0 && clockMs <= MAX_UNIX_MS)) {
      throw new RangeError(`UUIDv7 needs a Unix time in milliseconds within 48 bits, got ${clockMs}`);
    }
    if (clockMs > lastMs) {
      lastMs = clockMs;
      counter = randomCounterSeed(bytes);
    } else if (counter < MAX_COUNTER) {
      counter += 1;
    } else {
      // Counter exhausted: borrow the next millisecond rather than break ordering (RFC 9562 §6.2).
      lastMs += 1;
      counter = randomCounterSeed(bytes);
    }

    const high = Math.floor(lastMs / 2 ** 32);
    const low = lastMs >>> 0;
    bytes[0] = high >>> 8;
    bytes[1] = high & 0xff;
    bytes[2] = low >>> 24;
    bytes[3] = (low >>> 16) & 0xff;
    bytes[4] = (low >>> 8) & 0xff;
    bytes[5] = low & 0xff;
    bytes[6] = 0x70 | (counter >>> 8);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    return format(bytes);
  };
}

/**
 * One `randomFillSync` call per id costs more than everything else the generator does, so
 * random bytes are drawn in blocks and handed out 16 at a time.
 */
function pooledRandomFill(): (bytes: Uint8Array) => void {
  const pool = new Uint8Array(16 * 256);
  let offset = pool.length;
  return (bytes) => {
    if (offset + bytes.length > pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    bytes.set(pool.subarray(offset, offset + bytes.length));
    offset += bytes.length;
  };
}

/**
 * The counter starts at a random value with its top bit clear: ids stay hard to guess while
 * leaving at least 2,048 increments before the counter can overflow within one millisecond.
 */
function randomCounterSeed(randomBytes: Uint8Array): number {
  return ((randomBytes[6] & 0x07) << 8) | randomBytes[7];
}

function format(bytes: Uint8Array): string {
  let text = '';
  for (let index = 0; index < 16; index += 1) {
    if (index === 4 || index === 6 || index === 8 || index === 10) {
      text += '-';
    }
    text += HEX_BYTES[bytes[index]];
  }
  return text;
}

/** Process-wide generator: ids are monotonic across every caller in this process. */
export const uuidv7: () => string = createUuidV7Generator();

export function isUuidV7(value: unknown): value is string {
  return typeof value === 'string' && UUID_V7_REGEX.test(value);
}

/** Unix milliseconds embedded in a UUIDv7. */
export function uuidV7Timestamp(id: string): number {
  if (!isUuidV7(id)) {
    throw new TypeError(`Not a canonical UUIDv7: ${JSON.stringify(id)}`);
  }
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/**
 * The smallest UUIDv7 of millisecond `unixMs`: every v7 id created at that millisecond or later
 * sorts at or after it, every earlier one before it (UUIDs compare byte by byte, and a v7 id
 * begins with its 48-bit creation time). A range bound for "events older than".
 */
export function uuidV7Floor(unixMs: number): string {
  if (!(Number.isInteger(unixMs) && unixMs >= 0 && unixMs <= MAX_UNIX_MS)) {
    throw new RangeError(`UUIDv7 needs a Unix time in milliseconds within 48 bits, got ${unixMs}`);
  }
  const time = unixMs.toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7000-8000-000000000000`;
}
