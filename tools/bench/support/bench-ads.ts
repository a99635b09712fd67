import type { Ad } from '@vigie/contracts';

const cities = ['Lyon', 'Paris', 'Marseille', 'Lille', 'Nantes', 'Toulouse', 'Bordeaux', 'Nice'];
const sections = ['rencontres', 'massages', 'emploi', 'immobilier', 'services'];

/**
 * Deterministic, non-explicit ads of realistic size (about 1 KB as JSON) for throughput
 * measurements; `run` keeps ad ids unique across the phases of one benchmark.
 */
export function benchAd(run: string, index: number): Ad {
  const city = cities[index % cities.length];
  return {
    platformAdId: `${run}-${index}`,
    url: `https://annonces.example/${run}/${index}`,
    category: sections[index % sections.length],
    title: `Annonce ${index} à ${city} - disponible cette semaine`,
    body:
      `Bonjour, annonce numéro ${index}. Prestation proposée à ${city} et alentours, du lundi au samedi. ` +
      'Merci de prendre contact par message avant toute visite, réponse rapide. Tarifs et détails sur demande. ' +
      `Référence interne ${run}/${index % 977}.`,
    price: { amount: 40 + (index % 200), currency: 'EUR' },
    location: { city, postcode: `${69000 + (index % 9)}`, country: 'FR' },
    contacts: { phones: [`06 ${String(10 + (index % 89)).padStart(2, '0')} 45 ${String(index % 100).padStart(2, '0')} 12`], emails: [], handles: [] },
    posterAccountId: `acct-${index % 5000}`,
    images: [],
    language: 'fr',
    publishedAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    status: 'live',
  };
}
