import { defineEvent } from '../event-definition';
import { AdSchema } from '../schema/ad';
import { Services } from '../services';
import { Topics } from '../topics';
import { Story } from './example-story';

export const adSubmitted = defineEvent({
  type: 'ad.submitted',
  version: 1,
  topic: Topics.AdsSubmitted,
  producer: Services.Platform,
  summary: 'A platform sent one of its ads (new or changed), as it stands on the platform.',
  dataSchema: AdSchema(),
  example: {
    id: Story.events.adSubmitted,
    type: 'ad.submitted',
    version: 1,
    occurredAt: '2026-11-23T07:58:12.345Z',
    tenant: Story.tenant,
    subject: Story.subject,
    correlationId: null,
    causationId: null,
    source: 'platform:demo-annonces',
    data: {
      platformAdId: Story.adId,
      url: Story.adUrl,
      category: 'rencontres',
      title: 'Nouvelle en ville  -  disponible ce week-end',
      body: 'Jeune femme de passage à Lyon, photos 100% réelles. Rendez-vous uniquement sur réservation, contact par SMS.',
      price: { amount: 150, currency: 'EUR' },
      location: { city: 'Lyon', postcode: '69003', country: 'FR' },
      contacts: { phones: ['06 39 98 12 34'], emails: [], handles: ['telegram:@lyon_rdv_2611'] },
      posterAccountId: 'acct-55102',
      images: [
        {
          pdq: 'f8f0e0c0c4c6e7f3f1f0f8fcfefe7f3f1f0f0e0c0c0e1f3f7fffefcf8f0e0c0c',
          quality: 87,
          md5: '9e107d9d372bb6826bd81d3542a419d6',
        },
      ],
      language: 'fr',
      publishedAt: '2026-11-23T06:41:07.000Z',
      updatedAt: '2026-11-23T07:58:10.000Z',
      status: 'live',
    },
  },
});

export const ADS_SUBMITTED_EVENTS = [adSubmitted] as const;
