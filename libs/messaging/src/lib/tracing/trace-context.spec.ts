import { context, propagation, ROOT_CONTEXT, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { toOutgoingRecord } from '../event-records';
import { deadLetterRecord } from '../consumer/dead-letter';
import { createEvent } from '@vigie/contracts';
import {
  activeSpanContext,
  childSpanContext,
  formatTraceparent,
  injectTraceHeaders,
  installTraceContext,
  newTraceContext,
  parseTraceparent,
  runInSpanContext,
  spanContextFromHeaders,
  traceLogFields,
  W3CTraceContextPropagator,
} from './trace-context';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

function parsed(header: string, tracestate?: string): SpanContext {
  const spanContext = parseTraceparent(header, tracestate);
  if (!spanContext) throw new Error(`expected ${header} to parse`);
  return spanContext;
}

describe('traceparent parsing', () => {
  it('reads a valid version-00 header, its sampled flag and its tracestate', () => {
    const parsed = parseTraceparent(VALID, 'vendor=abc,other=1');
    expect(parsed).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(parsed?.traceState?.get('vendor')).toBe('abc');
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`)?.traceFlags).toBe(TraceFlags.NONE);
    // Surrounding whitespace (HTTP optional whitespace) is tolerated.
    expect(parseTraceparent(`  ${VALID} `)?.traceId).toBe(TRACE_ID);
  });

  it('reads a later version by its version-00 fields, extra fields included', () => {
    expect(parseTraceparent(`cc-${TRACE_ID}-${SPAN_ID}-01-what-the-future-holds`)?.traceId).toBe(TRACE_ID);
  });

  it.each([
    ['missing', undefined],
    ['not a string', 42],
    ['empty', ''],
    ['garbage', 'hello'],
    ['uppercase hex', `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['all-zero span id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['forbidden version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['version 00 with an extra field', `${VALID}-extra`],
    ['short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['long span id', `00-${TRACE_ID}-${SPAN_ID}0-01`],
    ['non-hex flags', `00-${TRACE_ID}-${SPAN_ID}-zz`],
    ['missing separators', `00${TRACE_ID}${SPAN_ID}01`],
    ['huge', `00-${TRACE_ID}-${SPAN_ID}-01-${'x'.repeat(10_000)}`],
  ])('ignores a malformed traceparent (%s) without throwing', (_what, header) => {
    expect(() => parseTraceparent(header)).not.toThrow();
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('drops an unusable tracestate but keeps the traceparent', () => {
    expect(parseTraceparent(VALID, 'x'.repeat(600))?.traceState).toBeUndefined();
    expect(parseTraceparent(VALID, 'not a list member')?.traceState).toBeUndefined();
    expect(parseTraceparent(VALID, 42)?.traceId).toBe(TRACE_ID);
  });

  it('formats what it parses', () => {
    expect(formatTraceparent(parsed(VALID))).toBe(VALID);
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 })).toBe(`00-${TRACE_ID}-${SPAN_ID}-00`);
  });
});

describe('span contexts', () => {
  it('makes a child in the parent trace with a new span id, keeping flags and tracestate', () => {
    const parent = parsed(VALID, 'vendor=abc');
    const child = childSpanContext(parent);
    expect(child.traceId).toBe(TRACE_ID);
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanId).not.toBe(SPAN_ID);
    expect(child.traceFlags).toBe(TraceFlags.SAMPLED);
    expect(child.traceState?.serialize()).toBe('vendor=abc');
    expect(child.isRemote).toBe(false);
  });

  it('starts a new, sampled trace without a parent, with random valid ids', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const root = childSpanContext(undefined);
      expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(root.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(root.traceFlags).toBe(TraceFlags.SAMPLED);
      ids.add(root.traceId);
    }
    expect(ids.size).toBe(500);
    expect(parseTraceparent(formatTraceparent(newTraceContext()))).toBeDefined();
  });
});

describe('headers', () => {
  it('reads Kafka headers given as Buffers, strings or one-element arrays', () => {
    expect(spanContextFromHeaders({ traceparent: Buffer.from(VALID) })?.traceId).toBe(TRACE_ID);
    expect(spanContextFromHeaders({ traceparent: VALID, tracestate: Buffer.from('a=1') })?.traceState?.get('a')).toBe('1');
    expect(spanContextFromHeaders({ traceparent: [Buffer.from(VALID)] })?.traceId).toBe(TRACE_ID);
  });

  it('joins repeated tracestate headers and refuses repeated traceparents', () => {
    expect(spanContextFromHeaders({ traceparent: VALID, tracestate: ['a=1', 'b=2'] })?.traceState?.serialize()).toBe('a=1,b=2');
    expect(spanContextFromHeaders({ traceparent: [VALID, VALID] })).toBeUndefined();
  });

  it('finds nothing in headers without a valid traceparent, and never throws', () => {
    for (const headers of [undefined, {}, { traceparent: undefined }, { traceparent: Buffer.from('garbage') }, { traceparent: [] }, { traceparent: { not: 'a header' } }]) {
      expect(() => spanContextFromHeaders(headers)).not.toThrow();
      expect(spanContextFromHeaders(headers)).toBeUndefined();
    }
  });

  it('writes traceparent, and tracestate only when there is one', () => {
    const headers = injectTraceHeaders({}, parsed(VALID));
    expect(headers).toEqual({ traceparent: VALID });
    expect(injectTraceHeaders({}, parsed(VALID, 'a=1'))).toEqual({ traceparent: VALID, tracestate: 'a=1' });
  });

  it('puts a trace on every outgoing record: a child of the active one, else a new trace', () => {
    const event = createEvent('notice.acknowledged', {
      tenant: 'acme',
      subject: 'acme:ad-1',
      source: 'test',
      data: { noticeId: '0190a5c2-0000-7000-8000-000000000001', acknowledgedAt: new Date().toISOString(), channel: 'api-response' },
    });
    const outside = spanContextFromHeaders(toOutgoingRecord(event).headers);
    expect(outside).toBeDefined();
    expect(outside?.traceId).not.toBe(TRACE_ID);
    const inside = runInSpanContext(parseTraceparent(VALID), () => spanContextFromHeaders(toOutgoingRecord(event).headers));
    expect(inside?.traceId).toBe(TRACE_ID);
    expect(inside?.spanId).not.toBe(SPAN_ID);
  });

  it('keeps the original trace on a dead letter', () => {
    const coordinates = { topic: 'ads.ingested.v1', partition: 0, offset: '1', timestamp: '0', headers: { traceparent: Buffer.from(VALID) } };
    expect(deadLetterRecord({ key: null, value: null }, coordinates, 'g', 'bad').headers.traceparent).toBe(VALID);
    expect(deadLetterRecord({ key: null, value: null }, { ...coordinates, headers: { traceparent: 'bad' } }, 'g', 'bad').headers.traceparent).toBeUndefined();
  });
});

describe('the OpenTelemetry context and propagator', () => {
  beforeAll(() => installTraceContext());

  it('follows async calls and nests', async () => {
    const outer = parsed(VALID);
    const inner = childSpanContext(outer);
    expect(activeSpanContext()).toBeUndefined();
    expect(traceLogFields()).toEqual({});
    await runInSpanContext(outer, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(activeSpanContext()?.spanId).toBe(SPAN_ID);
      expect(traceLogFields()).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID });
      await runInSpanContext(inner, async () => {
        await Promise.resolve();
        expect(activeSpanContext()?.spanId).toBe(inner.spanId);
      });
      expect(activeSpanContext()?.spanId).toBe(SPAN_ID);
      // Leaving a trace inside one (a group of requests) is possible too.
      runInSpanContext(undefined, () => expect(activeSpanContext()).toBeUndefined());
    });
    expect(activeSpanContext()).toBeUndefined();
  });

  it('injects and extracts through the global propagation API', () => {
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpanContext(ROOT_CONTEXT, parsed(VALID, 'a=1')), carrier);
    expect(carrier).toEqual({ traceparent: VALID, tracestate: 'a=1' });
    const extracted = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
    expect(extracted).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, isRemote: true });
    expect(trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: 'nope' }))).toBeUndefined();
    expect(new W3CTraceContextPropagator().fields()).toEqual(['traceparent', 'tracestate']);
  });

  it('binds functions to a context', () => {
    const ctx = trace.setSpanContext(ROOT_CONTEXT, parsed(VALID));
    const bound = context.bind(ctx, () => activeSpanContext()?.traceId);
    expect(bound()).toBe(TRACE_ID);
  });
});
