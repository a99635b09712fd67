import { EVENT_DEFINITIONS } from './registry';
import {
  DEFAULT_PARTITIONS,
  TOPIC_CATALOGUE,
  Topics,
  allTopicNames,
  dlqTopic,
  partitionsFor,
  subjectFor,
  tenantSubject,
} from './topics';

describe('topics', () => {
  it('catalogues every topic name exactly once, each with a major version suffix', () => {
    const catalogued = TOPIC_CATALOGUE.map((topic) => topic.name);
    expect([...catalogued].sort()).toEqual(Object.values(Topics).sort());
    expect(new Set(catalogued).size).toBe(catalogued.length);
    for (const name of catalogued) {
      expect(name).toMatch(/^[a-z]+(\.[a-z]+)*\.v\d+$/);
    }
  });

  it('names a DLQ twin after its topic', () => {
    expect(dlqTopic(Topics.AdsIngested)).toBe('ads.ingested.v1.dlq');
  });

  it('lists every topic and the DLQ twin of every consumed topic for up-front creation', () => {
    const names = allTopicNames({ withDlq: true });
    for (const topic of TOPIC_CATALOGUE) {
      expect(names).toContain(topic.name);
      expect(topic.consumed).toBe(true);
      expect(names).toContain(`${topic.name}.dlq`);
    }
    expect(names).toHaveLength(TOPIC_CATALOGUE.length * 2);
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists no DLQ unless asked', () => {
    expect(allTopicNames()).toEqual(TOPIC_CATALOGUE.map((topic) => topic.name));
  });

  it('gives every topic at least one consumer, the audit service included', () => {
    for (const topic of TOPIC_CATALOGUE) {
      expect(topic.consumers).toContain('audit');
    }
  });

  it('spreads ad and case topics over several partitions and keeps checkpoints in one', () => {
    for (const topic of TOPIC_CATALOGUE) {
      expect(topic.partitions).toBe(topic.name === Topics.AuditCheckpoints ? 1 : DEFAULT_PARTITIONS);
      expect(partitionsFor(topic.name)).toBe(topic.partitions);
      expect(partitionsFor(dlqTopic(topic.name))).toBe(topic.partitions);
    }
    expect(() => partitionsFor('nope.v1' as never)).toThrow(RangeError);
  });

  it('maps every event type to exactly one catalogued topic, the one its definition names', () => {
    for (const definition of EVENT_DEFINITIONS) {
      const carriers = TOPIC_CATALOGUE.filter((topic) => topic.eventTypes.includes(definition.type));
      expect(carriers.map((topic) => topic.name)).toEqual([definition.topic]);
    }
  });

  it('lists in the catalogue only event types that have a definition', () => {
    const defined = new Set<string>(EVENT_DEFINITIONS.map((definition) => definition.type));
    const catalogued = TOPIC_CATALOGUE.flatMap((topic) => topic.eventTypes);
    expect(catalogued.filter((type) => !defined.has(type))).toEqual([]);
    expect(new Set(catalogued).size).toBe(catalogued.length);
  });

  describe('subjectFor', () => {
    it('joins platform and ad id with a colon', () => {
      expect(subjectFor('demo-annonces', '8812345')).toBe('demo-annonces:8812345');
      expect(subjectFor('p1', 'AB-12_x.y/z')).toBe('p1:AB-12_x.y/z');
    });

    it.each([
      ['an empty platform id', '', '1'],
      ['a platform id with a colon', 'demo:annonces', '1'],
      ['an uppercase platform id', 'Demo', '1'],
      ['an empty ad id', 'demo', ''],
      ['an ad id with a colon', 'demo', '12:34'],
      ['an ad id with a space', 'demo', '12 34'],
      ['the reserved tenant-wide key', 'demo', '*'],
      ['an ad id over 200 characters', 'demo', 'x'.repeat(201)],
    ])('rejects %s', (_, platformId, adId) => {
      expect(() => subjectFor(platformId, adId)).toThrow(RangeError);
    });

    it('builds the tenant-wide subject of checkpoints', () => {
      expect(tenantSubject('demo-annonces')).toBe('demo-annonces:*');
      expect(() => tenantSubject('demo:x')).toThrow(RangeError);
    });
  });
});
