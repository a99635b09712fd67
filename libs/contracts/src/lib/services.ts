/** Who produces or consumes events. `platform` is any plugged-in ad platform. */
export const Services = {
  Platform: 'platform',
  Ingest: 'ingest',
  Scoring: 'scoring',
  NoticeAndTakedown: 'notice-and-takedown',
  Audit: 'audit',
} as const;

export type ServiceName = (typeof Services)[keyof typeof Services];
