export {
  assessAd,
  explain,
  type AdField,
  type AdImage,
  type AdText,
  type AgeFinding,
  type AgeStatementFound,
  type AssessedIndicator,
  type AssessmentContext,
  type ContactReuseEvidence,
  type EvidenceSpan,
  type ExtractedContact,
  type KnownImageHashEvidence,
  type NetworkEvidence,
  type RiskAssessment,
  type Suppression,
  type TemplateClusterEvidence,
} from './lib/assess';
export { extractAges, type AgeBasis, type AgeBounds, type AgeStatement } from './lib/age';
export {
  INDICATOR_CODES,
  RISK_BANDS,
  TEXT_INDICATOR_CODES,
  type Confidence,
  type IndicatorCode,
  type IndicatorDefinition,
  type IndicatorTier,
  type NetworkIndicatorCode,
  type RiskBand,
} from './lib/catalogue';
export {
  DEFAULT_PHONE_REGION,
  extractContacts,
  phoneRegionOf,
  type ContactKind,
  type ContactMatch,
  type ObfuscationMethod,
} from './lib/contacts';
export { compileLexicon, matchLexicon, type CompiledLexicon, type LexiconMatch, type PatternMeaning } from './lib/lexicon/compiled-lexicon';
export { LEXICON, NEGATIVE_PATTERNS, PERSONA_NAMES, type LexiconEntry, type NegativePattern } from './lib/lexicon/lexicons';
export { validPhoneNumber } from './lib/phone-numbers';
export { BAND_ORDER, DEFAULT_RULESET, RULESET_VERSION, type CapRule, type Ruleset } from './lib/ruleset';
export {
  AMBIGUOUS_I_OR_L,
  CHAR_AFTER_HIDDEN,
  CHAR_DISGUISED,
  CHAR_JOINED,
  CHAR_KEYCAP,
  CHAR_SPELLED,
  normalise,
  NormalisedText,
} from './lib/text/normalise';
export {
  ContactGraph,
  type ContactGraphOptions,
  type ContactObservation,
  type ContactSignal,
} from './lib/network/contact-graph';
export { combine32, fmix32, fnv1a } from './lib/network/hash32';
export { estimateJaccard, exactJaccard, MinHasher, wordShingles } from './lib/network/minhash';
export { hammingDistance256, parsePdqHex, PdqIndex, popcount32, type PdqIndexOptions, type PdqMatch } from './lib/network/pdq-index';
export {
  TemplateIndex,
  type TemplateAd,
  type TemplateIndexOptions,
  type TemplateMatch,
  type TemplateNeighbour,
} from './lib/network/template-index';
