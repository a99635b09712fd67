/**
 * Exact Hamming-radius search over PDQ perceptual hashes (256 bits) supplied by authorities,
 * using multi-index hashing. Vigie never sees images: platforms send the hashes.
 *
 * Why it is exact: with a match within 31 bits, the 8 words of 32 bits cannot all differ by 4
 * or more (8 × 4 = 32 > 31), so some word differs by at most 3; one of that word's two 16-bit
 * halves then differs by at most 1. Each of the 16 halves has a table of buckets by the half's
 * value; a query probes its own half value and the 16 values one bit away, and keeps a
 * candidate only if the whole word (the half plus its stored partner half) is within 3 bits.
 * Only those few candidates are compared on all 256 bits. The same argument holds for any
 * radius up to 47 with budgets floor(D / 8) per word and half that per half.
 *
 * Why buckets are fixed-size slots: with a million hashes, a query's 272 probes are cache
 * misses, and they dominate the lookup. A bucket found through an offsets table costs two
 * dependent misses (the offset, then the entries); a bucket stored in place at `value × slot`
 * holds its size and its partner halves in one cache line, so every probe is one independent
 * load the CPU can overlap with the others. The slot size follows the mean bucket size; the
 * rare bucket that does not fit keeps its first entries in the slot and the rest are read
 * through the offsets, which also give the ids of the few candidates that pass the filter.
 *
 * Storage is typed arrays only: 32 bytes per hash, 4 bytes per hash per table for the ids, and
 * 16 × 65,536 slots; about 165 MB for a million hashes. Hashes added after the last build are
 * scanned linearly until the next (automatic) rebuild.
 */

export interface PdqIndexOptions {
  readonly maxDistance?: number;
  /** Hashes of lower quality are neither stored nor looked up: PDQ is unreliable below 50. */
  readonly minQuality?: number;
}

export interface PdqMatch {
  /** Position of the hash in the index, in insertion order. */
  readonly id: number;
  readonly listId: string;
  readonly distance: number;
}

export /** The list number of a withdrawn entry; list numbers stay below it. */
const WITHDRAWN = 0xffff;
const PDQ_WORDS = 8;
const HALVES = 16;
const BUCKETS = 0x10000;
const HEX_DIGITS = 64;
const MIN_TAIL_BEFORE_REBUILD = 4096;

/** Value of each hex digit's code unit, -1 for anything else. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_VALUE[0x61 + c] = 10 + c;
  HEX_VALUE[0x41 + c] = 10 + c;
}

/** The 256 bits of a PDQ hex string as 8 words, or undefined when it is not 64 hex digits. */
export function parsePdqHex(hex: string, out: Int32Array = new Int32Array(PDQ_WORDS)): Int32Array | undefined {
  if (typeof hex !== 'string' || hex.length !== HEX_DIGITS) return undefined;
  for (let w = 0; w < PDQ_WORDS; w++) {
    let word = 0;
    for (let d = 0; d < 8; d++) {
      const code = hex.charCodeAt(w * 8 + d);
      const value = code < 128 ? HEX_VALUE[code] : -1;
      if (value < 0) return undefined;
      word = (word << 4) | value;
    }
    out[w] = word;
  }
  return out;
}

export function popcount32(value: number): number {
  let x = value - ((value >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Hamming distance between the 256-bit hashes at `a[aOffset…]` and `b[bOffset…]`. */
export function hammingDistance256(a: Int32Array, aOffset: number, b: Int32Array, bOffset: number): number {
  let d = 0;
  for (let w = 0; w < PDQ_WORDS; w++) d += popcount32(a[aOffset + w] ^ b[bOffset + w]);
  return d;
}

function halfOf(words: Int32Array, offset: number, half: number): number {
  const word = words[offset + (half >> 1)];
  return half & 1 ? word >>> 16 : word & 0xffff;
}

/**
 * Whether `x` has at most `budget` bits set (budget 0 to 5): each step clears the lowest set
 * bit. Registers only — a popcount table is a load per entry, and this test runs on every
 * entry of every probed slot.
 */
function withinBits(x: number, budget: number): boolean {
  // Unrolled for the budgets the default radius (31) gives: 3 and 2.
  if (budget === 3) {
    x &= x - 1;
    x &= x - 1;
    return (x & (x - 1)) === 0;
  }
  if (budget === 2) {
    x &= x - 1;
    return (x & (x - 1)) === 0;
  }
  for (let b = 0; b < budget && x !== 0; b++) x &= x - 1;
  return x === 0;
}

/** All 16-bit values within `radius` bits of `value`, with their distance. */
function neighbourhood(radius: number): { masks: Int32Array; distances: Int32Array } {
  const masks: number[] = [0];
  const distances: number[] = [0];
  if (radius >= 1) {
    for (let i = 0; i < 16; i++) {
      masks.push(1 << i);
      distances.push(1);
    }
  }
  if (radius >= 2) {
    for (let i = 0; i < 16; i++) {
      for (let j = i + 1; j < 16; j++) {
        masks.push((1 << i) | (1 << j));
        distances.push(2);
      }
    }
  }
  return { masks: Int32Array.from(masks), distances: Int32Array.from(distances) };
}

/** Slot sizes in 16-bit units (one for the bucket size, the rest for partner halves). */
const MIN_SLOT = 4;
const MAX_SLOT = 64;

/**
 * The smallest slot that holds a bucket of mean size plus three standard deviations (buckets
 * are Poisson-sized for random hashes): overflows stay rare without doubling the memory.
 */
export function slotSizeFor(hashCount: number): number {
  const mean = hashCount / BUCKETS;
  const wanted = mean + 3 * Math.sqrt(mean) + 1;
  let slot = MIN_SLOT;
  while (slot - 1 < wanted && slot < MAX_SLOT) slot *= 2;
  return slot;
}

export class PdqIndex {
  readonly maxDistance: number;
  readonly minQuality: number;
  private readonly wordBudget: number;
  private readonly probeMasks: Int32Array;
  private readonly probeDistances: Int32Array;

  private hashes = new Int32Array(1024 * PDQ_WORDS);
  private lists = new Uint16Array(1024);
  private readonly listNames: string[] = [];
  private readonly listIndex = new Map<string, number>();
  private count = 0;
  /** Entries withdrawn from their list: still in the arrays, never matched. */
  private withdrawnCount = 0;

  private indexed = 0;
  /** Per table, where each bucket starts in {@link ids}. */
  private offsets = new Uint32Array(0);
  /** Per table, hash ids by bucket, ascending inside a bucket. */
  private ids = new Uint32Array(0);
  /** Per table and bucket, a slot: the bucket size, then the partner halves in id order. */
  private slots = new Uint16Array(0);
  private slot = MIN_SLOT;

  private readonly query = new Int32Array(PDQ_WORDS);
  /** Keeps the touch loop's result observable so it is not optimised away. */
  private touchSink = 0;
  private readonly probeSlots: Int32Array;
  private readonly probeBudgets: Int32Array;
  /** Positions in {@link ids} of the entries that passed the word filter, grown on demand. */
  private candidates = new Int32Array(256);

  constructor(options: PdqIndexOptions = {}) {
    this.maxDistance = options.maxDistance ?? 31;
    this.minQuality = options.minQuality ?? 50;
    if (!Number.isInteger(this.maxDistance) || this.maxDistance < 0 || this.maxDistance > 47) {
      throw new RangeError('maxDistance must be an integer from 0 to 47');
    }
    this.wordBudget = Math.floor(this.maxDistance / PDQ_WORDS);
    const { masks, distances } = neighbourhood(this.wordBudget >> 1);
    this.probeMasks = masks;
    this.probeDistances = distances;
    const probes = HALVES * masks.length;
    this.probeSlots = new Int32Array(probes);
    this.probeBudgets = new Int32Array(probes);
  }

  /** Hashes that can be matched (added, not withdrawn). */
  get size(): number {
    return this.count - this.withdrawnCount;
  }

  /** Bytes held by the index's arrays. */
  get byteLength(): number {
    return this.hashes.byteLength + this.lists.byteLength + this.offsets.byteLength + this.ids.byteLength + this.slots.byteLength;
  }

  /**
   * Adds a hash from a list (e.g. an authority's list and release). Returns its id, or
   * undefined when the hex is invalid or the quality too low to be useful.
   */
  add(hex: string, listId: string, quality = 100): number | undefined {
    if (!(quality >= this.minQuality)) return undefined;
    if (parsePdqHex(hex, this.query) === undefined) return undefined;
    if (this.count * PDQ_WORDS === this.hashes.length) this.grow();
    this.hashes.set(this.query, this.count * PDQ_WORDS);
    let list = this.listIndex.get(listId);
    if (list === undefined) {
      if (this.listNames.length === WITHDRAWN) throw new RangeError('too many hash lists');
      list = this.listNames.length;
      this.listNames.push(listId);
      this.listIndex.set(listId, list);
    }
    this.lists[this.count] = list;
    return this.count++;
  }

  /**
   * Withdraws a hash from a list (its publisher took it back, e.g. a false positive): its
   * entries stay in place, marked, and are never matched again; the same hash on another list
   * still is. Returns how many entries were withdrawn (0 if the list does not hold it).
   */
  withdraw(hex: string, listId: string): number {
    const list = this.listIndex.get(listId);
    if (list === undefined) return 0;
    let withdrawn = 0;
    for (const match of this.match(hex)) {
      if (match.distance !== 0 || this.lists[match.id] !== list) continue;
      this.lists[match.id] = WITHDRAWN;
      withdrawn++;
    }
    this.withdrawnCount += withdrawn;
    return withdrawn;
  }

  /** Withdraws every hash of a list, in one pass; returns how many entries went. */
  withdrawList(listId: string): number {
    const list = this.listIndex.get(listId);
    if (list === undefined) return 0;
    let withdrawn = 0;
    for (let id = 0; id < this.count; id++) {
      if (this.lists[id] !== list) continue;
      this.lists[id] = WITHDRAWN;
      withdrawn++;
    }
    this.withdrawnCount += withdrawn;
    return withdrawn;
  }

  private grow(): void {
    const hashes = new Int32Array(this.hashes.length * 2);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const lists = new Uint16Array(this.lists.length * 2);
    lists.set(this.lists);
    this.lists = lists;
  }

  /** Indexes every hash added so far (otherwise done on demand when many are pending). */
  build(): void {
    const n = this.count;
    const slot = slotSizeFor(n);
    const capacity = slot - 1;
    // Released first, so the old index and the new one are never alive together.
    this.offsets = new Uint32Array(0);
    this.ids = new Uint32Array(0);
    this.slots = new Uint16Array(0);
    const offsets = new Uint32Array(HALVES * (BUCKETS + 1));
    const ids = new Uint32Array(HALVES * n);
    const slots = new Uint16Array(HALVES * BUCKETS * slot);
    const cursor = new Uint32Array(BUCKETS);
    const hashes = this.hashes;
    for (let half = 0; half < HALVES; half++) {
      const base = half * (BUCKETS + 1);
      for (let i = 0; i < n; i++) offsets[base + halfOf(hashes, i * PDQ_WORDS, half) + 1]++;
      for (let v = 0; v < BUCKETS; v++) offsets[base + v + 1] += offsets[base + v];
      cursor.fill(0);
      const partner = half ^ 1;
      const slotBase = half * BUCKETS;
      for (let i = 0; i < n; i++) {
        const value = halfOf(hashes, i * PDQ_WORDS, half);
        const rank = cursor[value]++;
        ids[half * n + offsets[base + value] + rank] = i;
        const at = (slotBase + value) * slot;
        if (rank < capacity) slots[at + 1 + rank] = halfOf(hashes, i * PDQ_WORDS, partner);
        // Sizes beyond the capacity are only told apart through the offsets.
        slots[at] = rank < capacity ? rank + 1 : slot;
      }
    }
    this.offsets = offsets;
    this.ids = ids;
    this.slots = slots;
    this.slot = slot;
    this.indexed = n;
  }

  /** Every indexed hash within `maxDistance` of `hex`, nearest first. */
  match(hex: string, quality = 100): PdqMatch[] {
    if (!(quality >= this.minQuality)) return [];
    const q = parsePdqHex(hex, this.query);
    if (q === undefined) return [];
    const tail = this.count - this.indexed;
    if (tail > Math.max(MIN_TAIL_BEFORE_REBUILD, this.indexed >>> 4)) this.build();
    const matches: PdqMatch[] = [];
    if (this.indexed > 0) this.searchIndexed(q, matches);
    for (let i = this.indexed; i < this.count; i++) {
      const d = hammingDistance256(this.hashes, i * PDQ_WORDS, q, 0);
      if (d <= this.maxDistance) this.collect(matches, i, d);
    }
    return matches.length < 2 ? matches : matches.sort((a, b) => a.distance - b.distance || a.id - b.id);
  }

  /** Adds a match once: a hash close on several words is found through several tables. */
  private collect(matches: PdqMatch[], id: number, distance: number): void {
    if (this.lists[id] === WITHDRAWN) return;
    for (const m of matches) if (m.id === id) return;
    matches.push({ id, listId: this.listNames[this.lists[id]], distance });
  }

  private searchIndexed(q: Int32Array, matches: PdqMatch[]): void {
    const slots = this.slots;
    const slot = this.slot;
    const capacity = slot - 1;
    const masks = this.probeMasks;
    const distances = this.probeDistances;
    const probeCount = masks.length;
    const probeSlots = this.probeSlots;
    const budgets = this.probeBudgets;
    const wordBudget = this.wordBudget;
    // Phase 1: every probe's slot, computed without touching memory.
    let p = 0;
    for (let half = 0; half < HALVES; half++) {
      const value = halfOf(q, 0, half);
      const slotBase = half * BUCKETS;
      for (let m = 0; m < probeCount; m++) {
        probeSlots[p] = (slotBase + (value ^ masks[m])) * slot;
        budgets[p] = wordBudget - distances[m];
        p++;
      }
    }
    // Touch every slot: independent loads the CPU overlaps, instead of one cache miss after
    // another in the scan below.
    let touched = 0;
    for (let k = 0; k < p; k++) touched += slots[probeSlots[k]];
    // Phase 2: the word filter inside each slot. Passing entries are only noted: their ids and
    // hashes are two more misses each, overlapped in phase 3 like the slots were.
    const offsets = this.offsets;
    const n = this.indexed;
    let found = 0;
    for (let half = 0, k = 0; half < HALVES; half++) {
      const partner = halfOf(q, 0, half ^ 1);
      const slotBase = half * BUCKETS;
      for (let m = 0; m < probeCount; m++, k++) {
        const at = probeSlots[k];
        const size = slots[at];
        if (size === 0) continue;
        const budget = budgets[k];
        const stored = size > capacity ? capacity : size;
        let bucketStart = -1;
        for (let r = 0; r < stored; r++) {
          if (!withinBits(slots[at + 1 + r] ^ partner, budget)) continue;
          if (bucketStart < 0) bucketStart = half * n + offsets[half * (BUCKETS + 1) + at / slot - slotBase];
          if (found === this.candidates.length) this.growCandidates();
          this.candidates[found++] = bucketStart + r;
        }
        if (size > capacity) this.overflow(q, matches, half, at / slot - slotBase, capacity);
      }
    }
    // Phase 3: ids, then the full comparison.
    const candidates = this.candidates;
    const ids = this.ids;
    for (let c = 0; c < found; c++) candidates[c] = ids[candidates[c]];
    const hashes = this.hashes;
    for (let c = 0; c < found; c++) touched += hashes[candidates[c] * PDQ_WORDS];
    this.touchSink = touched;
    const maxDistance = this.maxDistance;
    for (let c = 0; c < found; c++) {
      const id = candidates[c];
      const d = hammingDistance256(hashes, id * PDQ_WORDS, q, 0);
      if (d <= maxDistance) this.collect(matches, id, d);
    }
  }

  private growCandidates(): void {
    const grown = new Int32Array(this.candidates.length * 2);
    grown.set(this.candidates);
    this.candidates = grown;
  }

  /** Entries of a bucket beyond its slot, compared in full (rare: buckets far above the mean). */
  private overflow(q: Int32Array, matches: PdqMatch[], half: number, value: number, from: number): void {
    const base = half * (BUCKETS + 1) + value;
    const idBase = half * this.indexed;
    for (let e = idBase + this.offsets[base] + from; e < idBase + this.offsets[base + 1]; e++) {
      const id = this.ids[e];
      const d = hammingDistance256(this.hashes, id * PDQ_WORDS, q, 0);
      if (d <= this.maxDistance) this.collect(matches, id, d);
    }
  }
}
