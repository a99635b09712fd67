import type { ContactReuseEvidence } from '../assess';

/**
 * Contacts across ads within a sliding window. One phone number or address posted under
 * three or more names, or in three or more cities, within a week is the pattern of a sex tour
 * run by a third party: the strongest network signal in the published evidence.
 *
 * Time is business time (the ads' timestamps), never the clock. Memory is bounded twice:
 * sightings older than the window are dropped, and beyond `maxContacts` the least recently
 * seen contacts are evicted (a Map keeps insertion order, and every sighting re-inserts).
 */

export interface ContactGraphOptions {
  readonly windowMs?: number;
  readonly maxContacts?: number;
  /** Sightings kept per contact; the oldest go first. */
  readonly maxSightingsPerContact?: number;
  readonly minDistinctNames?: number;
  readonly minDistinctCities?: number;
  /** Reuse means several ads: one ad listing several names is third-party control, not reuse. */
  readonly minAds?: number;
}

export interface ContactObservation {
  readonly adId: string;
  /** Normalised contacts: E.164 phones, lowercase e-mails, `channel:@handle`. */
  readonly contacts: readonly string[];
  /** Persona names in the ad, normalised. */
  readonly names: readonly string[];
  readonly city?: string;
  /** Business time of the ad (e.g. its publication), epoch milliseconds. */
  readonly at: number;
}

export interface ContactSignal {
  readonly contact: string;
  /** Several ads with at least the minimum distinct names or cities within the window. */
  readonly strong: boolean;
  readonly distinctNames: number;
  readonly distinctCities: number;
  /** Ads linked by this contact within the window, oldest first. */
  readonly adIds: readonly string[];
  readonly firstSeen: number;
  readonly lastSeen: number;
}

interface Sighting {
  readonly adId: string;
  readonly names: readonly string[];
  readonly city: string | undefined;
  readonly at: number;
}

interface ContactEntry {
  sightings: Sighting[];
  lastSeen: number;
}

const DAY_MS = 86_400_000;

function cityKey(city: string | undefined): string | undefined {
  const key = city?.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
  return key === undefined || key.length === 0 ? undefined : key;
}

export class ContactGraph {
  readonly windowMs: number;
  private readonly maxContacts: number;
  private readonly maxSightings: number;
  private readonly minNames: number;
  private readonly minCities: number;
  private readonly minAds: number;
  private readonly entries = new Map<string, ContactEntry>();
  /** Latest business time seen: the window's right edge. */
  private now = -Infinity;

  constructor(options: ContactGraphOptions = {}) {
    this.windowMs = options.windowMs ?? 7 * DAY_MS;
    this.maxContacts = options.maxContacts ?? 1_000_000;
    this.maxSightings = options.maxSightingsPerContact ?? 500;
    this.minNames = options.minDistinctNames ?? 3;
    this.minCities = options.minDistinctCities ?? 3;
    this.minAds = options.minAds ?? 2;
  }

  /** Contacts currently tracked. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Records an ad and returns the signals of its contacts that this ad made strong, or whose
   * distinct counts it changed while strong. Each carries the linked ad ids, so every one of
   * them can be re-assessed. An ad older than the window is ignored.
   */
  observe(observation: ContactObservation): ContactSignal[] {
    if (!Number.isFinite(observation.at)) return [];
    this.now = Math.max(this.now, observation.at);
    const horizon = this.now - this.windowMs;
    if (observation.at < horizon) return [];
    const changed: ContactSignal[] = [];
    const sighting: Sighting = {
      adId: observation.adId,
      names: [...new Set(observation.names)],
      city: cityKey(observation.city),
      at: observation.at,
    };
    for (const contact of new Set(observation.contacts)) {
      const entry = this.entries.get(contact) ?? { sightings: [], lastSeen: -Infinity };
      this.prune(entry, horizon);
      // The ad's own earlier sighting is not part of what it found: observed again (a new
      // version, or a retry after the caller's transaction rolled back), it would already count
      // in `before`, and the signal it completes would never fire.
      entry.sightings = entry.sightings.filter((s) => s.adId !== sighting.adId);
      const before = this.summarise(contact, entry);
      insertByTime(entry.sightings, sighting);
      if (entry.sightings.length > this.maxSightings) entry.sightings.splice(0, entry.sightings.length - this.maxSightings);
      entry.lastSeen = Math.max(entry.lastSeen, observation.at);
      this.entries.delete(contact);
      this.entries.set(contact, entry);
      const after = this.summarise(contact, entry);
      const countsChanged = after.distinctNames !== before.distinctNames || after.distinctCities !== before.distinctCities;
      if (after.strong !== before.strong || (after.strong && countsChanged)) changed.push(after);
    }
    this.evict(horizon);
    return changed;
  }

  /** Current signal of a contact, if it was seen within the window. */
  signal(contact: string): ContactSignal | undefined {
    const entry = this.entries.get(contact);
    if (entry === undefined) return undefined;
    this.prune(entry, this.now - this.windowMs);
    return entry.sightings.length === 0 ? undefined : this.summarise(contact, entry);
  }

  /** Evidence for an assessment: the strong signals among these contacts. */
  evidenceFor(contacts: readonly string[]): ContactReuseEvidence[] {
    const evidence: ContactReuseEvidence[] = [];
    for (const contact of new Set(contacts)) {
      const signal = this.signal(contact);
      if (signal === undefined || !signal.strong) continue;
      evidence.push({
        kind: 'contact-reuse',
        contact,
        distinctNames: signal.distinctNames,
        distinctCities: signal.distinctCities,
        adCount: signal.adIds.length,
        windowDays: Math.round(this.windowMs / DAY_MS),
      });
    }
    return evidence;
  }

  private prune(entry: ContactEntry, horizon: number): void {
    let drop = 0;
    while (drop < entry.sightings.length && entry.sightings[drop].at < horizon) drop++;
    if (drop > 0) entry.sightings.splice(0, drop);
  }

  private summarise(contact: string, entry: ContactEntry): ContactSignal {
    const names = new Set<string>();
    const cities = new Set<string>();
    for (const s of entry.sightings) {
      for (const name of s.names) names.add(name);
      if (s.city !== undefined) cities.add(s.city);
    }
    const sightings = entry.sightings;
    return {
      contact,
      strong: sightings.length >= this.minAds && (names.size >= this.minNames || cities.size >= this.minCities),
      distinctNames: names.size,
      distinctCities: cities.size,
      adIds: sightings.map((s) => s.adId),
      firstSeen: sightings.length > 0 ? sightings[0].at : entry.lastSeen,
      lastSeen: entry.lastSeen,
    };
  }

  /** Drops contacts not seen within the window, then the least recently seen beyond the cap. */
  private evict(horizon: number): void {
    for (const [contact, entry] of this.entries) {
      if (entry.lastSeen >= horizon && this.entries.size <= this.maxContacts) break;
      this.entries.delete(contact);
    }
  }
}

function insertByTime(sightings: Sighting[], sighting: Sighting): void {
  let i = sightings.length;
  while (i > 0 && sightings[i - 1].at > sighting.at) i--;
  sightings.splice(i, 0, sighting);
}
