// The events the audit benchmark feeds the log: ad lifecycles built from the contract examples.
import { EVENT_DEFINITIONS, uuidv7, type AnyEvent } from '@vigie/contracts';

/** Events per ad: one lifecycle, from ingestion to the confirmed takedown. */
export const EVENTS_PER_SUBJECT = 5;

const LIFECYCLE = ['ad.ingested', 'ad.scored', 'case.opened', 'case.decided', 'takedown.confirmed'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * One ad's lifecycle, from the contract examples with every id of the story made the ad's own:
 * its subject and ad id, and a case, notice, decision and command of its own (with one shared
 * case the projector would fold every event into a single case).
 */
export class Lifecycles {
  private readonly templates: { type: string; text: string }[];
  private readonly storyIds: string[];
  private readonly storyAdId: string;
  private readonly storySubject: string;

  constructor() {
    const examples = LIFECYCLE.map((type) => {
      const example = EVENT_DEFINITIONS.find((d) => d.type === type)?.example as AnyEvent | undefined;
      if (!example) throw new Error(`no example event for ${type}`);
      return example;
    });
    const ids = new Set<string>();
    for (const example of examples) for (const value of Object.values(example.data as Record<string, unknown>)) if (typeof value === 'string' && UUID.test(value)) ids.add(value);
    this.storyIds = [...ids];
    this.storySubject = examples[0].subject;
    this.storyAdId = this.storySubject.slice(this.storySubject.indexOf(':') + 1);
    this.templates = examples.map((example) => ({ type: example.type, text: JSON.stringify({ ...example, id: undefined, subject: undefined, tenant: undefined }) }));
  }

  /** The events of ad number `index` of `tenant`, in lifecycle order. */
  of(tenant: string, index: number): AnyEvent[] {
    const adId = `b${index}`;
    const fresh = this.storyIds.map(() => uuidv7());
    return this.templates.map(({ type, text }) => {
      let own = text.split(this.storySubject).join(`${tenant}:${adId}`).split(this.storyAdId).join(adId);
      this.storyIds.forEach((id, i) => (own = own.split(id).join(fresh[i])));
      const event = JSON.parse(own) as AnyEvent;
      const caseId = (event.data as { caseId?: string }).caseId;
      return { ...event, id: uuidv7(), tenant, subject: `${tenant}:${adId}`, correlationId: type.startsWith('ad.') ? null : (caseId ?? null) } as AnyEvent;
    });
  }
}

