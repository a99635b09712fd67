/**
 * Phrase pools for the synthetic corpus, French and English. Everything stays non-explicit:
 * the cues are the ones the literature describes (youth, trust claims, third parties, movement,
 * coded prices, euphemisms), written the way classified ads write them.
 */

export type Language = 'fr' | 'en';

export type Pools = Readonly<Record<Language, readonly string[]>>;

export const NAMES: readonly string[] = [
  'Léa', 'Julie', 'Nina', 'Sarah', 'Laura', 'Camille', 'Manon', 'Inès', 'Chloé', 'Emma', 'Jessica', 'Kelly', 'Cindy',
  'Anna', 'Sofia', 'Lola', 'Maya', 'Nadia', 'Natasha', 'Olga', 'Tanya', 'Yuki', 'Mei', 'Lina', 'Sonia', 'Eva', 'Mia',
  'Clara', 'Alicia', 'Bianca', 'Carla', 'Diana', 'Elena', 'Gina', 'Irina', 'Jasmine', 'Karina', 'Lana', 'Melissa',
  'Monica', 'Sabrina', 'Vanessa', 'Victoria', 'Ashley', 'Amy', 'Chelsea', 'Emily', 'Lily', 'Nikki', 'Tiffany',
  'Anastasia', 'Svetlana', 'Daria', 'Ioana', 'Mariana', 'Gabriela', 'Daniela', 'Océane', 'Lucie', 'Pauline',
  'Roxane', 'Aurore', 'Estelle', 'Wendy', 'Kiara', 'Selma', 'Nour', 'Alba', 'Priya', 'Zara',
];

export const CITIES: Readonly<Record<Language, readonly string[]>> = {
  fr: ['Paris', 'Lyon', 'Marseille', 'Lille', 'Nice', 'Bordeaux', 'Toulouse', 'Nantes', 'Strasbourg', 'Montpellier', 'Rennes', 'Grenoble', 'Dijon', 'Metz', 'Reims'],
  en: ['London', 'Manchester', 'Leeds', 'Birmingham', 'Bristol', 'Liverpool', 'Glasgow', 'Edinburgh', 'Cardiff', 'Brighton', 'Newcastle', 'Nottingham', 'Sheffield', 'Leicester', 'Oxford'],
};

export const COUNTRY: Readonly<Record<Language, string>> = { fr: 'FR', en: 'GB' };

export const GREETINGS: Pools = {
  fr: ['Bonjour messieurs', 'Coucou', 'Bonsoir à tous', 'Salut', 'Hello'],
  en: ['Hello gentlemen', 'Hi there', 'Good evening', 'Hey', 'Welcome'],
};

export const DESCRIPTIONS: Pools = {
  fr: [
    'brune aux yeux verts, souriante et pétillante', 'blonde naturelle, douce et attentionnée', 'sportive, élégante et cultivée',
    'rousse au caractère joyeux', 'châtain au sourire charmant', 'grande, fine et toujours de bonne humeur',
    'pulpeuse, coquine dans la conversation et très gentille', 'discrète, calme et bien éduquée',
  ],
  en: [
    'brunette with green eyes, smiley and bubbly', 'natural blonde, sweet and caring', 'sporty, elegant and well read',
    'redhead with a cheerful nature', 'tall, slim and always in a good mood', 'curvy, warm and very friendly',
    'calm, classy and well mannered', 'funny, chatty and easy going',
  ],
};

export const AVAILABILITY: Pools = {
  fr: ['Disponible 7j/7 de 10h à 22h', 'Disponible du lundi au samedi', 'Dispo en journée et en soirée', 'Sur rendez-vous uniquement', 'Disponible ce week-end'],
  en: ['Available every day 10am to 10pm', 'Available Monday to Saturday', 'Available days and evenings', 'By appointment only', 'Available this weekend'],
};

export const RULES: Pools = {
  fr: ['Pas de numéro masqué', 'Pas de SMS, appels uniquement', 'Hygiène irréprochable exigée', 'Respect et courtoisie', 'Réponse rapide'],
  en: ['No withheld numbers', 'Calls only, no texts', 'Good hygiene expected', 'Respect and courtesy please', 'Quick replies'],
};

export const SERVICES: Pools = {
  fr: ['Massage relaxant et moment de détente', 'Massage tantrique et complicité', 'Body-body et relaxation', 'Moment agréable et détente assurée', 'Massage naturiste, moment de complicité'],
  en: ['Relaxing massage and quality time', 'Sensual massage and relaxation', 'Body to body and relaxing massage', 'GFE, relaxation and good company', 'Tantric massage and a relaxing time'],
};

export const PRICING: Pools = {
  fr: ['150 roses la demi-heure, 250 roses l’heure', 'Petit cadeau selon la durée', '100 🌹 30 min / 180 🌹 1h', 'Cadeau à déposer en arrivant', 'Dons : 120 roses'],
  en: ['150 roses for half an hour, 250 for an hour', 'Gift depends on the time', '100 🌹 30 min / 180 🌹 1h', 'Donation 120 roses', 'Small gift on arrival'],
};

export const INCALL: Pools = {
  fr: ['Je reçois en appartement privé et discret', 'Je me déplace à votre hôtel', 'Je reçois dans un appartement propre près de la gare', 'Déplacements possibles, discrétion assurée', 'Incall et outcall'],
  en: ['Incall in a private apartment', 'Outcall to your hotel', 'I receive in a clean and discreet flat', 'Incall or outcall, discretion assured', 'Private apartment near the station'],
};

export const MOVEMENT: Pools = {
  fr: ['De passage à {city} quelques jours seulement', 'Nouvelle en ville', 'Juste arrivée à {city}', 'Première fois à {city}', 'En tournée, de retour à {city} cette semaine'],
  en: ['New in town', 'Just arrived in {city}', 'Visiting {city} for a few days only', 'On tour, back in town this week', 'First time in {city}'],
};

export const YOUTH: Pools = {
  fr: ['Jeune fille douce', 'Petite jeune timide', 'C’est ma première fois', 'Toute jeune et débutante', 'Tout juste majeure', 'Petite étudiante 💗🍒', 'Jeunette fraîche'],
  en: ['Sweet young girl', 'Petite and shy, my first time', 'Very young and inexperienced', 'Just turned 18', 'Fresh girl, new to this 💗', 'Young student 🍒', 'Barely legal and sweet'],
};

export const TRUST: Pools = {
  fr: ['Photos 100% réelles', 'Vraies photos, pas de fake', 'Photos non truquées, c’est bien moi', '100% réelle, sans arnaque'],
  en: ['100% real pics', 'Real photos, no fakes', 'Pics are real, it’s really me', 'Verified photos, 100% me'],
};

export const ETHNICITY: Pools = {
  fr: ['belle asiatique', 'jolie brésilienne', 'charmante russe', 'douce africaine', 'sublime colombienne', 'exotique et thaïlandaise', 'ravissante roumaine'],
  en: ['beautiful asian', 'stunning brazilian', 'sweet russian', 'exotic thai', 'gorgeous colombian', 'lovely ukrainian', 'ebony beauty'],
};

export const THIRD_PARTY: Pools = {
  fr: ['Nos hôtesses vous reçoivent', 'Notre agence vous propose plusieurs filles', 'Nouvelles filles chaque semaine', 'Choix de filles disponibles, contactez-nous', 'Nos masseuses vous attendent'],
  en: ['Our girls are waiting for you', 'New girls every week, contact us', 'Our agency offers several girls', 'Choice of girls available', 'Our ladies receive you'],
};

/** Ages stated by adults, and ages stated by minors (the critical cue). */
export const ADULT_AGES: Pools = {
  fr: ['{n} ans', 'j’ai {n} ans', '{n}ans', 'âge : {n}'],
  en: ['{n} years old', '{n}yo', 'age: {n}', 'I am {n}'],
};

export const MINOR_AGES: Readonly<Record<Language, readonly ((n: number, year: number) => string)[]>> = {
  fr: [(n) => `${n} ans`, (n) => `j’ai ${n} ans`, (n) => `${n}ans`, (n) => `âge : ${n}`, (n) => `${['quinze', 'seize', 'dix-sept'][n - 15]} ans`, (_n, y) => `née en ${y}`],
  en: [(n) => `${n} years old`, (n) => `${n}yo`, (n) => `${n} y/o`, (n) => `age: ${n}`, (n) => `I am ${['fifteen', 'sixteen', 'seventeen'][n - 15]}`, (_n, y) => `born in ${y}`],
};

export const CALL_TO_ACTION: Pools = {
  fr: ['Appelle-moi au {contact}', 'Contact : {contact}', 'Tél {contact}', 'Écris-moi : {contact}', 'Joignable au {contact}'],
  en: ['Call me on {contact}', 'Contact: {contact}', 'Phone {contact}', 'Text me: {contact}', 'Reach me at {contact}'],
};

export const NUMBER_WORDS: Readonly<Record<Language, readonly string[]>> = {
  fr: ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf'],
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
};

export const FR_PAIRS: readonly string[] = [
  'zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf', 'dix', 'onze', 'douze', 'treize',
  'quatorze', 'quinze', 'seize', 'dix-sept', 'dix-huit', 'dix-neuf',
];
export const FR_TENS: readonly string[] = ['', '', 'vingt', 'trente', 'quarante', 'cinquante', 'soixante', 'soixante', 'quatre-vingt', 'quatre-vingt'];
