import type { TemplateClusterEvidence } from '../assess';
import { NormalisedText, normaliseInto } from '../text/normalise';
import { combine32 } from './hash32';
import { DEFAULT_PERMUTATIONS, DEFAULT_SHINGLE_SIZE, estimateJaccard, MinHasher, wordShingles } from './minhash';

/**
 * Incremental near-duplicate index of ad texts (InfoShield's idea: one organisation posts
 * one template many times). MinHash signatures are split into LSH bands; ads sharing a band
 * are candidates, kept when the estimated Jaccard similarity reaches the threshold, and
 * near-duplicates are grouped into clusters. A cluster posted with several different contacts
 * is an organisation signal.
 *
 * Memory is bounded: ads live in a ring of `capacity` slots and the oldest is evicted first.
 * The slot arrays grow by doubling as ads arrive, so memory follows the ads seen, not the bound.
 * Band chains are singly linked newest-to-oldest through typed arrays; a chain stops where the
 * slot sequence numbers stop decreasing, so evicted entries never need unlinking.
 */

export interface TemplateIndexOptions {
  readonly permutations?: number;
  /** Bands × rows must equal permutations; 16 × 8 puts the 50 % candidate point near 0.7. */
  readonly bands?: number;
  /** Minimum estimated Jaccard similarity for two ads to be near-duplicates. */
  readonly threshold?: number;
  readonly capacity?: number;
  /** Chain entries examined per band: bounds the work for very large clusters. */
  readonly maxCandidatesPerBand?: number;
  /** Ads with fewer shingles are too short to call a template. */
  readonly minShingles?: number;
  readonly minDistinctContacts?: number;
  readonly shingleSize?: number;
  readonly maxNeighbours?: number;
}

export interface TemplateAd {
  readonly adId: string;
  readonly text: string;
  /** Normalised contacts of the ad (E.164 phones, e-mails, handles). */
  readonly contacts: readonly string[];
}

export interface TemplateNeighbour {
  readonly adId: string;
  readonly similarity: number;
}

export interface TemplateMatch {
  /** Null when the text is too short to be indexed. */
  readonly clusterId: string | null;
  readonly clusterSize: number;
  readonly distinctContacts: number;
  readonly neighbours: readonly TemplateNeighbour[];
  /** Present when the cluster spans enough contacts to be an organisation signal. */
  readonly evidence?: TemplateClusterEvidence;
  /** Other ads whose cluster signal this ad switched on: they deserve a re-assessment. */
  readonly linkedAdIds: readonly string[];
}

interface Cluster {
  readonly id: number;
  readonly slots: Set<number>;
  readonly contactCounts: Map<string, number>;
  bestSimilarity: number;
}

const EMPTY = -1;
/** First allocation of the per-slot arrays. */
const MIN_ALLOCATED_SLOTS = 1024;

export class TemplateIndex {
  private readonly permutations: number;
  private readonly bands: number;
  private readonly rows: number;
  private readonly threshold: number;
  private readonly capacity: number;
  private readonly maxCandidatesPerBand: number;
  private readonly minShingles: number;
  private readonly minDistinctContacts: number;
  private readonly shingleSize: number;
  private readonly maxNeighbours: number;
  private readonly hasher: MinHasher;

  // Per-slot arrays grow with the ads stored, up to `capacity`: a large capacity costs memory
  // only once that many ads have been seen.
  private signatures: Uint32Array;
  private slotSequence: Float64Array;
  private slotCluster: Int32Array;
  private readonly slotAdIds: (string | undefined)[] = [];
  private readonly slotContacts: (readonly string[] | undefined)[] = [];
  private entryKey: Int32Array;
  private entryNext: Int32Array;
  private readonly heads: Map<number, number>[];
  private readonly clusters = new Map<number, Cluster>();
  private readonly slotOfAd = new Map<string, number>();
  private visited: Float64Array;
  /** Slots the per-slot arrays have room for. */
  private allocatedSlots = 0;
  private readonly scratchSignature: Uint32Array;
  /** Reused for every ad's text: a fresh one allocated five typed arrays per ad, for the shingles alone. */
  private readonly scratchText = new NormalisedText();
  private nextSlot = 0;
  private sequence = 0;
  private nextClusterId = 1;
  private live = 0;

  constructor(options: TemplateIndexOptions = {}) {
    this.permutations = options.permutations ?? DEFAULT_PERMUTATIONS;
    this.bands = options.bands ?? 16;
    this.rows = this.permutations / this.bands;
    if (!Number.isInteger(this.rows) || this.rows < 1) throw new RangeError('bands must divide permutations');
    this.threshold = options.threshold ?? 0.8;
    this.capacity = options.capacity ?? 100_000;
    this.maxCandidatesPerBand = options.maxCandidatesPerBand ?? 32;
    this.minShingles = options.minShingles ?? 4;
    this.minDistinctContacts = options.minDistinctContacts ?? 2;
    this.shingleSize = options.shingleSize ?? DEFAULT_SHINGLE_SIZE;
    this.maxNeighbours = options.maxNeighbours ?? 10;
    this.hasher = new MinHasher(this.permutations);
    if (!Number.isInteger(this.capacity) || this.capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.signatures = new Uint32Array(0);
    this.slotSequence = new Float64Array(0);
    this.slotCluster = new Int32Array(0);
    this.entryKey = new Int32Array(0);
    this.entryNext = new Int32Array(0);
    this.visited = new Float64Array(0);
    this.heads = Array.from({ length: this.bands }, () => new Map<number, number>());
    this.scratchSignature = new Uint32Array(this.permutations);
  }

  /** Ads currently indexed. */
  get size(): number {
    return this.live;
  }

  /** Adds an ad and returns its cluster. Re-adding an ad id replaces the earlier version. */
  add(ad: TemplateAd): TemplateMatch {
    const shingles = wordShingles(normaliseInto(ad.text, this.scratchText), this.shingleSize);
    if (shingles.length < this.minShingles) {
      return { clusterId: null, clusterSize: 1, distinctContacts: new Set(ad.contacts).size, neighbours: [], linkedAdIds: [] };
    }
    const previous = this.slotOfAd.get(ad.adId);
    if (previous !== undefined) this.evict(previous);
    const signature = this.hasher.signature(shingles, this.scratchSignature);
    const bandKeys = this.bandKeys(signature);
    const neighbours = this.nearDuplicates(signature, bandKeys);
    const slot = this.store(ad, signature, bandKeys);
    return this.cluster(slot, ad, neighbours);
  }

  /** Ad ids in the cluster of `adId`, if it is indexed. */
  clusterMembers(adId: string): string[] {
    const slot = this.slotOfAd.get(adId);
    if (slot === undefined) return [];
    const cluster = this.clusters.get(this.slotCluster[slot]);
    return cluster === undefined ? [] : [...cluster.slots].map((s) => this.adIdAt(s));
  }

  /** Ad id of a live slot (every slot reached through a cluster or a chain is live). */
  private adIdAt(slot: number): string {
    return this.slotAdIds[slot] ?? '';
  }

  private bandKeys(signature: Uint32Array): Int32Array {
    const keys = new Int32Array(this.bands);
    for (let b = 0; b < this.bands; b++) {
      let h = b + 1;
      for (let r = 0; r < this.rows; r++) h = combine32(h, signature[b * this.rows + r]);
      keys[b] = h | 0;
    }
    return keys;
  }

  private nearDuplicates(signature: Uint32Array, bandKeys: Int32Array): { slot: number; similarity: number }[] {
    const found: { slot: number; similarity: number }[] = [];
    const stamp = this.sequence;
    const confirmedClusters = new Set<number>();
    for (let b = 0; b < this.bands; b++) {
      let entry = this.heads[b].get(bandKeys[b]) ?? EMPTY;
      let previousSequence = Infinity;
      let examined = 0;
      while (entry !== EMPTY && examined < this.maxCandidatesPerBand) {
        const slot = (entry / this.bands) | 0;
        const sequence = this.slotSequence[slot];
        if (sequence === EMPTY) {
          // Evicted out of turn (its ad was re-added); the chain still runs through it.
          entry = this.entryNext[entry];
          continue;
        }
        if (sequence >= previousSequence || this.entryKey[entry] !== bandKeys[b]) break;
        previousSequence = sequence;
        examined++;
        entry = this.entryNext[entry];
        if (this.visited[slot] === stamp) continue;
        this.visited[slot] = stamp;
        // One confirmed member is enough to join a cluster; more are only worth it as neighbours.
        if (confirmedClusters.has(this.slotCluster[slot]) && found.length >= this.maxNeighbours) continue;
        const similarity = estimateJaccard(signature, this.signatures, 0, slot * this.permutations, this.permutations);
        if (similarity >= this.threshold) {
          found.push({ slot, similarity });
          confirmedClusters.add(this.slotCluster[slot]);
        }
      }
    }
    return found.sort((a, b) => b.similarity - a.similarity);
  }

  private store(ad: TemplateAd, signature: Uint32Array, bandKeys: Int32Array): number {
    const slot = this.nextSlot;
    this.nextSlot = (this.nextSlot + 1) % this.capacity;
    if (slot === this.allocatedSlots) this.grow();
    else if (this.slotSequence[slot] !== EMPTY) this.evict(slot);
    this.sequence++;
    this.slotSequence[slot] = this.sequence;
    this.signatures.set(signature, slot * this.permutations);
    this.slotAdIds[slot] = ad.adId;
    this.slotContacts[slot] = [...new Set(ad.contacts)];
    this.slotOfAd.set(ad.adId, slot);
    for (let b = 0; b < this.bands; b++) {
      const entry = slot * this.bands + b;
      this.entryKey[entry] = bandKeys[b];
      this.entryNext[entry] = this.heads[b].get(bandKeys[b]) ?? EMPTY;
      this.heads[b].set(bandKeys[b], entry);
    }
    this.live++;
    return slot;
  }

  /** Doubles the per-slot arrays (slots are filled in order, so only before the ring first wraps). */
  private grow(): void {
    const slots = Math.min(this.capacity, Math.max(MIN_ALLOCATED_SLOTS, this.allocatedSlots * 2));
    const used = this.allocatedSlots;
    const widen = <T extends Uint32Array | Int32Array | Float64Array>(from: T, to: T, fill: number | undefined, width: number): T => {
      to.set(from);
      if (fill !== undefined) to.fill(fill, used * width);
      return to;
    };
    this.signatures = widen(this.signatures, new Uint32Array(slots * this.permutations), undefined, this.permutations);
    this.slotSequence = widen(this.slotSequence, new Float64Array(slots), EMPTY, 1);
    this.slotCluster = widen(this.slotCluster, new Int32Array(slots), EMPTY, 1);
    this.entryKey = widen(this.entryKey, new Int32Array(slots * this.bands), undefined, this.bands);
    this.entryNext = widen(this.entryNext, new Int32Array(slots * this.bands), EMPTY, this.bands);
    this.visited = widen(this.visited, new Float64Array(slots), EMPTY, 1);
    this.allocatedSlots = slots;
  }

  private evict(slot: number): void {
    for (let b = 0; b < this.bands; b++) {
      const entry = slot * this.bands + b;
      if (this.heads[b].get(this.entryKey[entry]) === entry) {
        const next = this.entryNext[entry];
        // The next entry is older; keep the chain reachable when it is still live.
        if (next !== EMPTY && this.slotSequence[(next / this.bands) | 0] < this.slotSequence[slot]) this.heads[b].set(this.entryKey[entry], next);
        else this.heads[b].delete(this.entryKey[entry]);
      }
    }
    const cluster = this.clusters.get(this.slotCluster[slot]);
    if (cluster !== undefined) {
      cluster.slots.delete(slot);
      for (const contact of this.slotContacts[slot] ?? []) {
        const count = (cluster.contactCounts.get(contact) ?? 0) - 1;
        if (count <= 0) cluster.contactCounts.delete(contact);
        else cluster.contactCounts.set(contact, count);
      }
      if (cluster.slots.size === 0) this.clusters.delete(cluster.id);
    }
    const adId = this.slotAdIds[slot];
    if (adId !== undefined && this.slotOfAd.get(adId) === slot) this.slotOfAd.delete(adId);
    this.slotSequence[slot] = EMPTY;
    this.slotCluster[slot] = EMPTY;
    this.slotAdIds[slot] = undefined;
    this.slotContacts[slot] = undefined;
    this.live--;
  }

  private signalled(cluster: Cluster): boolean {
    return cluster.contactCounts.size >= this.minDistinctContacts;
  }

  private cluster(slot: number, ad: TemplateAd, neighbours: readonly { slot: number; similarity: number }[]): TemplateMatch {
    const joined = new Map<number, Cluster>();
    for (const n of neighbours) {
      const cluster = this.clusters.get(this.slotCluster[n.slot]);
      if (cluster !== undefined) joined.set(cluster.id, cluster);
    }
    // Members of clusters without the signal yet: if this ad switches it on, they gain evidence.
    const previouslyQuiet: string[] = [];
    for (const c of joined.values()) {
      if (!this.signalled(c)) for (const member of c.slots) previouslyQuiet.push(this.adIdAt(member));
    }
    let target: Cluster;
    if (joined.size === 0) {
      target = { id: this.nextClusterId++, slots: new Set(), contactCounts: new Map(), bestSimilarity: 0 };
      this.clusters.set(target.id, target);
    } else {
      const ordered = [...joined.values()].sort((a, b) => b.slots.size - a.slots.size);
      target = ordered[0];
      for (const other of ordered.slice(1)) this.mergeInto(target, other);
    }
    target.slots.add(slot);
    this.slotCluster[slot] = target.id;
    for (const contact of this.slotContacts[slot] ?? []) target.contactCounts.set(contact, (target.contactCounts.get(contact) ?? 0) + 1);
    const best = neighbours.length > 0 ? neighbours[0].similarity : 0;
    target.bestSimilarity = Math.max(target.bestSimilarity, best);

    const signalled = this.signalled(target);
    const linkedAdIds = signalled ? previouslyQuiet : [];
    const clusterId = `tpl-${target.id}`;
    const distinctContacts = target.contactCounts.size;
    return {
      clusterId,
      clusterSize: target.slots.size,
      distinctContacts,
      neighbours: neighbours.slice(0, this.maxNeighbours).map((n) => ({ adId: this.adIdAt(n.slot), similarity: n.similarity })),
      ...(signalled && target.slots.size >= 2
        ? {
            evidence: {
              kind: 'template-cluster' as const,
              clusterId,
              clusterSize: target.slots.size,
              distinctContacts,
              similarity: target.bestSimilarity,
            },
          }
        : {}),
      linkedAdIds,
    };
  }

  private mergeInto(target: Cluster, other: Cluster): void {
    for (const slot of other.slots) {
      target.slots.add(slot);
      this.slotCluster[slot] = target.id;
    }
    for (const [contact, count] of other.contactCounts) target.contactCounts.set(contact, (target.contactCounts.get(contact) ?? 0) + count);
    target.bestSimilarity = Math.max(target.bestSimilarity, other.bestSimilarity);
    this.clusters.delete(other.id);
  }
}
