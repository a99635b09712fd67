import { Injectable } from '@nestjs/common';
import { ContactGraph, PdqIndex, TemplateIndex, type NetworkEvidence } from '@vigie/risk';

export interface NetworkObservation {
  /** `platform:adId`: ads of different platforms never share network state by accident of ids. */
  adKey: string;
  text: string;
  contacts: string[];
  names: string[];
  city: string | undefined;
  /** Business time (ingest receipt) in ms, so replays build the same state. */
  at: number;
  images: { pdq: string; quality: number }[];
}

export interface NetworkOutcome {
  evidence: NetworkEvidence[];
  /** Other ads whose evidence this ad changed: they get re-assessed. */
  linkedAdKeys: string[];
}

const maxLinkedPerAd = 200;

const LOADED_PARTS = ['recent-ads', 'hash-lists'] as const;
type LoadedPart = (typeof LOADED_PARTS)[number];

/**
 * The scoring service's own network state, in memory and bounded: a contact graph over a
 * sliding 7-day window, a MinHash/LSH template index, and the known-image hash index.
 */
@Injectable()
export class NetworkState {
  readonly contacts = new ContactGraph();
  readonly templates = new TemplateIndex({ capacity: 500_000 });
  readonly knownImages = new PdqIndex();
  /** The parts loaded from the database at start; see {@link loaded}. */
  private readonly loadedParts = new Set<LoadedPart>();

  /**
   * Whether the state loaded at start (the week's ads, the hash lists) is all there. The
   * consumer starts after every start hook has run, but a timer started by one (the
   * re-assessment drainer) must not score against a half-loaded state.
   */
  get loaded(): boolean {
    return this.loadedParts.size === LOADED_PARTS.length;
  }

  markLoaded(part: LoadedPart): void {
    this.loadedParts.add(part);
  }

  observe(observation: NetworkObservation): NetworkOutcome {
    const linked = new Set<string>();
    for (const signal of this.contacts.observe({
      adId: observation.adKey,
      contacts: observation.contacts,
      names: observation.names,
      city: observation.city,
      at: observation.at,
    })) {
      for (const adKey of signal.adIds) linked.add(adKey);
    }
    const template = this.templates.add({ adId: observation.adKey, text: observation.text, contacts: observation.contacts });
    for (const adKey of template.linkedAdIds) linked.add(adKey);
    linked.delete(observation.adKey);
    return { evidence: this.evidenceFor(observation, template.evidence), linkedAdKeys: [...linked].slice(0, maxLinkedPerAd) };
  }

  /** Evidence for an ad observed before, without recording it again (re-assessments). */
  currentEvidence(observation: NetworkObservation): NetworkEvidence[] {
    const template = this.templates.add({ adId: observation.adKey, text: observation.text, contacts: observation.contacts });
    return this.evidenceFor(observation, template.evidence);
  }

  private evidenceFor(observation: NetworkObservation, template: NetworkEvidence | undefined): NetworkEvidence[] {
    const evidence: NetworkEvidence[] = [...this.contacts.evidenceFor(observation.contacts)];
    if (template) evidence.push(template);
    observation.images.forEach((image, imageIndex) => {
      const [best] = this.knownImages.match(image.pdq, image.quality);
      if (best) evidence.push({ kind: 'known-image-hash', imageIndex, listId: best.listId, distance: best.distance });
    });
    return evidence;
  }
}
