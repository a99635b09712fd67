import type { EventData } from '@vigie/contracts';
import type { AssessedIndicator, EvidenceSpan, NetworkEvidence, RiskAssessment } from '@vigie/risk';

type ScoredData = EventData<'ad.scored'>;
type ContractIndicator = ScoredData['indicators'][number];
type ContractNetwork = ScoredData['network'][number];

const confidenceOf = { weak: 'low', medium: 'medium', strong: 'high' } as const;
const maxSpans = 20;
const maxIndicators = 100;

function span(evidence: EvidenceSpan) {
  return { field: evidence.field, start: evidence.start, end: evidence.end, excerpt: evidence.text.slice(0, 200) };
}

function indicator(found: AssessedIndicator): ContractIndicator {
  return {
    code: found.code,
    // The contract's two strengths; the engine's `critical` tier (a stated minor) is the strongest.
    strength: found.tier === 'weak' ? 'weak' : 'strong',
    weight: Math.max(-1, Math.min(1, found.weight)),
    confidence: confidenceOf[found.confidence],
    spans: found.spans.slice(0, maxSpans).map(span),
  };
}

function contactType(contact: string): 'phone' | 'email' | 'handle' {
  if (contact.includes('@') && !contact.includes(':')) return 'email';
  return /^\+?\d[\d ]*$/.test(contact) ? 'phone' : 'handle';
}

function network(evidence: NetworkEvidence, weights: Map<string, number>): ContractNetwork | undefined {
  switch (evidence.kind) {
    case 'contact-reuse':
      return {
        kind: 'shared-contact',
        contactType: contactType(evidence.contact),
        contact: evidence.contact.slice(0, 254),
        adCount: Math.max(2, evidence.adCount),
        distinctNames: evidence.distinctNames,
        distinctCities: Math.max(1, evidence.distinctCities),
        windowDays: Math.max(1, Math.min(365, evidence.windowDays)),
        weight: weights.get('contact-reuse') ?? 0,
      };
    case 'template-cluster':
      return {
        kind: 'template-cluster',
        clusterId: evidence.clusterId.slice(0, 100),
        clusterSize: Math.max(2, evidence.clusterSize),
        similarity: Math.max(0, Math.min(1, evidence.similarity)),
        weight: weights.get('template-cluster') ?? 0,
      };
    case 'known-image-hash':
      return {
        kind: 'hash-match',
        imageIndex: evidence.imageIndex,
        hashList: evidence.listId.slice(0, 100),
        hammingDistance: evidence.distance,
        weight: weights.get('known-image-hash') ?? 0,
      };
  }
}

/**
 * The engine's assessment in the shape of the `ad.scored` contract: indicators with their
 * spans into the original text, suppressed matches as `negative` indicators, network
 * evidence, and the Art. 18 referral flag.
 */
export function toScoredData(
  assessment: RiskAssessment,
  evidence: readonly NetworkEvidence[],
  adVersion: number,
  contentHash: string,
): ScoredData {
  const weights = new Map(assessment.indicators.map((found) => [found.code as string, Math.max(0, Math.min(1, found.weight))]));
  const negatives: ContractIndicator[] = assessment.suppressed.map((suppressed) => ({
    code: suppressed.code,
    strength: 'negative',
    weight: 0,
    confidence: 'medium',
    spans: suppressed.span ? [span(suppressed.span)] : [],
  }));
  return {
    adVersion,
    contentHash,
    score: Math.max(0, Math.min(1, assessment.score)),
    band: assessment.band,
    rulesetVersion: assessment.rulesetVersion,
    indicators: [...assessment.indicators.map(indicator), ...negatives].slice(0, maxIndicators),
    network: evidence.map((e) => network(e, weights)).filter((e): e is ContractNetwork => e !== undefined).slice(0, 50),
    referralSuggested: assessment.art18Referral,
  };
}
