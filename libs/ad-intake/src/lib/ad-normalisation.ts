import type { Ad } from '@vigie/contracts';
import { hash } from 'node:crypto';
import { normaliseEmail, normaliseHandle, normaliseList, normalisePhone } from './contact-normalisation';
import { normaliseText } from './text-normalisation';

/** The fields whose change makes a new version of an ad (timestamps and status do not). */
export const CONTENT_FIELDS = [
  'url',
  'category',
  'title',
  'body',
  'price',
  'location',
  'contacts',
  'posterAccountId',
  'images',
  'language',
] as const;
export type ContentField = (typeof CONTENT_FIELDS)[number];

export interface NormalisedAd {
  ad: Ad;
  originalText: { title: string; body: string };
  /** SHA-256 over the canonical content: equal hash, equal content. */
  contentHash: string;
  /**
   * A short fingerprint per content field (FNV-1a, 32 bits), stored only to name the fields a
   * new version changed; whether content changed at all is decided by `contentHash`.
   */
  fieldHashes: Record<ContentField, string>;
}

/** JSON with sorted keys, so equal content always serialises (and hashes) the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let json = '[';
    for (let i = 0; i < value.length; i++) json += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    return `${json}]`;
  }
  // Plain loops rather than entries/filter/map/join: this runs for every field of every ad.
  // The default sort orders by UTF-16 code units, as the `<` comparison used before did.
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let json = '{';
  for (const key of keys) {
    const field = record[key];
    if (field === undefined) continue;
    json += `${json.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(field)}`;
  }
  return `${json}}`;
}

export function normaliseAd(ad: Ad): NormalisedAd {
  const country = ad.location.country;
  const location: Ad['location'] = { country: country.toUpperCase() };
  if (ad.location.city !== undefined) location.city = normaliseText(ad.location.city);
  if (ad.location.postcode !== undefined) location.postcode = normaliseText(ad.location.postcode).toUpperCase();
  // Every field written out in one fixed order: ads arrive with their keys in any order, and
  // objects of one shape are much cheaper to validate and serialise downstream.
  const normalised: Ad = {
    platformAdId: ad.platformAdId,
    url: ad.url.trim(),
    category: normaliseText(ad.category).toLowerCase(),
    title: normaliseText(ad.title),
    body: normaliseText(ad.body),
    price: ad.price === null ? null : { amount: ad.price.amount, currency: ad.price.currency },
    location,
    contacts: {
      phones: normaliseList(ad.contacts.phones, (phone) => normalisePhone(phone, country)),
      emails: normaliseList(ad.contacts.emails, normaliseEmail),
      handles: normaliseList(ad.contacts.handles, normaliseHandle),
    },
    posterAccountId: ad.posterAccountId.trim(),
    images: ad.images.length === 0 ? [] : ad.images.map(normaliseImage).sort((a, b) => (a.pdq < b.pdq ? -1 : a.pdq > b.pdq ? 1 : 0)),
    publishedAt: ad.publishedAt,
    updatedAt: ad.updatedAt,
    status: ad.status,
  };
  if (ad.language !== undefined) normalised.language = ad.language.toLowerCase();
  const fieldHashes = {} as Record<ContentField, string>;
  let canonical = '';
  for (const field of CONTENT_FIELDS) {
    const json = canonicalJson(normalised[field] ?? null);
    fieldHashes[field] = fnv1a(json);
    canonical += `${field}=${json}\n`;
  }
  return {
    ad: normalised,
    originalText: { title: ad.title, body: ad.body },
    // One-shot hashing: a Hash object per ad cost more than hashing its kilobyte.
    contentHash: hash('sha256', canonical, 'hex'),
    fieldHashes,
  };
}

function normaliseImage(image: Ad['images'][number]): Ad['images'][number] {
  const normalised: Ad['images'][number] = { pdq: image.pdq.toLowerCase(), quality: image.quality };
  if (image.md5) normalised.md5 = image.md5.toLowerCase();
  return normalised;
}

function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

/** Which content fields differ between two versions, in catalogue order. */
export function changedFields(
  previous: Partial<Record<ContentField, string>>,
  current: Record<ContentField, string>,
): ContentField[] {
  return CONTENT_FIELDS.filter((field) => previous[field] !== current[field]);
}
