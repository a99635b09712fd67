import type { Confidence, IndicatorCode, IndicatorDefinition, RiskBand } from './catalogue';
import { LEXICON, NEGATIVE_PATTERNS, PERSONA_NAMES, type LexiconEntry, type NegativePattern } from './lexicon/lexicons';

/**
 * The versioned ruleset. Every assessment carries its version, so a score can always be traced
 * to the rules that produced it; change the version whenever anything here changes.
 */
export const RULESET_VERSION = 'risk-2026.11.3';

/** A band ceiling applied when only some indicators are present. */
export interface CapRule {
  readonly id: string;
  /** Applies when every indicator present is one of these… */
  readonly onlyIndicators: readonly IndicatorCode[];
  readonly maxBand: RiskBand;
  readonly reason: string;
}

export interface Ruleset {
  readonly version: string;
  readonly indicators: Readonly<Record<IndicatorCode, IndicatorDefinition>>;
  /** Lowest score of each band above `low`. */
  readonly bandThresholds: Readonly<{ medium: number; high: number; critical: number }>;
  /** Share of an indicator's weight one match earns at each confidence. */
  readonly confidenceFactors: Readonly<Record<Confidence, number>>;
  readonly caps: readonly CapRule[];
  readonly lexicon: readonly LexiconEntry[];
  readonly negativePatterns: readonly NegativePattern[];
  readonly personaNames: readonly string[];
  /** Distinct persona names from which an ad reads as written for several people. */
  readonly severalNames: Readonly<{ medium: number; strong: number }>;
  /** Stated ages outside these bounds are not taken as someone's age. */
  readonly plausibleAge: Readonly<{ min: number; max: number }>;
  /** Age of majority: a stated age below it is a stated minor. */
  readonly ageOfMajority: number;
  /**
   * Contact reuse and template clusters only count for ads that offer a service themselves
   * (one of these indicators): shops, clinics and agencies legitimately reuse one number and
   * one text everywhere, and a stray "jeune" must not turn that into an organisation signal.
   */
  readonly networkNeedsOneOf: readonly IndicatorCode[];
  /** PDQ hashes of lower quality are unreliable: their matches are ignored. */
  readonly minImageQuality: number;
}

const WEAK_INDICATORS: readonly IndicatorCode[] = ['movement', 'pricing-codes', 'euphemisms', 'incall-hotel'];

const definitions: readonly IndicatorDefinition[] = [
  {
    code: 'stated-minor',
    tier: 'critical',
    weight: 0.95,
    bandFloor: 'critical',
    art18Referral: true,
    label: 'stated age under 18',
  },
  { code: 'youth-language', tier: 'strong', weight: 0.4, label: 'youth language' },
  { code: 'obscured-contact', tier: 'strong', weight: 0.35, label: 'contact details obscured to evade filters' },
  { code: 'trust-claims', tier: 'strong', weight: 0.35, label: '"trustworthy" claims about the photos or person' },
  {
    code: 'ethnicity-emphasis',
    tier: 'strong',
    weight: 0.3,
    label: 'ethnicity or nationality emphasised',
    caution: 'monitor for bias: this indicator names a group of people and must not drive decisions alone',
  },
  { code: 'third-party-control', tier: 'strong', weight: 0.4, label: 'third-party control (agency, "we", several names)' },
  { code: 'movement', tier: 'weak', weight: 0.05, label: 'movement or touring language' },
  { code: 'pricing-codes', tier: 'weak', weight: 0.12, label: 'coded pricing ("roses", "cadeau")' },
  { code: 'euphemisms', tier: 'weak', weight: 0.12, label: 'euphemisms for the service' },
  { code: 'incall-hotel', tier: 'weak', weight: 0.12, label: 'incall or hotel' },
  { code: 'contact-reuse', tier: 'strong', weight: 0.5, label: 'one contact across several names or cities within days' },
  { code: 'template-cluster', tier: 'strong', weight: 0.35, label: 'near-duplicate text posted with several contacts' },
  {
    code: 'known-image-hash',
    tier: 'critical',
    weight: 0.99,
    bandFloor: 'critical',
    label: 'image matches a hash list supplied by an authority',
  },
];

export const DEFAULT_RULESET: Ruleset = {
  version: RULESET_VERSION,
  indicators: Object.fromEntries(definitions.map((d) => [d.code, d])) as Record<IndicatorCode, IndicatorDefinition>,
  bandThresholds: { medium: 0.2, high: 0.6, critical: 0.95 },
  confidenceFactors: { strong: 1, medium: 0.7, weak: 0.45 },
  caps: [
    {
      id: 'weak-evidence-only',
      onlyIndicators: WEAK_INDICATORS,
      maxBand: 'medium',
      reason:
        'only weak indicators: movement language was less likely to be trafficking in the controlled study, so movement and other weak cues alone never exceed medium',
    },
  ],
  lexicon: LEXICON,
  negativePatterns: NEGATIVE_PATTERNS,
  personaNames: PERSONA_NAMES,
  severalNames: { medium: 2, strong: 3 },
  plausibleAge: { min: 10, max: 80 },
  ageOfMajority: 18,
  networkNeedsOneOf: ['stated-minor', 'euphemisms', 'incall-hotel', 'pricing-codes', 'trust-claims', 'third-party-control', 'obscured-contact'],
  minImageQuality: 50,
};

export const BAND_ORDER: Readonly<Record<RiskBand, number>> = { low: 0, medium: 1, high: 2, critical: 3 };
