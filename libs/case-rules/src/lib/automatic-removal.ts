import type { AbuseCategory, RiskBand } from './vocabulary';

export interface FlagAssessment {
  band: RiskBand;
  score: number;
  indicatorCodes: readonly string[];
  /** Kinds of network evidence, e.g. `hash-match`. */
  networkKinds: readonly string[];
  referralSuggested: boolean;
}

export interface AutomaticRemovalPolicy {
  hashMatch: boolean;
  statedMinor: boolean;
}

export interface AutomaticRemoval {
  basis: 'hash-match' | 'stated-minor';
  category: AbuseCategory;
  explanation: string;
}

/**
 * Whether a flag is removed without waiting for a person (a human reviews it afterwards):
 * only a known-image hash match or an explicitly stated age under 18, each switchable.
 */
export function automaticRemovalFor(flag: FlagAssessment, policy: AutomaticRemovalPolicy): AutomaticRemoval | null {
  if (policy.statedMinor && flag.indicatorCodes.includes('stated-minor')) {
    return {
      basis: 'stated-minor',
      category: 'minors',
      explanation: "L'annonce indique un âge inférieur à 18 ans (détection automatisée, revue humaine à suivre).",
    };
  }
  if (policy.hashMatch && flag.networkKinds.includes('hash-match')) {
    return {
      basis: 'hash-match',
      category: 'minors',
      explanation: "Une image de l'annonce correspond à une liste d'empreintes d'images illicites connues (détection automatisée, revue humaine à suivre).",
    };
  }
  return null;
}

/** The category a case opened by a flag is filed under until a person says otherwise. */
export function flagCategory(flag: FlagAssessment): AbuseCategory {
  if (flag.indicatorCodes.includes('stated-minor') || flag.networkKinds.includes('hash-match')) return 'minors';
  if (flag.referralSuggested) return 'minors';
  if (flag.networkKinds.includes('shared-contact') || flag.networkKinds.includes('template-cluster')) return 'human-trafficking';
  return 'pimping';
}
