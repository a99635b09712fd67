import { flagCategory } from '@vigie/case-rules';
import { assessAd, type RiskBand } from '@vigie/risk';
import { Random } from '../eval/prng';

/**
 * The fault tests' scenario: a deterministic ad stream (fixed seed) and what happens to each ad.
 *
 * Most ads are ordinary classifieds. A small share carries trafficking cues strong enough for
 * scoring to flag them (`high`/`critical`), which opens a case; another ~1 % gets a notice from
 * a trusted flagger or the public. Every case is then decided by the moderator bot, `remove` or
 * `no-action`, as drawn here. The expected band of every ad comes from the risk engine itself,
 * on the ad's text alone.
 *
 * Why no network signals: one contact across names or cities, or near-duplicate templates, make
 * an ad's score depend on which other ads scoring saw before it, i.e. on the interleaving of
 * partitions, which faults legitimately change (`ad.rescored` then differs from run to run, and
 * so would the cases flags open). Every ad here has its own phone number and text drawn word by
 * word from a large vocabulary, so each ad is scored exactly once, on its own, and the set of
 * cases is the same in every run: runs with and without faults can be compared figure by figure.
 */

export type NoticeSource = 'trusted-flagger' | 'public';
export type CaseDecision = 'remove' | 'no-action';

export interface ScenarioAd {
  readonly index: number;
  readonly adId: string;
  readonly title: string;
  readonly body: string;
  readonly city: string;
  /** The risk engine's band for this text (scoring must publish exactly this). */
  readonly band: RiskBand;
  /** Scoring flags it (`high` or `critical`): a case is opened without any notice. */
  readonly flagged: boolean;
  readonly notice: { readonly source: NoticeSource; readonly category: 'pimping' | 'human-trafficking' } | null;
  /** What the moderator bot decides on the ad's case; null when the ad has no case. */
  readonly decision: CaseDecision | null;
  /** The case's category: the notice's, or the one notice-and-takedown gives the flag; null without a case. */
  readonly caseCategory: string | null;
}

export interface Scenario {
  readonly seed: number;
  readonly ads: readonly ScenarioAd[];
  readonly byAdId: ReadonlyMap<string, ScenarioAd>;
  readonly expected: {
    readonly ads: number;
    readonly cases: number;
    readonly flagged: number;
    readonly notices: number;
    readonly noticesBySource: Readonly<Record<NoticeSource, number>>;
    readonly removals: number;
    readonly noActions: number;
    readonly bands: Readonly<Record<RiskBand, number>>;
  };
}

export interface ScenarioOptions {
  readonly seed: number;
  readonly ads: number;
  /** Share of ads that get a notice. */
  readonly noticeShare?: number;
  /** Share of ads written with trafficking cues (most of them end up flagged). */
  readonly cueShare?: number;
}

export const DEFAULT_SEED = 20_261_123;

const CITIES = ['Paris', 'Lyon', 'Marseille', 'Toulouse', 'Nice', 'Nantes', 'Strasbourg', 'Montpellier', 'Bordeaux', 'Lille', 'Rennes', 'Reims', 'Dijon', 'Angers', 'Grenoble', 'Brest', 'Tours', 'Limoges', 'Amiens', 'Metz'];

// Everyday classified-ad words (objects, qualities, places): no names, no cues.
const WORDS = (
  'vélo table chaise canapé armoire commode bureau lampe miroir tapis étagère buffet lit matelas sommier poussette jouet livre ' +
  'disque guitare piano violon ordinateur écran clavier souris imprimante téléphone tablette console manette casque enceinte ' +
  'télévision radio réfrigérateur congélateur four micro-ondes lave-linge sèche-linge aspirateur cafetière bouilloire grille-pain ' +
  'poêle casserole assiette verre tasse couverts nappe rideau coussin couette drap serviette parasol barbecue tondeuse ' +
  'perceuse scie marteau tournevis échelle brouette arrosoir tuyau pot jardinière plante arbuste rosier graines terreau ' +
  'voiture moto scooter trottinette remorque pneu jante batterie autoradio siège galerie coffre porte-vélo casque gants ' +
  'manteau veste pull chemise pantalon jupe robe chaussures bottes baskets sac valise montre bracelet collier lunettes ' +
  'appartement maison studio garage parking cave grenier terrasse balcon jardin cuisine salon chambre salle bain ' +
  'neuf occasion excellent bon état propre complet garanti révisé entretenu récent ancien moderne solide léger pratique ' +
  'rouge bleu vert noir blanc gris beige marron jaune orange violet clair foncé bois métal verre cuir coton laine ' +
  'grand petit large long court haut bas lourd compact pliable réglable démontable électrique manuel automatique ' +
  'vends donne échange cherche propose loue achète urgent négociable ferme prix raisonnable livraison possible retrait ' +
  'centre quartier gare marché école mairie bibliothèque piscine stade parc rue avenue boulevard place pont port ' +
  'lundi mardi mercredi jeudi vendredi samedi dimanche matin soir semaine mois année saison printemps été automne hiver ' +
  'cours leçon soutien maths anglais français histoire physique chimie musique dessin cuisine couture tricot jardinage ' +
  'déménagement transport montage réparation peinture plomberie électricité menuiserie carrelage ménage repassage garde ' +
  'collection timbres pièces cartes figurines maquettes trains voitures miniatures bandes dessinées vinyles affiches ' +
  'randonnée camping pêche chasse ski surf tennis football basket rugby natation course yoga danse théâtre cinéma'
).split(/\s+/);

// Cue phrases, one per indicator family; an ad with cues draws a few of them.
const CUES = [
  'nos hôtesses vous reçoivent',
  'agence sérieuse et discrète',
  'photos 100% réelles',
  'photos réelles garanties',
  'jeune et petite',
  'première fois en ville',
  'cadeau uniquement, roses acceptées',
  'reçoit à l’hôtel',
  'massage body-body',
  'nouvelle en ville ce week-end',
  'nos filles disponibles jour et nuit',
  'zéro six, appelez vite',
];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A valid French mobile number unique to the ad (07 + 8 digits from its index). */
function phoneOf(index: number): string {
  const digits = pad(index + 10_000_000, 8);
  return `07 ${digits.slice(0, 2)} ${digits.slice(2, 4)} ${digits.slice(4, 6)} ${digits.slice(6, 8)}`;
}

function words(random: Random, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(random.pick(WORDS));
  return out.join(' ');
}

export function generateScenario(options: ScenarioOptions): Scenario {
  const random = new Random(options.seed);
  const noticeShare = options.noticeShare ?? 0.01;
  const cueShare = options.cueShare ?? 0.006;
  const ads: ScenarioAd[] = [];
  const bands: Record<RiskBand, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  const noticesBySource: Record<NoticeSource, number> = { 'trusted-flagger': 0, public: 0 };
  let flaggedCount = 0;
  let cases = 0;
  let removals = 0;
  let noActions = 0;
  for (let index = 0; index < options.ads; index++) {
    const adId = `ft-${pad(index, 7)}`;
    const city = random.pick(CITIES);
    const withCues = random.chance(cueShare);
    const title = `${words(random, 3)} ${withCues ? random.pick(CUES) : words(random, 2)}`;
    const parts = [words(random, 10 + random.int(0, 10))];
    if (withCues) for (const cue of random.sample(CUES, 3 + random.int(0, 2))) parts.push(cue, words(random, 2 + random.int(0, 4)));
    parts.push(`à ${city}. Tél ${phoneOf(index)}`);
    const body = parts.join(', ');
    const assessment = assessAd({ title, body, country: 'FR', city, language: 'fr' }, { referenceDate: '2026-11-23T00:00:00.000Z' });
    const automaticRemoval = assessment.indicators.some((indicator) => indicator.code === 'stated-minor');
    if (automaticRemoval) throw new Error(`scenario ad ${adId} states a minor's age: the generator must never write one`);
    const flagged = assessment.band === 'high' || assessment.band === 'critical';
    // Notices go to ads scoring does not flag, so a case is opened by exactly one kind of fact
    // and does not depend on whether the flag or the notice arrives first.
    const noticed = !flagged && random.chance(noticeShare);
    const notice = noticed
      ? {
          source: (random.chance(0.8) ? 'trusted-flagger' : 'public') as NoticeSource,
          category: (random.chance(0.5) ? 'pimping' : 'human-trafficking') as 'pimping' | 'human-trafficking',
        }
      : null;
    const decision: CaseDecision | null = flagged || noticed ? (random.chance(flagged ? 0.8 : 0.7) ? 'remove' : 'no-action') : null;
    const caseCategory = notice
      ? notice.category
      : flagged
        ? flagCategory({ band: assessment.band, score: assessment.score, indicatorCodes: assessment.indicators.map((indicator) => indicator.code), networkKinds: [], referralSuggested: assessment.art18Referral })
        : null;
    bands[assessment.band] += 1;
    if (flagged) flaggedCount += 1;
    if (notice) noticesBySource[notice.source] += 1;
    if (decision) {
      cases += 1;
      if (decision === 'remove') removals += 1;
      else noActions += 1;
    }
    ads.push({ index, adId, title, body, city, band: assessment.band, flagged, notice, decision, caseCategory });
  }
  return {
    seed: options.seed,
    ads,
    byAdId: new Map(ads.map((ad) => [ad.adId, ad])),
    expected: {
      ads: ads.length,
      cases,
      flagged: flaggedCount,
      notices: noticesBySource['trusted-flagger'] + noticesBySource.public,
      noticesBySource,
      removals,
      noActions,
      bands,
    },
  };
}
