import type { Ad } from '@vigie/contracts';
import { createHash } from 'node:crypto';
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
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function normaliseAd(ad: Ad): NormalisedAd {
  const country = ad.location.country;
  const normalised: Ad = {
    ...ad,
    url: ad.url.trim(),
    category: normaliseText(ad.category).toLowerCase(),
    title: normaliseText(ad.title),
    body: normaliseText(ad.body),
    location: {
      country: country.toUpperCase(),
      ...(ad.location.city !== undefined ? { city: normaliseText(ad.location.city) } : {}),
      ...(ad.location.postcode !== undefined ? { postcode: normaliseText(ad.location.postcode).toUpperCase() } : {}),
    },
    contacts: {
      phones: normaliseList(ad.contacts.phones, (phone) => normalisePhone(phone, country)),
      emails: normaliseList(ad.contacts.emails, normaliseEmail),
      handles: normaliseList(ad.contacts.handles, normaliseHandle),
    },
    posterAccountId: ad.posterAccountId.trim(),
    images: [...ad.images]
      .map((image) => ({ ...image, pdq: image.pdq.toLowerCase(), ...(image.md5 ? { md5: image.md5.toLowerCase() } : {}) }))
      .sort((a, b) => (a.pdq < b.pdq ? -1 : a.pdq > b.pdq ? 1 : 0)),
    ...(ad.language !== undefined ? { language: ad.language.toLowerCase() } : {}),
  };
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
    contentHash: createHash('sha256').update(canonical).digest('hex'),
    fieldHashes,
  };
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
