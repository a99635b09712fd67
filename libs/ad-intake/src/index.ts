export { CONTENT_FIELDS, canonicalJson, changedFields, normaliseAd } from './lib/ad-normalisation';
export type { ContentField, NormalisedAd } from './lib/ad-normalisation';
export { normaliseEmail, normaliseHandle, normalisePhone } from './lib/contact-normalisation';
export { prepareSubmittedAd } from './lib/submitted-ad-preparation';
export type { PreparedAd } from './lib/submitted-ad-preparation';
export { checkSubmittedAd } from './lib/submitted-ad-validation';
export type { ClaimLimits, FieldProblem, SubmittedAdCheck } from './lib/submitted-ad-validation';
export { normaliseText } from './lib/text-normalisation';
