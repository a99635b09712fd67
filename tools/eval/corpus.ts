import type { IndicatorCode, RiskBand } from '@vigie/risk';
import { isValidPhoneNumber, type CountryCode } from 'libphonenumber-js/max';
import { Random } from './prng';
import {
  ADULT_AGES,
  AVAILABILITY,
  CALL_TO_ACTION,
  CITIES,
  COUNTRY,
  DESCRIPTIONS,
  ETHNICITY,
  FR_PAIRS,
  FR_TENS,
  GREETINGS,
  INCALL,
  MINOR_AGES,
  MOVEMENT,
  NAMES,
  NUMBER_WORDS,
  PRICING,
  RULES,
  SERVICES,
  THIRD_PARTY,
  TRUST,
  YOUTH,
  type Language,
  type Pools,
} from './vocabulary';

/**
 * A synthetic, labelled, non-explicit corpus of classified ads. No labelled escort-ad data
 * set is public, so ads are generated from template families with slots, each scenario
 * deciding which cues go into the slots, and the labels say what was put in:
 * - `minor`: a stated age under 18 (truth: critical);
 * - `ring`: one organisation posting the same template under several names and cities, with
 *   shared phone numbers and several strong cues (truth: high);
 * - `organised`: a single ad with at least two strong cues (truth: high);
 * - `single-strong`: one strong cue among weak ones (truth: medium);
 * - `independent`, `touring`: weak cues only, touring with movement language (truth: medium);
 * - `benign`: licensed therapists, shop and restaurant openings, job, housing and tutoring ads
 *   that share words with escort ads (truth: low).
 * Template families are split between training and held-out, so the held-out templates are
 * never looked at while the lexicons and weights are tuned.
 */

export type Scenario = 'minor' | 'ring' | 'organised' | 'single-strong' | 'independent' | 'touring' | 'benign';
export type Split = 'train' | 'held-out';

export interface SyntheticAd {
  readonly title: string;
  readonly body: string;
  readonly country: string;
  readonly city: string;
  readonly language: Language;
}

export interface LabelledAd {
  readonly id: string;
  readonly family: string;
  readonly split: Split;
  readonly scenario: Scenario;
  readonly ad: SyntheticAd;
  /** Business time the ad was posted (epoch ms). */
  readonly postedAt: number;
  readonly truthBand: RiskBand;
  /** Indicators the generator put in (network ones when the stream will show them). */
  readonly indicators: readonly IndicatorCode[];
  /** Movement language with no strong cue: must never score above medium. */
  readonly movementOnly: boolean;
  readonly ringId?: string;
}

const DAY = 86_400_000;
const START = Date.parse('2026-09-01T08:00:00.000Z');

/** Slots an escort-style template can show; empty strings are left out. */
interface Slots {
  name: string;
  city: string;
  age: string;
  youth: string;
  ethnicity: string;
  trust: string;
  thirdParty: string;
  movement: string;
  service: string;
  pricing: string;
  incall: string;
  description: string;
  availability: string;
  rules: string;
  greeting: string;
  contact: string;
}

type EscortTemplate = (s: Slots, r: Random, language: Language) => { title: string; body: string };

const sentence = (...parts: string[]): string => parts.filter((p) => p.length > 0).map((p) => (/[.!?]$/.test(p) ? p : `${p}.`)).join(' ');

/** Escort-style template families: one voice each, any scenario's cues in the slots. */
const ESCORT_FAMILIES: Readonly<Record<string, { language: Language; split: Split; render: EscortTemplate }>> = {
  'fr-classique': {
    language: 'fr',
    split: 'train',
    render: (s) => ({
      title: [s.name, s.movement || s.youth || s.city].filter(Boolean).join(' - '),
      body: sentence(`${s.greeting}, je m’appelle ${s.name}${s.age ? `, ${s.age}` : ''}`, s.youth, s.ethnicity ? `Je suis une ${s.ethnicity}, ${s.description}` : `Je suis ${s.description}`, s.movement, s.thirdParty, s.service, s.pricing, s.incall, s.trust, s.availability, s.rules, s.contact),
    }),
  },
  'fr-courte': {
    language: 'fr',
    split: 'held-out',
    render: (s) => ({
      title: `${s.name} ${s.city}`,
      body: [s.youth, s.age, s.ethnicity, s.movement, s.service, s.pricing, s.incall, s.thirdParty, s.trust, s.contact].filter(Boolean).join(' - '),
    }),
  },
  'fr-puces': {
    language: 'fr',
    split: 'train',
    render: (s) => ({
      title: `✨ ${s.name} ✨ ${s.city}`,
      body: [s.greeting, ...[s.age, s.youth, s.ethnicity, s.description, s.movement, s.thirdParty, s.service, s.pricing, s.incall, s.trust, s.availability].filter(Boolean).map((line) => `✔ ${line}`), s.contact].join('\n'),
    }),
  },
  'fr-recit': {
    language: 'fr',
    split: 'held-out',
    render: (s) => ({
      title: s.movement || `Rencontre à ${s.city}`,
      body: sentence(`${s.greeting} ! Moi c’est ${s.name}`, s.age ? `J’ai ${s.age.replace(/^j’ai /, '')}` : '', s.description, s.ethnicity ? `Origine : ${s.ethnicity}` : '', s.youth, s.thirdParty, `Je propose ${s.service.toLowerCase()}`, s.incall, s.pricing, s.trust, s.rules, s.contact),
    }),
  },
  'en-classic': {
    language: 'en',
    split: 'train',
    render: (s) => ({
      title: [s.name, s.movement || s.youth || s.city].filter(Boolean).join(' - '),
      body: sentence(`${s.greeting}, my name is ${s.name}${s.age ? `, ${s.age}` : ''}`, s.youth, s.ethnicity ? `I am a ${s.ethnicity}, ${s.description}` : `I am ${s.description}`, s.movement, s.thirdParty, s.service, s.pricing, s.incall, s.trust, s.availability, s.rules, s.contact),
    }),
  },
  'en-short': {
    language: 'en',
    split: 'held-out',
    render: (s) => ({
      title: `${s.name} in ${s.city}`,
      body: [s.youth, s.age, s.ethnicity, s.movement, s.service, s.pricing, s.incall, s.thirdParty, s.trust, s.contact].filter(Boolean).join(' | '),
    }),
  },
  'en-bullets': {
    language: 'en',
    split: 'train',
    render: (s) => ({
      title: `💋 ${s.name} 💋`,
      body: [s.greeting, ...[s.age, s.youth, s.ethnicity, s.description, s.movement, s.thirdParty, s.service, s.pricing, s.incall, s.trust, s.availability].filter(Boolean).map((line) => `• ${line}`), s.contact].join('\n'),
    }),
  },
  'en-story': {
    language: 'en',
    split: 'held-out',
    render: (s) => ({
      title: s.movement || `Meet ${s.name}`,
      body: sentence(`${s.greeting}! I'm ${s.name}`, s.age, s.description, s.ethnicity ? `Origin: ${s.ethnicity}` : '', s.youth, s.thirdParty, `I offer ${s.service.toLowerCase()}`, s.incall, s.pricing, s.trust, s.rules, s.contact),
    }),
  },
};

type BenignTemplate = (r: Random, city: string, contact: string) => { title: string; body: string };

/** Ordinary ads that share words with escort ads: the false positives to avoid. */
const BENIGN_FAMILIES: Readonly<Record<string, { language: Language; split: Split; render: BenignTemplate }>> = {
  'fr-kine': {
    language: 'fr',
    split: 'train',
    render: (r, city, contact) => ({
      title: r.pick(['Kinésithérapeute diplômée d’État', 'Cabinet de kinésithérapie', 'Masseur-kinésithérapeute']),
      body: sentence(`Cabinet de kinésithérapie à ${city}`, r.pick(['Massage thérapeutique, rééducation et relaxation', 'Massage sportif et drainage', 'Massages décontracturants et détente musculaire']), r.pick(['Séances remboursées par la mutuelle', 'Sur ordonnance ou sans', 'Conventionné secteur 1']), r.pick(['Jeune praticienne diplômée', 'Plus de 10 ans d’expérience', 'Praticienne certifiée']), `Rendez-vous au ${contact}`),
    }),
  },
  'fr-masseur-sportif': {
    language: 'fr',
    split: 'held-out',
    render: (r, city, contact) => ({
      title: r.pick(['Massage sportif à domicile', 'Ostéopathe et massage']),
      body: sentence(`Ostéopathe diplômé, je me déplace à ${city} et alentours`, r.pick(['Massage sportif avant et après compétition', 'Réflexologie et relaxation', 'Détente musculaire pour coureurs']), r.pick(['Numéro SIRET sur demande', 'Remboursé par certaines mutuelles']), `Réservation : ${contact}`),
    }),
  },
  'en-rmt': {
    language: 'en',
    split: 'train',
    render: (r, city, contact) => ({
      title: r.pick(['Registered massage therapist', 'Licensed massage therapy clinic']),
      body: sentence(`Registered massage therapist in ${city}`, r.pick(['Deep tissue, sports massage and relaxation', 'Relaxing massage and injury rehab', 'Pregnancy and relaxation massage']), r.pick(['Insurance receipts provided', 'Licensed and insured', 'Certified, 8 years of experience']), `Book on ${contact}`),
    }),
  },
  'en-physio': {
    language: 'en',
    split: 'held-out',
    render: (r, city, contact) => ({
      title: r.pick(['Physiotherapy clinic now open', 'Sports physio and massage']),
      body: sentence(`Physiotherapist with a clinic in ${city}`, r.pick(['Sports massage, rehab and relaxation', 'Massage for back pain and stress relief']), r.pick(['Health insurance accepted', 'Licensed physiotherapy team']), `Call ${contact}`),
    }),
  },
  'fr-restaurant': {
    language: 'fr',
    split: 'train',
    render: (r, city, contact) => ({
      title: r.pick(['Nouveau en ville !', 'Ouverture à ' + city, 'Nouvelle adresse']),
      body: sentence(`Notre restaurant ${r.pick(['thaï', 'asiatique', 'brésilien', 'italien'])} ouvre ses portes à ${city}`, r.pick(['Cuisine fraîche et faite maison', 'Menu du jour à 14 €', 'Plats à emporter et livraison']), r.pick(['Nos serveuses vous accueillent du mardi au dimanche', 'Une jeune équipe dynamique', 'Horaires : 12h-14h30 et 19h-22h30']), `Réservations au ${contact}`),
    }),
  },
  'fr-boutique': {
    language: 'fr',
    split: 'held-out',
    render: (r, city, contact) => ({
      title: r.pick(['Nouvelle boutique en ville', 'Inauguration samedi']),
      body: sentence(`Nouvelle boutique de fleurs à ${city}`, r.pick(['Bouquets de roses et cadeaux pour toutes les occasions', 'Petits cadeaux et compositions florales']), r.pick(['Ouverture samedi à 10h', 'Livraison à domicile possible']), `Infos : ${contact}`),
    }),
  },
  'en-restaurant': {
    language: 'en',
    split: 'held-out',
    render: (r, city, contact) => ({
      title: r.pick(['New in town!', 'Grand opening this Friday']),
      body: sentence(`Our new ${r.pick(['thai', 'brazilian', 'korean', 'italian'])} restaurant is opening in ${city}`, r.pick(['Fresh food cooked daily', 'Takeaway and delivery available', 'Lunch menu from 9.90']), r.pick(['Opening hours 12-3pm and 6-11pm', 'Our friendly young team welcomes you']), `Book a table: ${contact}`),
    }),
  },
  'en-shop': {
    language: 'en',
    split: 'train',
    render: (r, city, contact) => ({
      title: r.pick(['New shop just arrived in town', 'Now open in ' + city]),
      body: sentence(`Independent gift shop now open in ${city}`, r.pick(['Gifts, flowers and roses for every occasion', 'Handmade gifts and fresh flowers']), r.pick(['Opening hours 9am-6pm', 'Free local delivery']), `Call the store on ${contact}`),
    }),
  },
  'fr-emploi': {
    language: 'fr',
    split: 'train',
    render: (r, city, contact) => ({
      title: r.pick(['Recrutement', 'Offre d’emploi', 'Nous recrutons']),
      body: sentence(`Jeune entreprise de ${city} recrute ${r.pick(['un(e) assistant(e) commercial(e)', 'des hôtesses d’accueil pour salons', 'un(e) jeune diplômé(e) en comptabilité'])}`, r.pick(['CDI temps plein', 'CDD de 6 mois', 'Temps partiel possible']), r.pick(['Salaire selon profil', 'Débutants acceptés, formation assurée']), `Envoyez votre CV et candidature à ${contact}`),
    }),
  },
  'fr-emploi-hotellerie': {
    language: 'fr',
    split: 'held-out',
    render: (r, city, contact) => ({
      title: r.pick(['Hôtel recrute', 'Poste à pourvoir en hôtellerie']),
      body: sentence(`Hôtel 4 étoiles à ${city} recrute ${r.pick(['réceptionniste', 'femme de chambre', 'masseuse pour son spa'])}`, r.pick(['CDI, 35h', 'Poste à pourvoir immédiatement']), r.pick(['Expérience en hôtellerie appréciée', 'Salaire attractif']), `Postuler : ${contact}`),
    }),
  },
  'en-job': {
    language: 'en',
    split: 'train',
    render: (r, city, contact) => ({
      title: r.pick(['We are hiring', 'Job offer', 'Vacancy']),
      body: sentence(`Young dynamic team in ${city} hiring ${r.pick(['sales assistants', 'event hostesses', 'a junior accountant'])}`, r.pick(['Full-time position', 'Part-time, flexible hours']), r.pick(['Competitive salary', 'Training provided']), `Apply with your resume: ${contact}`),
    }),
  },
  'en-job-hospitality': {
    language: 'en',
    split: 'held-out',
    render: (r, city, contact) => ({
      title: r.pick(['Hotel staff wanted', 'Hospitality vacancy']),
      body: sentence(`Boutique hotel in ${city} is hiring ${r.pick(['a receptionist', 'housekeeping staff', 'a spa massage therapist'])}`, r.pick(['Full-time, permanent', 'Seasonal position']), r.pick(['Hotel experience preferred', 'Salary plus tips']), `Apply to ${contact}`),
    }),
  },
  'fr-logement': {
    language: 'fr',
    split: 'train',
    render: (r, city, contact) => ({
      title: r.pick(['Appartement T2 à louer', 'Studio meublé à louer']),
      body: sentence(`Appartement ${r.pick(['lumineux', 'calme', 'rénové'])} à louer à ${city}`, r.pick(['Petite terrasse et cuisine équipée', '35 m2, proche de la gare']), r.pick(['Loyer 750 € charges comprises', 'Dépôt de garantie d’un mois']), r.pick(['Photos réelles', 'Visites le samedi']), `Agence immobilière : ${contact}`),
    }),
  },
  'fr-colocation': {
    language: 'fr',
    split: 'held-out',
    render: (r, city, contact) => ({
      title: r.pick(['Chambre en colocation', 'Colocation étudiante']),
      body: sentence(`Chambre meublée dans une colocation à ${city}`, r.pick(['Idéal pour étudiante ou jeune actif', 'Appartement calme avec jardin']), r.pick(['Loyer 450 € charges comprises', 'Bail d’un an']), `Contact : ${contact}`),
    }),
  },
  'en-rental': {
    language: 'en',
    split: 'held-out',
    render: (r, city, contact) => ({
      title: r.pick(['Flat for rent', 'One bedroom flat to let']),
      body: sentence(`Bright one bedroom flat for rent in ${city}`, r.pick(['Furnished, near the station', 'Private apartment with garden']), r.pick(['Monthly rent 900, utilities included', 'Six month lease minimum']), r.pick(['Real photos', 'Viewings on Saturday']), `Call ${contact}`),
    }),
  },
  'en-room': {
    language: 'en',
    split: 'train',
    render: (r, city, contact) => ({
      title: r.pick(['Room for rent', 'Double room in flatshare']),
      body: sentence(`Furnished bedroom in a friendly flatshare in ${city}`, r.pick(['Suits a student or young professional', 'Quiet house, fast internet']), r.pick(['Monthly rent 600, utilities included', 'Deposit one month']), `Message ${contact}`),
    }),
  },
  'fr-babysitting': {
    language: 'fr',
    split: 'train',
    render: (r, city, contact) => ({
      title: r.pick(['Baby-sitting', 'Garde d’enfants']),
      body: sentence(`Étudiante sérieuse propose baby-sitting à ${city}`, r.pick(['Garde d’enfants de 3 à 12 ans', 'Aide aux devoirs pour enfants de 6 à 10 ans']), r.pick(['5 ans d’expérience', 'Références disponibles']), `Contact : ${contact}`),
    }),
  },
  'fr-soutien-scolaire': {
    language: 'fr',
    split: 'held-out',
    render: (r, city, contact) => ({
      title: r.pick(['Soutien scolaire', 'Cours particuliers']),
      body: sentence(`Cours particuliers de ${r.pick(['maths', 'français', 'anglais'])} à ${city}`, r.pick(['Pour collégiens et lycéens de 11 à 18 ans', 'Préparation au bac pour lycéenne de 17 ans']), r.pick(['20 € de l’heure', 'Première séance offerte']), `Appelez le ${contact}`),
    }),
  },
  'en-tutoring': {
    language: 'en',
    split: 'train',
    render: (r, city, contact) => ({
      title: r.pick(['Maths tutor', 'Private tutoring']),
      body: sentence(`Experienced tutor offering lessons in ${city}`, r.pick(['For pupils aged 11 to 16', 'GCSE and A-level maths for teens']), r.pick(['25 per hour', 'First lesson free']), `Call ${contact}`),
    }),
  },
  'en-nanny': {
    language: 'en',
    split: 'held-out',
    render: (r, city, contact) => ({
      title: r.pick(['Nanny available', 'Childcare offered']),
      body: sentence(`Qualified nanny available in ${city}`, r.pick(['Childcare for children aged 2 to 10', 'After-school care and homework help']), r.pick(['First aid certified', '10 years of experience']), `Phone ${contact}`),
    }),
  },
};

export const FAMILIES: Readonly<Record<string, { language: Language; split: Split }>> = {
  ...ESCORT_FAMILIES,
  ...BENIGN_FAMILIES,
};

/** A valid mobile number of the country, as digits in national format. */
function mobileNumber(r: Random, language: Language): string {
  for (;;) {
    const digits =
      language === 'fr'
        ? `0${r.pick(['6', '7'])}${String(r.int(0, 99_999_999)).padStart(8, '0')}`
        : `07${r.pick(['4', '5', '7', '8', '9'])}${String(r.int(0, 99_999_999)).padStart(8, '0')}`;
    if (isValidPhoneNumber(digits, COUNTRY[language] as CountryCode)) return digits;
  }
}

function grouped(digits: string, language: Language): string {
  if (language === 'fr') return digits.replace(/(\d\d)(?=\d)/g, '$1 ');
  return `${digits.slice(0, 5)} ${digits.slice(5)}`;
}

function spelled(digits: string, language: Language, r: Random): string {
  if (language === 'en' || r.chance(0.5)) return [...digits].map((d) => NUMBER_WORDS[language][Number(d)]).join(' ');
  const pairs: string[] = [];
  for (let i = 0; i < digits.length; i += 2) {
    const value = Number(digits.slice(i, i + 2));
    if (digits[i] === '0') pairs.push(`${FR_PAIRS[0]} ${FR_PAIRS[Number(digits[i + 1])]}`);
    else if (value < 20) pairs.push(FR_PAIRS[value]);
    else {
      const tens = Math.floor(value / 10);
      const unit = value % 10 + (tens === 7 || tens === 9 ? 10 : 0);
      pairs.push(unit === 0 ? FR_TENS[tens] : `${FR_TENS[tens]}-${FR_PAIRS[unit]}`);
    }
  }
  return pairs.join(' ');
}

const KEYCAP = '\ufe0f\u20e3';
const FULLWIDTH_ZERO = 0xff10;

/** How a phone number is written: plainly, or one of the ways ads hide it from filters. */
function writePhone(digits: string, language: Language, r: Random, obscured: boolean): string {
  if (!obscured) {
    const international = language === 'fr' ? `+33 ${digits[1]} ${grouped(digits.slice(2), 'fr')}` : `+44 ${digits.slice(1, 5)} ${digits.slice(5)}`;
    return r.pick([grouped(digits, language), digits, international, language === 'fr' ? digits.replace(/(\d\d)(?=\d)/g, '$1.') : digits]);
  }
  switch (r.int(0, 5)) {
    case 0:
      return [...digits].join(' ');
    case 1:
      return spelled(digits, language, r);
    case 2:
      return [...digits].map((d) => d + KEYCAP).join('');
    case 3:
      return [...digits].map((d) => String.fromCharCode(FULLWIDTH_ZERO + Number(d))).join('');
    case 4:
      return grouped(digits, language).replace(/ /g, '\u200b');
    default:
      return grouped(digits, language).replace(/ /g, r.pick(['*', '_', '~']));
  }
}

function writeEmail(name: string, r: Random, obscured: boolean): string {
  const local = `${name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()}${r.int(10, 99)}`;
  const domain = r.pick(['gmail', 'outlook', 'proton', 'yahoo']);
  if (!obscured) return `${local}@${domain}.com`;
  return r.pick([`${local} arobase ${domain} point com`, `${local} [at] ${domain} [dot] com`, `${local} (at) ${domain} (dot) com`, `${local} at ${domain} dot com`]);
}

const HOMOGLYPHS: Readonly<Record<string, string>> = { a: 'а', e: 'е', o: 'о', p: 'р', c: 'с', x: 'х', i: 'і' };
const LEET: Readonly<Record<string, string>> = { e: '3', a: '4', o: '0', i: '1' };

/** Disguises a cue phrase the way filter-evaders do, or leaves it alone. */
function disguise(text: string, r: Random): string {
  switch (r.int(0, 9)) {
    case 0:
      return text.replace(/[aeoi]/g, (c) => (r.chance(0.5) ? (LEET[c] ?? c) : c));
    case 1:
      return text.replace(/[aeopcxi]/g, (c) => (r.chance(0.4) ? (HOMOGLYPHS[c] ?? c) : c));
    case 2:
      return text.replace(/(\p{L})(\p{L})/gu, (_m, a: string, b: string) => (r.chance(0.3) ? `${a}\u200b${b}` : a + b));
    case 3:
      return text.toUpperCase();
    case 4:
      return text.normalize('NFD').replace(/\p{M}/gu, '');
    default:
      return text;
  }
}

function fill(pool: Pools, language: Language, r: Random, city: string): string {
  return r.pick(pool[language]).replace('{city}', city);
}

interface Persona {
  readonly name: string;
  readonly city: string;
}

interface ScenarioCues {
  readonly strong: readonly ('youth' | 'trust' | 'ethnicity' | 'thirdParty' | 'obscured')[];
  readonly weak: readonly ('movement' | 'pricing' | 'incall')[];
  readonly minor: boolean;
}

const STRONG_CUES = ['youth', 'trust', 'ethnicity', 'thirdParty', 'obscured'] as const;
const WEAK_CUES = ['pricing', 'incall'] as const;

function cuesFor(scenario: Scenario, r: Random): ScenarioCues {
  const weak = [...r.sample(WEAK_CUES, r.int(1, 2)), ...(r.chance(0.3) ? ['movement' as const] : [])];
  switch (scenario) {
    case 'minor':
      return { strong: r.sample(STRONG_CUES, r.int(0, 2)), weak, minor: true };
    case 'ring':
    case 'organised':
      return { strong: r.sample(STRONG_CUES, r.int(2, 3)), weak, minor: false };
    case 'single-strong':
      return { strong: [r.pick(STRONG_CUES)], weak, minor: false };
    case 'touring':
      return { strong: [], weak: ['movement', ...r.sample(WEAK_CUES, r.int(1, 2))], minor: false };
    default:
      return { strong: [], weak: r.sample(WEAK_CUES, 2), minor: false };
  }
}

interface EscortAd {
  readonly ad: SyntheticAd;
  readonly indicators: IndicatorCode[];
  /** Persona names the ad shows: its own and any it lists. */
  readonly names: readonly string[];
}

interface EscortOptions {
  readonly phone: string;
  readonly reference: number;
  /** Names for a "Léa, Nina et Julie vous attendent" line. */
  readonly names: readonly string[];
  /** Rings always post phone numbers: that is what links their ads. */
  readonly allowEmail: boolean;
}

function escortAd(family: string, persona: Persona, cues: ScenarioCues, r: Random, { phone, reference, names, allowEmail }: EscortOptions): EscortAd {
  const { language, render } = ESCORT_FAMILIES[family];
  const indicators = new Set<IndicatorCode>(['euphemisms']);
  const has = (cue: string): boolean => (cues.strong as readonly string[]).includes(cue) || (cues.weak as readonly string[]).includes(cue);
  const cue = (name: string, pool: Pools, code: IndicatorCode): string => {
    if (!has(name)) return '';
    indicators.add(code);
    return disguise(fill(pool, language, r, persona.city), r);
  };
  let age = '';
  if (cues.minor) {
    const n = r.int(15, 17);
    const year = new Date(reference).getUTCFullYear() - n - 1;
    age = r.pick(MINOR_AGES[language])(n, year);
    indicators.add('stated-minor');
  } else if (r.chance(0.6)) {
    age = r.pick(ADULT_AGES[language]).replace('{n}', String(r.int(19, 38)));
  }
  let thirdParty = cue('thirdParty', THIRD_PARTY, 'third-party-control');
  const shown = [persona.name];
  if (thirdParty && names.length >= 3 && r.chance(0.3)) {
    thirdParty = language === 'fr' ? `${names[0]}, ${names[1]} et ${names[2]} vous attendent` : `${names[0]}, ${names[1]} and ${names[2]} are waiting for you`;
    shown.push(...names.slice(0, 3));
  }
  const obscured = has('obscured');
  if (obscured) indicators.add('obscured-contact');
  const contactText = allowEmail && r.chance(0.12) ? writeEmail(persona.name, r, obscured) : writePhone(phone, language, r, obscured);
  const slots: Slots = {
    name: persona.name,
    city: persona.city,
    age,
    youth: cue('youth', YOUTH, 'youth-language'),
    ethnicity: cue('ethnicity', ETHNICITY, 'ethnicity-emphasis'),
    trust: cue('trust', TRUST, 'trust-claims'),
    thirdParty,
    movement: cue('movement', MOVEMENT, 'movement'),
    service: disguise(fill(SERVICES, language, r, persona.city), r),
    pricing: cue('pricing', PRICING, 'pricing-codes'),
    incall: cue('incall', INCALL, 'incall-hotel'),
    description: fill(DESCRIPTIONS, language, r, persona.city),
    availability: fill(AVAILABILITY, language, r, persona.city),
    rules: fill(RULES, language, r, persona.city),
    greeting: fill(GREETINGS, language, r, persona.city),
    contact: fill(CALL_TO_ACTION, language, r, persona.city).replace('{contact}', contactText),
  };
  const { title, body } = render(slots, r, language);
  return { ad: { title, body, country: COUNTRY[language], city: persona.city, language }, indicators: [...indicators], names: shown };
}

const TRUTH: Readonly<Record<Scenario, RiskBand>> = {
  minor: 'critical',
  ring: 'high',
  organised: 'high',
  'single-strong': 'medium',
  independent: 'medium',
  touring: 'medium',
  benign: 'low',
};

/** Share of each scenario in the stream. */
const SCENARIO_MIX: readonly [Scenario, number][] = [
  ['benign', 0.34],
  ['independent', 0.17],
  ['touring', 0.12],
  ['single-strong', 0.12],
  ['organised', 0.08],
  ['minor', 0.07],
  ['ring', 0.1],
];

function pickScenario(r: Random): Scenario {
  let x = r.float();
  for (const [scenario, share] of SCENARIO_MIX) {
    if (x < share) return scenario;
    x -= share;
  }
  return 'benign';
}

export interface CorpusOptions {
  readonly seed: number;
  readonly size: number;
}

/** Generates the labelled stream, ordered by posting time. Same seed, same corpus. */
export function generateCorpus({ seed, size }: CorpusOptions): LabelledAd[] {
  const r = new Random(seed);
  const escortFamilies = Object.keys(ESCORT_FAMILIES);
  const benignFamilies = Object.keys(BENIGN_FAMILIES);
  const ads: Omit<LabelledAd, 'id'>[] = [];
  const span = Math.max(30, Math.round(size / 150)) * DAY;
  let ring = 0;
  while (ads.length < size) {
    const scenario = pickScenario(r);
    const postedAt = START + Math.floor(r.float() * span);
    if (scenario === 'benign') {
      const family = r.pick(benignFamilies);
      const { language, split, render } = BENIGN_FAMILIES[family];
      // Chains post one central number in several cities: contact reuse that must not count.
      const phone = mobileNumber(r, language);
      const copies = r.chance(0.1) ? 3 : 1;
      for (let c = 0; c < copies; c++) {
        const city = r.pick(CITIES[language]);
        const { title, body } = render(r, city, writePhone(phone, language, r, false));
        ads.push({ family, split, scenario, ad: { title, body, country: COUNTRY[language], city, language }, postedAt: postedAt + c * 3_600_000, truthBand: 'low', indicators: [], movementOnly: false });
      }
      continue;
    }
    const family = r.pick(escortFamilies);
    const { language, split } = ESCORT_FAMILIES[family];
    if (scenario === 'ring') {
      // One organisation: a template, two or three phones, several personas and cities in a week.
      ring++;
      const cues = cuesFor('ring', r);
      const phones = Array.from({ length: r.int(2, 3) }, () => mobileNumber(r, language));
      const personas = r.sample(NAMES, r.int(4, 7)).map((name) => ({ name, city: r.pick(CITIES[language]) }));
      // Every ad of the ring makes the same choices: one template, only the slots change.
      const templateSeed = r.next();
      const names = r.sample(NAMES, 3);
      const texts = personas.map((persona, k) =>
        escortAd(family, persona, cues, new Random(templateSeed), { phone: phones[k % phones.length], reference: postedAt, names, allowEmail: false }),
      );
      for (let k = 0; k < personas.length; k++) {
        // The ground truth of the network signal: the ring's ads sharing this ad's phone.
        const sharing = personas.map((p, j) => ({ p, j })).filter(({ j }) => j % phones.length === k % phones.length);
        const shownNames = new Set(sharing.flatMap(({ j }) => texts[j].names));
        const reuse = sharing.length >= 2 && (shownNames.size >= 3 || new Set(sharing.map(({ p }) => p.city)).size >= 3);
        const text = texts[k];
        const indicators = [...text.indicators, ...(reuse ? ['contact-reuse' as const] : []), 'template-cluster' as const];
        ads.push({
          family,
          split,
          scenario,
          ad: text.ad,
          postedAt: postedAt + Math.floor(r.float() * 5 * DAY),
          truthBand: cues.minor ? 'critical' : 'high',
          indicators,
          movementOnly: false,
          ringId: `ring-${ring}`,
        });
      }
      continue;
    }
    const cues = cuesFor(scenario, r);
    const persona = { name: r.pick(NAMES), city: r.pick(CITIES[language]) };
    const text = escortAd(family, persona, cues, r, { phone: mobileNumber(r, language), reference: postedAt, names: r.sample(NAMES, 3), allowEmail: true });
    const strong = text.indicators.some((c) => !['euphemisms', 'pricing-codes', 'incall-hotel', 'movement'].includes(c));
    ads.push({
      family,
      split,
      scenario,
      ad: text.ad,
      postedAt,
      truthBand: TRUTH[scenario],
      indicators: text.indicators,
      movementOnly: text.indicators.includes('movement') && !strong,
    });
  }
  return ads
    .slice(0, size)
    .sort((a, b) => a.postedAt - b.postedAt)
    .map((ad, i) => ({ id: `ad-${String(i + 1).padStart(6, '0')}`, ...ad }));
}
