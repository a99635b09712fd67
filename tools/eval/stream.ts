import {
  assessAd,
  ContactGraph,
  TemplateIndex,
  type NetworkEvidence,
  type RiskAssessment,
  type TemplateClusterEvidence,
} from '@vigie/risk';
import type { LabelledAd } from './corpus';

/**
 * Runs the engine over an ad stream in posting order the way the scoring service will: each
 * ad is assessed, its contacts go into the contact graph and its text into the template index,
 * it is re-assessed with the network evidence, and every earlier ad whose evidence changed is
 * re-assessed too. The last assessment of each ad is its result.
 */

export interface StreamResult {
  readonly assessments: ReadonlyMap<string, RiskAssessment>;
  readonly reassessments: number;
}

interface Seen {
  readonly item: LabelledAd;
  readonly contacts: readonly string[];
}

function referenceOf(item: LabelledAd): string {
  return new Date(item.postedAt).toISOString();
}

export function scoreStream(stream: readonly LabelledAd[]): StreamResult {
  const graph = new ContactGraph();
  const templates = new TemplateIndex();
  const clusterEvidence = new Map<string, TemplateClusterEvidence>();
  const seen = new Map<string, Seen>();
  const assessments = new Map<string, RiskAssessment>();
  let reassessments = 0;

  const networkOf = (adId: string, contacts: readonly string[]): NetworkEvidence[] => {
    const evidence: NetworkEvidence[] = graph.evidenceFor(contacts);
    const cluster = clusterEvidence.get(adId);
    if (cluster !== undefined) evidence.push(cluster);
    return evidence;
  };

  const reassess = (adId: string): void => {
    const entry = seen.get(adId);
    if (entry === undefined) return;
    const network = networkOf(adId, entry.contacts);
    assessments.set(adId, assessAd(entry.item.ad, { referenceDate: referenceOf(entry.item), network }));
    reassessments++;
  };

  for (const item of stream) {
    const referenceDate = referenceOf(item);
    const first = assessAd(item.ad, { referenceDate });
    const contacts = first.contacts.map((c) => c.value);
    seen.set(item.id, { item, contacts });
    const changed = graph.observe({ adId: item.id, contacts, names: first.names, city: item.ad.city, at: item.postedAt });
    const template = templates.add({ adId: item.id, text: `${item.ad.title}\n${item.ad.body}`, contacts });
    if (template.evidence !== undefined) {
      clusterEvidence.set(item.id, template.evidence);
      for (const linked of template.linkedAdIds) clusterEvidence.set(linked, template.evidence);
    }
    const network = networkOf(item.id, contacts);
    assessments.set(item.id, network.length === 0 ? first : assessAd(item.ad, { referenceDate, network }));
    const linked = new Set<string>([...changed.flatMap((c) => c.adIds), ...template.linkedAdIds]);
    linked.delete(item.id);
    for (const adId of linked) reassess(adId);
  }
  return { assessments, reassessments };
}
