/**
 * The indicator catalogue: what each indicator means, how strongly the published evidence ties
 * it to trafficking, and its weight in the score.
 *
 * Evidence (see DESIGN.md, "Scoring"): a controlled US study of 1,263 ads with known outcomes,
 * InfoShield (template clusters) and Memex/DIG. Stated minors, youth language, obscured contact
 * details, "trustworthy" claims, ethnicity emphasis and third-party control were associated with
 * trafficking; movement language was *less* likely to be, so it stays weak and capped; network
 * signals (one contact across names or cities, templates across contacts, known image hashes)
 * are the strongest.
 */

export const RISK_BANDS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskBand = (typeof RISK_BANDS)[number];

export const INDICATOR_CODES = [
  'stated-minor',
  'youth-language',
  'obscured-contact',
  'trust-claims',
  'ethnicity-emphasis',
  'third-party-control',
  'movement',
  'pricing-codes',
  'euphemisms',
  'incall-hotel',
  'contact-reuse',
  'template-cluster',
  'known-image-hash',
] as const;
export type IndicatorCode = (typeof INDICATOR_CODES)[number];

/** Indicators found in the ad's own text (as opposed to network evidence). */
export const TEXT_INDICATOR_CODES = [
  'stated-minor',
  'youth-language',
  'obscured-contact',
  'trust-claims',
  'ethnicity-emphasis',
  'third-party-control',
  'movement',
  'pricing-codes',
  'euphemisms',
  'incall-hotel',
] as const satisfies readonly IndicatorCode[];

export type NetworkIndicatorCode = 'contact-reuse' | 'template-cluster' | 'known-image-hash';

/** Evidence tier from the literature: how much one occurrence says about trafficking. */
export type IndicatorTier = 'critical' | 'strong' | 'weak';

/** How sure a single match is that it means what the indicator says (lexicon confidence). */
export type Confidence = 'strong' | 'medium' | 'weak';

export interface IndicatorDefinition {
  readonly code: IndicatorCode;
  readonly tier: IndicatorTier;
  /** Contribution at full confidence, combined across indicators by noisy-OR. */
  readonly weight: number;
  /** The band is at least this whatever the score (a stated minor is always critical). */
  readonly bandFloor?: RiskBand;
  /** Evidence of a minor: DSA Art. 18 referral to the police. */
  readonly art18Referral?: boolean;
  /** Shown with the indicator so reviewers watch it for bias against a group. */
  readonly caution?: string;
  readonly label: string;
}
