import {
  ContractViolationError,
  EVENT_DEFINITIONS,
  createEvent,
  decodeEvent,
  encodeEvent,
  getEventDefinition,
  topicOf,
  validateEvent,
  type AnyEvent,
  type EventData,
  type EventOf,
  type EventType,
} from './registry';
import { Topics } from './topics';
import { isUuidV7, uuidV7Timestamp } from './uuidv7';
import { MAX_REPORTED_ERRORS } from './validation-errors';

const CATALOGUE_EVENT_TYPES = [
  'ad.submitted',
  'ad.ingested',
  'ad.updated',
  'ad.removed',
  'ad.scored',
  'ad.rescored',
  'notice.received',
  'notice.acknowledged',
  'notice.qualified',
  'notice.rejected',
  'case.opened',
  'case.knowledge-established',
  'case.clock-paused',
  'case.clock-resumed',
  'case.claimed',
  'case.decided',
  'case.referred',
  'case.appeal-received',
  'case.appeal-decided',
  'case.closed',
  'uploader.informed',
  'notifier.informed',
  'takedown.requested',
  'reinstatement.requested',
  'takedown.delivered',
  'takedown.delivery-failed',
  'takedown.confirmed',
  'takedown.verified',
  'takedown.verification-failed',
  'sla.at-risk',
  'sla.breached',
  'sla.met',
  'audit.checkpoint',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const REMOVE = Symbol('remove');

function exampleOf<TType extends EventType>(type: TType): EventOf<TType> {
  const definition = EVENT_DEFINITIONS.find((candidate) => candidate.type === type);
  if (!definition) {
    throw new Error(`no example for ${type}`);
  }
  return structuredClone(definition.example) as unknown as EventOf<TType>;
}

/** A copy of an example with values set (or removed) at JSON pointers. */
function edited(type: EventType, edits: Record<string, Json | typeof REMOVE>): Json {
  const event = structuredClone(exampleOf(type)) as unknown as Json;
  for (const [pointer, value] of Object.entries(edits)) {
    const keys = pointer.split('/').slice(1);
    const last = keys.pop() as string;
    const parent = keys.reduce<Json>((node, key) => (node as Record<string, Json>)[key], event) as Record<string, Json>;
    if (value === REMOVE) {
      delete parent[last];
    } else {
      parent[last] = value;
    }
  }
  return event;
}

function errorsOf(value: unknown) {
  const result = validateEvent(value);
  if (result.ok) {
    throw new Error('expected the event to be rejected');
  }
  return result.errors;
}

describe('event registry', () => {
  it('defines every event type of the design catalogue, once per version', () => {
    expect(EVENT_DEFINITIONS.map((definition) => definition.type).sort()).toEqual([...CATALOGUE_EVENT_TYPES].sort());
    const keys = EVENT_DEFINITIONS.map((definition) => `${definition.type}@${definition.version}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(EVENT_DEFINITIONS.map((definition) => [definition.type, definition] as const))(
    'accepts the %s example',
    (_, definition) => {
      const result = validateEvent(definition.example);
      expect(result).toEqual({ ok: true, event: definition.example });
      expect(definition.example.type).toBe(definition.type);
      expect(definition.example.version).toBe(definition.version);
    },
  );

  it('closes every data object and bounds every string and array', () => {
    const violations: string[] = [];
    let visited = 0;
    type SchemaNode = { [keyword: string]: unknown };
    const visit = (schema: SchemaNode, path: string): void => {
      visited += 1;
      if (schema['type'] === 'object' && schema['properties'] && schema['additionalProperties'] !== false) {
        violations.push(`${path}: object without additionalProperties: false`);
      }
      if (schema['type'] === 'string' && schema['maxLength'] === undefined && schema['const'] === undefined) {
        violations.push(`${path}: unbounded string`);
      }
      if (schema['type'] === 'array' && schema['maxItems'] === undefined && !schema['uniqueItems']) {
        violations.push(`${path}: unbounded array`);
      }
      for (const [key, child] of Object.entries((schema['properties'] ?? {}) as Record<string, SchemaNode>)) {
        visit(child, `${path}/${key}`);
      }
      for (const [index, child] of ((schema['anyOf'] ?? []) as SchemaNode[]).entries()) {
        visit(child, `${path}|${index}`);
      }
      if (schema['items']) {
        visit(schema['items'] as SchemaNode, `${path}/items`);
      }
    };
    for (const definition of EVENT_DEFINITIONS) {
      visit(JSON.parse(JSON.stringify(definition.dataSchema)), `${definition.type}`);
    }
    expect(violations).toEqual([]);
    expect(visited).toBeGreaterThan(500);
  });

  it('ties the scoring example evidence spans to the ingested original text', () => {
    const ingested = exampleOf('ad.ingested');
    const scored = exampleOf('ad.scored');
    for (const indicator of scored.data.indicators) {
      for (const span of indicator.spans) {
        const text = ingested.data.originalText[span.field];
        expect(text.slice(span.start, span.end)).toBe(span.excerpt);
      }
    }
  });

  describe('validateEvent', () => {
    it.each<[string, EventType, Record<string, Json | typeof REMOVE>, string]>([
      ['a country that is not ISO 3166-1 alpha-2', 'ad.submitted', { '/data/location/country': 'France' }, '/data/location/country'],
      ['a missing data field', 'ad.submitted', { '/data/title': REMOVE }, '/data/title'],
      ['an extra data field', 'ad.submitted', { '/data/seller': 'x' }, '/data/seller'],
      ['an extra envelope field', 'ad.submitted', { '/traceId': 'abc' }, '/traceId'],
      ['a missing envelope field', 'ad.submitted', { '/source': REMOVE }, '/source'],
      ['an unknown band', 'ad.scored', { '/data/band': 'severe' }, '/data/band'],
      ['a score above 1', 'ad.scored', { '/data/score': 1.2 }, '/data/score'],
      ['an occurredAt without Z', 'ad.submitted', { '/occurredAt': '2026-11-23T08:00:00.000' }, '/occurredAt'],
      ['an occurredAt without milliseconds', 'ad.submitted', { '/occurredAt': '2026-11-23T08:00:00Z' }, '/occurredAt'],
      ['an offset instead of Z', 'case.opened', { '/data/openedAt': '2026-11-23T09:00:00.000+01:00' }, '/data/openedAt'],
      ['a version 4 id', 'ad.submitted', { '/id': '9b2c1f0e-4a3d-4c8b-9e7f-1a2b3c4d5e6f' }, '/id'],
      ['a version 0', 'ad.submitted', { '/version': 0 }, '/version'],
      ['an uppercase tenant', 'ad.submitted', { '/tenant': 'Demo' }, '/tenant'],
      ['a subject of another tenant', 'ad.submitted', { '/subject': 'other:8812345' }, '/subject'],
      ['a subject without ad id', 'ad.submitted', { '/subject': 'demo-annonces:' }, '/subject'],
      ['a numeric correlation id', 'case.opened', { '/correlationId': 42 }, '/correlationId'],
      ['a causation id that is no event id', 'case.opened', { '/causationId': 'notice-1' }, '/causationId'],
      ['a PDQ hash of the wrong length', 'ad.submitted', { '/data/images/0/pdq': 'abc' }, '/data/images/0/pdq'],
      ['a PDQ quality above 100', 'ad.submitted', { '/data/images/0/quality': 101 }, '/data/images/0/quality'],
      ['an unknown decision action', 'case.decided', { '/data/action': 'delete' }, '/data/action'],
      ['an unknown ground', 'case.decided', { '/data/ground': 'moral' }, '/data/ground'],
      ['an unknown notice source type', 'notice.received', { '/data/sourceType': 'anonymous' }, '/data/sourceType'],
      ['a malformed notifier email', 'notice.received', { '/data/notifier/email': 'nope' }, '/data/notifier/email'],
      ['an unknown SLA kind', 'sla.breached', { '/data/sla': 'appeal' }, '/data/sla'],
      ['an unknown network evidence kind', 'ad.scored', { '/data/network/0/kind': 'gossip' }, '/data/network/0/kind'],
      ['bad evidence inside a known kind', 'ad.scored', { '/data/network/0/adCount': 1 }, '/data/network/0/adCount'],
      [
        'an over-long legal ground',
        'uploader.informed',
        { '/data/statementOfReasons/illegal_content_legal_ground': 'x'.repeat(501) },
        '/data/statementOfReasons/illegal_content_legal_ground',
      ],
      [
        'an incompatible-content statement without its ground',
        'uploader.informed',
        {
          '/data/statementOfReasons/decision_ground': 'DECISION_GROUND_INCOMPATIBLE_CONTENT',
          '/data/statementOfReasons/illegal_content_legal_ground': REMOVE,
          '/data/statementOfReasons/illegal_content_explanation': REMOVE,
          '/data/statementOfReasons/incompatible_content_explanation': 'Services sexuels interdits par les conditions.',
        },
        '/data/statementOfReasons/incompatible_content_ground',
      ],
      ['a puid with forbidden characters', 'uploader.informed', { '/data/statementOfReasons/puid': 'case 1/2' }, '/data/statementOfReasons/puid'],
      ['a bad Ed25519 signature', 'audit.checkpoint', { '/data/signature': 'not-base64' }, '/data/signature'],
    ])('rejects %s at the exact path', (_, type, edits, path) => {
      expect(errorsOf(edited(type, edits))[0].path).toBe(path);
    });

    it('rejects an unknown type or version at /type', () => {
      expect(errorsOf(edited('ad.submitted', { '/type': 'ad.sold' }))).toEqual([
        { path: '/type', message: 'Unknown event type "ad.sold" version 1' },
      ]);
      expect(errorsOf(edited('ad.submitted', { '/version': 2 }))[0].path).toBe('/type');
    });

    it('names the allowed values of an enum', () => {
      expect(errorsOf(edited('ad.scored', { '/data/band': 'severe' }))[0].message).toBe('Expected one of "low", "medium", "high", "critical"');
    });

    it('rejects values that are not objects at the root', () => {
      expect(errorsOf(null)).toEqual([{ path: '', message: expect.any(String) }]);
      expect(errorsOf([1, 2])[0].path).toBe('');
    });

    it('reports each path once and caps the number of errors', () => {
      const extras = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`/data/extra${index}`, index]));
      const errors = errorsOf(edited('ad.submitted', extras));
      expect(errors).toHaveLength(MAX_REPORTED_ERRORS);
      expect(new Set(errors.map((error) => error.path)).size).toBe(errors.length);
    });

    it('narrows data by event type', () => {
      const result = validateEvent(exampleOf('ad.scored'));
      if (!result.ok) {
        throw new Error('expected ok');
      }
      const describe = (event: AnyEvent): string => (event.type === 'ad.scored' ? event.data.band : event.type);
      expect(describe(result.event)).toBe('high');
    });

    it('validates thousands of events per second once schemas are compiled', () => {
      const events = EVENT_DEFINITIONS.map((definition) => definition.example);
      const started = process.hrtime.bigint();
      let valid = 0;
      for (let round = 0; round < 300; round += 1) {
        for (const event of events) {
          valid += validateEvent(event).ok ? 1 : 0;
        }
      }
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      expect(valid).toBe(300 * events.length);
      // ~10,000 validations: recompiling per call would take tens of seconds.
      expect(elapsedMs).toBeLessThan(5_000);
    });
  });

  describe('decodeEvent', () => {
    it('round-trips an encoded event', () => {
      const example = exampleOf('takedown.confirmed');
      const bytes = encodeEvent(example);
      expect(Buffer.isBuffer(bytes)).toBe(true);
      expect(decodeEvent(bytes)).toEqual({ ok: true, event: example });
      expect(decodeEvent(bytes.toString('utf8'))).toEqual({ ok: true, event: example });
    });

    it('reports malformed JSON at the root with a clear message', () => {
      const result = decodeEvent(Buffer.from('{"id": "01a2'));
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.errors).toHaveLength(1);
        expect(result.errors[0].path).toBe('');
        expect(result.errors[0].message).toMatch(/^Invalid JSON: /);
      }
    });

    it('rejects tombstones and JSON that is not an event', () => {
      expect(decodeEvent(null)).toEqual({
        ok: false,
        errors: [{ path: '', message: 'Empty message (tombstone): expected a JSON event' }],
      });
      const scalar = decodeEvent('42');
      expect(scalar.ok).toBe(false);
      if (!scalar.ok) {
        expect(scalar.errors[0].path).toBe('');
      }
    });

    it('validates what it parsed', () => {
      const result = decodeEvent(JSON.stringify(edited('sla.met', { '/data/shareOfWindow': 2 })));
      expect(result.ok ? [] : result.errors.map((error) => error.path)).toEqual(['/data/shareOfWindow']);
    });
  });

  describe('createEvent', () => {
    const scoredData = () => exampleOf('ad.scored').data;

    it('fills id, version, occurredAt and null links', () => {
      const before = Date.now();
      const event = createEvent('ad.scored', {
        tenant: 'demo-annonces',
        subject: 'demo-annonces:8812345',
        source: 'scoring',
        data: scoredData(),
      });
      const after = Date.now();
      expect(isUuidV7(event.id)).toBe(true);
      expect(uuidV7Timestamp(event.id)).toBeGreaterThanOrEqual(before);
      expect(event.version).toBe(1);
      expect(event.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(event.occurredAt)).toBeLessThanOrEqual(after);
      expect(event.correlationId).toBeNull();
      expect(event.causationId).toBeNull();
      const band: 'low' | 'medium' | 'high' | 'critical' = event.data.band;
      expect(band).toBe('high');
    });

    it('keeps the business time, links and id it is given', () => {
      const event = createEvent('ad.scored', {
        id: '01a20769-a032-7496-b399-21bca53e89f2',
        tenant: 'demo-annonces',
        subject: 'demo-annonces:8812345',
        source: 'scoring',
        occurredAt: new Date(Date.UTC(2026, 10, 23, 7, 58, 12, 530)),
        correlationId: '01a2076b-44f0-704c-8402-7f216764e593',
        causationId: '01a20769-a020-7519-99ba-8789e168ccd6',
        data: scoredData(),
      });
      expect(event).toMatchObject({
        id: '01a20769-a032-7496-b399-21bca53e89f2',
        occurredAt: '2026-11-23T07:58:12.530Z',
        correlationId: '01a2076b-44f0-704c-8402-7f216764e593',
        causationId: '01a20769-a020-7519-99ba-8789e168ccd6',
      });
    });

    it('throws a ContractViolationError naming the first failing path', () => {
      const data = { ...scoredData(), band: 'severe' } as unknown as EventData<'ad.scored'>;
      let thrown: unknown;
      try {
        createEvent('ad.scored', { tenant: 'demo-annonces', subject: 'demo-annonces:1', source: 'scoring', data });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ContractViolationError);
      const violation = thrown as ContractViolationError;
      expect(violation.errors[0].path).toBe('/data/band');
      expect(violation.message).toContain('ad.scored');
      expect(violation.message).toContain('/data/band');
      expect(violation.name).toBe('ContractViolationError');
    });

    it('rejects invalid times and unknown types', () => {
      const input = { tenant: 'demo-annonces', subject: 'demo-annonces:1', source: 'scoring', data: scoredData() };
      expect(() => createEvent('ad.scored', { ...input, occurredAt: new Date(Number.NaN) })).toThrow(/\/occurredAt/);
      expect(() => createEvent('ad.scored', { ...input, occurredAt: '2026-11-23 08:00' })).toThrow(/\/occurredAt/);
      expect(() => createEvent('ad.sold' as EventType, input)).toThrow(ContractViolationError);
    });

    it('types data by event type', () => {
      const build = () =>
        createEvent('notice.acknowledged', {
          tenant: 'demo-annonces',
          subject: 'demo-annonces:8812345',
          source: 'notice-and-takedown',
          data: {
            noticeId: '01a2076b-43f6-71b8-81fd-19e64e11f0d8',
            acknowledgedAt: '2026-11-23T08:00:00.210Z',
            channel: 'email',
            // @ts-expect-error unknown data fields do not compile
            notifierName: 'x',
          },
        });
      expect(build).toThrow(ContractViolationError);
    });
  });

  it('finds definitions and topics by type and version', () => {
    expect(getEventDefinition('case.decided', 1)?.topic).toBe(Topics.Cases);
    expect(getEventDefinition('case.decided', 9)).toBeUndefined();
    expect(topicOf({ type: 'takedown.confirmed', version: 1 })).toBe(Topics.TakedownResults);
    expect(() => topicOf({ type: 'ad.sold', version: 1 })).toThrow(RangeError);
  });
});
