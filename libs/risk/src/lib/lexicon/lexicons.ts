import type { Confidence, IndicatorCode } from '../catalogue';

/**
 * French and English phrase lexicons. Patterns use the {@link PatternTrie} syntax and are
 * normalised like ad text, so accents, case, leetspeak, look-alikes and separators need no
 * variants here. Confidence says how sure one match is:
 * - strong: the phrase has little other use in a classified ad;
 * - medium: usually means it, but has innocent uses that negative patterns catch;
 * - weak: a hint only.
 */

export interface LexiconEntry {
  readonly pattern: string;
  readonly indicator: IndicatorCode;
  readonly confidence: Confidence;
}

/**
 * A pattern showing a match is something innocent. `overlap` cancels the positive matches it
 * covers ("jeune diplômée" is not youth language); `ad` is a context that cancels matches up to
 * `maxConfidence` anywhere in the ad (a licensed physiotherapist's "massage").
 */
export interface NegativePattern {
  readonly pattern: string;
  readonly context: string;
  readonly scope: 'overlap' | 'ad';
  readonly suppresses: readonly IndicatorCode[];
  readonly maxConfidence: Confidence;
}

const entries = (indicator: IndicatorCode, confidence: Confidence, patterns: readonly string[]): LexiconEntry[] =>
  patterns.map((pattern) => ({ pattern, indicator, confidence }));

export const LEXICON: readonly LexiconEntry[] = [
  // Youth language: the strongest textual cue after a stated age.
  ...entries('youth-language', 'strong', [
    'jeune(s) fille(s)', 'jeunette(s)', 'petite jeune', 'toute jeune', 'tres jeune', 'première fois',
    'ma première fois', 'tout juste majeure', 'juste majeure', 'à peine majeure', 'tout juste 18 ans',
    'lycéenne(s)', 'collégienne(s)', 'ado(s)', 'inexpérimentée', 'innocente',
    'young girl(s)', 'very young', 'first time', 'my first time', 'just turned 18', 'barely legal',
    'barely 18', 'teen(s)', 'teenager', 'schoolgirl', 'baby face', 'babyface', 'inexperienced', 'fresh girl(s)',
  ]),
  ...entries('youth-language', 'medium', [
    'jeune(s)', 'petite(s)', 'débutante', 'nouvelle dans le milieu', 'étudiante(s)', 'fraîche',
    'young', 'fresh', 'student', 'new to this', 'tiny', '💗', '🍒', '🎀', '🧸',
  ]),
  // "Trustworthy" claims: reassurance that the person in the pictures is the one who comes.
  ...entries('trust-claims', 'strong', [
    '100% réelle(s)', '100 % réelle(s)', 'photo(s) 100% réelle(s)', 'vraies photos', 'photo(s) non truquée(s)',
    'sans arnaque', 'pas de fake', 'pas une arnaque', '100% real', 'real pics', 'no fake(s)',
    'not fake', 'pics are real', 'photos are real', 'verified photos', '100% moi', '100% me',
  ]),
  ...entries('trust-claims', 'medium', ['photo(s) réelle(s)', 'photo(s) authentique(s)', 'real photos', 'authentic photos', 'genuine photos', 'c\'est bien moi', 'it\'s really me']),
  // Ethnicity or nationality put forward as a selling point. Monitor for bias.
  ...entries('ethnicity-emphasis', 'medium', [
    'asiatique(s)', 'africaine(s)', 'black', 'métisse(s)', 'latina(s)', 'latine(s)', 'brésilienne(s)',
    'colombienne(s)', 'vénézuélienne(s)', 'dominicaine(s)', 'russe(s)', 'ukrainienne(s)', 'roumaine(s)',
    'bulgare(s)', 'hongroise(s)', 'thaïlandaise(s)', 'thaï', 'chinoise(s)', 'japonaise(s)', 'coréenne(s)',
    'vietnamienne(s)', 'philippine(s)', 'nigériane(s)', 'ivoirienne(s)', 'camerounaise(s)', 'exotique(s)',
    'asian', 'african', 'ebony', 'latin girl', 'brazilian', 'colombian', 'russian', 'ukrainian',
    'romanian', 'thai', 'chinese', 'japanese', 'korean', 'filipina', 'nigerian', 'exotic', 'oriental(e)',
  ]),
  // Third-party control: someone else speaks for, books or moves the person.
  ...entries('third-party-control', 'strong', [
    'nos hôtesses', 'nos filles', 'nos masseuses', 'nos demoiselles', 'nos modèles', 'plusieurs filles',
    'nouvelles filles', 'filles disponibles', 'choix de filles', 'nouvelle fille chaque semaine',
    'our girls', 'our ladies', 'our models', 'new girls', 'girls available', 'several girls',
    'choice of girls', 'new girl every week',
  ]),
  ...entries('third-party-control', 'medium', ['agence', 'notre agence', 'agency', 'our agency', 'manager', 'booking']),
  ...entries('third-party-control', 'weak', ['nous', 'we', 'contactez-nous', 'contact us']),
  // Movement and touring. Less likely to be trafficking in the controlled study: weak, capped.
  ...entries('movement', 'strong', [
    'de passage', 'nouvelle en ville', 'nouvelle à', 'nouvelle sur', 'juste arrivée', 'tout juste arrivée',
    'quelques jours seulement', 'seulement quelques jours', 'en tournée', 'de retour à', 'de retour sur',
    'première fois à', 'première fois en', 'new in town', 'just arrived', 'only a few days',
    'for a few days only', 'few days only', 'on tour', 'visiting', 'back in town', 'first time in',
  ]),
  // Pricing codes: money named as something else.
  ...entries('pricing-codes', 'medium', ['roses', '🌹', 'cadeau(x)', 'petit cadeau', 'donation(s)', 'gift(s)', 'dons', 'roses/h']),
  // Euphemisms for the service itself.
  ...entries('euphemisms', 'medium', [
    'massage(s)', 'massage relaxant', 'massage naturiste', 'massage tantrique', 'body-body', 'body body',
    'body to body', 'body 2 body', 'relaxation', 'détente', 'moment de détente', 'moment agréable',
    'moment de complicité', 'complicité', 'gfe', 'girlfriend experience', 'sensual massage', 'tantric',
    'relaxing massage', 'full service',
  ]),
  // Incall / hotel.
  ...entries('incall-hotel', 'medium', [
    'incall', 'outcall', 'hôtel', 'hotel', 'je reçois', 'reçois', 'appartement privé', 'appart privé',
    'je me déplace', 'déplacement(s)', 'à votre hôtel', 'discrète', 'discret', 'discrétion assurée',
    'your hotel', 'private apartment', 'private flat', 'discreet', 'discretion assured', 'i receive',
  ]),
];

/**
 * Contexts that say the ad is something ordinary that happens to share words with escort ads.
 * They cancel matches up to medium confidence only, so sprinkling "restaurant" over an ad does
 * not hide its strong cues; in tutoring and childcare ads youth words are the subject itself.
 */
const LICENSED_THERAPY = [
  'kinésithérapeute', 'kiné', 'kinésithérapie', 'masseur-kinésithérapeute', 'physiothérapeute',
  'ostéopathe', 'ostéopathie', 'diplômé(e) d\'état', 'diplôme d\'état', 'remboursé(e) par la mutuelle',
  'mutuelle(s)', 'sur ordonnance', 'siret', 'certifiée', 'certifié', 'massage sportif', 'réflexologie',
  'physiotherapy', 'physiotherapist', 'physio', 'licensed', 'registered massage therapist', 'rmt',
  'sports massage', 'certified', 'insurance receipts', 'health insurance',
];
const BUSINESS = [
  'restaurant', 'boutique', 'magasin', 'épicerie', 'boulangerie', 'pâtisserie', 'brasserie', 'pizzeria',
  'traiteur', 'fleuriste', 'salon de thé', 'menu', 'ouverture', 'horaires', 'livraison', 'commerce',
  'inauguration', 'à emporter', 'shop', 'store', 'bakery', 'café', 'cafe', 'opening', 'grand opening',
  'opening hours', 'delivery', 'takeaway', 'florist', 'bistro', 'food truck', 'dishes', 'cuisine',
];
const JOB = [
  'recrute', 'recrutons', 'recrutement', 'cdi', 'cdd', 'offre d\'emploi', 'candidature', 'postuler', 'salaire',
  'cv', 'temps plein', 'temps partiel', 'intérim', 'poste à pourvoir', 'hiring', 'we are hiring', 'job offer',
  'apply', 'salary', 'resume', 'full-time', 'part-time', 'vacancy', 'position available',
];
const HOUSING = [
  'à louer', 'loyer', 'colocation', 'bail', 'charges comprises', 'dépôt de garantie', 'meublé',
  'm2', 'm²', 'chambre à louer', 'agence immobilière', 'for rent', 'monthly rent', 'lease',
  'bedroom', 'flatshare', 'furnished', 'utilities included', 'real estate',
];

const CHILDCARE_EDUCATION = [
  'soutien scolaire', 'cours particuliers', 'cours de', 'aide aux devoirs', 'garde d\'enfants', 'baby-sitting',
  'babysitting', 'baby-sitter', 'nounou', 'assistante maternelle', 'périscolaire', 'colonie de vacances',
  'tutoring', 'tutor', 'homework help', 'lessons', 'nanny', 'childcare', 'after-school', 'summer camp',
];

const context = (
  name: string,
  patterns: readonly string[],
  suppresses: readonly IndicatorCode[],
): NegativePattern[] => patterns.map((pattern) => ({ pattern, context: name, scope: 'ad', suppresses, maxConfidence: 'medium' }));

const overlap = (name: string, suppresses: IndicatorCode, patterns: readonly string[]): NegativePattern[] =>
  patterns.map((pattern) => ({ pattern, context: name, scope: 'overlap', suppresses: [suppresses], maxConfidence: 'strong' }));

export const NEGATIVE_PATTERNS: readonly NegativePattern[] = [
  ...context('licensed-therapy', LICENSED_THERAPY, ['euphemisms', 'incall-hotel', 'youth-language']),
  ...context('business', BUSINESS, ['movement', 'pricing-codes', 'ethnicity-emphasis', 'third-party-control', 'incall-hotel', 'youth-language']),
  ...context('job-offer', JOB, ['third-party-control', 'youth-language', 'movement', 'euphemisms', 'incall-hotel']),
  ...context('childcare-education', CHILDCARE_EDUCATION, ['youth-language']).map((negative) => ({ ...negative, maxConfidence: 'strong' as const })),
  ...context('housing', HOUSING, ['incall-hotel', 'trust-claims', 'youth-language', 'third-party-control', 'movement']),
  ...overlap('ordinary-youth-phrase', 'youth-language', [
    'jeune entreprise', 'jeune(s) diplômé(e)(s)', 'jeune équipe', 'jeune couple', 'jeunes parents', 'jeune public',
    'jeunes enfants', 'jeune chiot', 'jeune chat', 'petite annonce(s)', 'petite(s) annonce(s)', 'petite enfance',
    'petite section', 'petite maison', 'petite cuisine', 'petite terrasse', 'petite surface', 'petite ville',
    'petite pièce', 'petite voiture', 'petite entreprise', 'petite restauration', 'young team', 'young professional(s)',
    'young company', 'young family', 'young couple', 'young children', 'fresh produce', 'fresh food', 'fresh fish',
    'fresh bread', 'fresh start', 'fresh paint', 'fresh coffee', 'fresh flowers', 'student housing', 'student room',
    'étudiante en', 'première fois à', 'première fois en', 'first time in', 'first time at', 'first time buyer(s)',
  ]),
  ...overlap('ordinary-hotel-phrase', 'incall-hotel', ['hôtel de ville', 'hôtel-restaurant', 'hotel management', 'hôtellerie']),
  ...overlap('ordinary-massage-phrase', 'euphemisms', ['massage cardiaque', 'fauteuil massant', 'massage chair', 'baby massage']),
  ...overlap('ordinary-agency-phrase', 'third-party-control', ['agence immobilière', 'agence de voyage(s)', 'travel agency', 'estate agency', 'agence d\'intérim']),
  ...overlap('ordinary-origin-phrase', 'ethnicity-emphasis', ['cuisine asiatique', 'épicerie asiatique', 'salade russe', 'montagnes russes', 'thai food', 'chinese food', 'black friday', 'massage thaï traditionnel', 'traditional thai massage']),
];

/**
 * Common first names used as personas in ads. Two or more distinct names in one ad suggest one
 * poster speaking for several people (third-party control). Names that are also ordinary words
 * ("Rose", "Ambre", "Candy") are left out.
 */
export const PERSONA_NAMES: readonly string[] = [
  'léa', 'julie', 'nina', 'sarah', 'laura', 'camille', 'manon', 'inès', 'chloé', 'emma', 'jessica',
  'kelly', 'cindy', 'anna', 'sofia', 'sophia', 'lola', 'maya', 'nadia', 'natasha', 'olga', 'tanya',
  'yuki', 'mei', 'lina', 'sonia', 'eva', 'mia', 'clara', 'alicia', 'bianca', 'carla', 'diana', 'elena',
  'fiona', 'gina', 'irina', 'jasmine', 'karina', 'lana', 'linda', 'lisa', 'lucia', 'marina', 'melissa',
  'monica', 'nora', 'paula', 'rita', 'sabrina', 'samantha', 'sandra', 'selena', 'tina', 'valentina',
  'vanessa', 'victoria', 'yasmine', 'zoé', 'ashley', 'amy', 'brittany', 'chelsea', 'emily', 'hannah',
  'kim', 'lily', 'mandy', 'nikki', 'stacy', 'tiffany', 'anastasia', 'svetlana', 'oksana', 'daria',
  'ioana', 'andreea', 'mihaela', 'ling', 'linh', 'suki', 'naomi', 'aïcha', 'fatou', 'mariana',
  'gabriela', 'daniela', 'isabela', 'océane', 'lucie', 'pauline', 'marie', 'charlotte', 'margaux',
];
