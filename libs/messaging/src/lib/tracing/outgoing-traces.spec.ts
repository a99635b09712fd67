import type { SpanContext } from '@opentelemetry/api';
import type { AnyEvent } from '@vigie/contracts';
import type { EntityManager } from 'typeorm';
import type { ConsumedEvent } from '../consumer/consumed-event';
import { assignTraces, eventsWithoutCause, resolveOutgoingTraces, type SubjectTraceLookup } from './outgoing-traces';
import { formatTraceparent, parseTraceparent, runInSpanContext } from './trace-context';
import { currentTraceScope, runInTraceScope, TraceScope, traceIdOf } from './trace-scope';

const trace = (n: number): SpanContext => parseTraceparent(`00-${String(n).padStart(32, 'a')}-${String(n).padStart(16, 'b')}-01`) as SpanContext;
const event = (id: string, subject: string, causationId: string | null = null) => ({ id, subject, tenant: subject.split(':')[0], causationId }) as AnyEvent;
const consumed = (e: AnyEvent, headers: Record<string, unknown> = {}): ConsumedEvent => ({
  event: e,
  coordinates: { topic: 't', partition: 0, offset: '0', timestamp: '0', headers: headers as ConsumedEvent['coordinates']['headers'] },
});
const manager = {} as EntityManager;

describe('the traces of published events', () => {
  it('continue the trace of their cause, then of the consumed event about their subject', () => {
    const scope = new TraceScope([
      consumed(event('in-1', 'acme:ad-1'), { traceparent: Buffer.from(formatTraceparent(trace(1))) }),
      consumed(event('in-2', 'acme:ad-2'), { traceparent: formatTraceparent(trace(2)) }),
    ]);
    const [byCause, bySubject, chained] = assignTraces([event('out-1', 'acme:ad-9', 'in-2'), event('out-2', 'acme:ad-1'), event('out-3', 'acme:ad-7', 'out-1')], { scope });
    expect(byCause.traceId).toBe(trace(2).traceId);
    expect(bySubject.traceId).toBe(trace(1).traceId);
    expect(chained.traceId).toBe(trace(2).traceId);
    // Each published event is a span of its own.
    expect(new Set([byCause.spanId, bySubject.spanId, chained.spanId, trace(1).spanId, trace(2).spanId]).size).toBe(5);
    // The scope remembers them for the handler's later writes.
    expect(scope.ofEvent('out-1')?.spanId).toBe(byCause.spanId);
  });

  it('give each consumed message without a valid traceparent a trace of its own, shared by what it causes', () => {
    const scope = new TraceScope([consumed(event('in-1', 'acme:ad-1'), { traceparent: 'garbage' }), consumed(event('in-2', 'acme:ad-2'))]);
    const [a, b, c] = assignTraces([event('o1', 'acme:ad-1', 'in-1'), event('o2', 'acme:ad-1'), event('o3', 'acme:ad-2', 'in-2')], { scope });
    expect(a.traceId).toBe(b.traceId);
    expect(c.traceId).not.toBe(a.traceId);
    expect(traceIdOf(consumed(event('x', 'acme:ad-1'), { traceparent: 'garbage' }))).toBeNull();
  });

  it("outside a batch, continue the subject's known trace, then an earlier event of the subject, the request's trace, the active one", () => {
    const events = [event('e1', 'acme:ad-1'), event('e2', 'acme:ad-2'), event('e3', 'acme:ad-2'), event('e4', 'acme:ad-3'), event('e5', 'acme:ad-4')];
    const [known, fromRequest, sameSubject, active, alone] = assignTraces(events, {
      subjects: new Map([['acme:ad-1', trace(1)]]),
      requests: new Map([['e2', trace(2)]]),
      active: trace(3),
    });
    expect(known.traceId).toBe(trace(1).traceId);
    expect(fromRequest.traceId).toBe(trace(2).traceId);
    expect(sameSubject.traceId).toBe(trace(2).traceId);
    expect(active.traceId).toBe(trace(3).traceId);
    expect(alone.traceId).toBe(trace(3).traceId);
    // Without any of these: one new trace per subject.
    const [x, y, z] = assignTraces([event('n1', 'acme:ad-1'), event('n2', 'acme:ad-1'), event('n3', 'acme:ad-2')]);
    expect(x.traceId).toBe(y.traceId);
    expect(z.traceId).not.toBe(x.traceId);
  });

  it('ask the service about subjects only for events no cause in the batch accounts for', async () => {
    const scope = new TraceScope([consumed(event('in-1', 'acme:ad-1'), { traceparent: formatTraceparent(trace(1)) })]);
    const events = [event('o1', 'acme:ad-1'), event('o2', 'acme:ad-2', 'in-1'), event('o3', 'acme:ad-3', 'o2'), event('o4', 'acme:ad-4')];
    expect(eventsWithoutCause(events, scope).map((e) => e.id)).toEqual(['o4']);
    const asked: string[][] = [];
    const lookup: SubjectTraceLookup = async (_manager, open) => {
      asked.push(open.map((e) => e.subject));
      return new Map([['acme:ad-4', trace(4)]]);
    };
    const traces = await runInTraceScope(scope, undefined, () => {
      expect(currentTraceScope()).toBe(scope);
      return resolveOutgoingTraces(manager, events, lookup);
    });
    expect(asked).toEqual([['acme:ad-4']]);
    expect(traces.map((t) => t.traceId)).toEqual([trace(1).traceId, trace(1).traceId, trace(1).traceId, trace(4).traceId]);
    // Nothing to ask: no query.
    await runInTraceScope(scope, undefined, () => resolveOutgoingTraces(manager, [event('o5', 'acme:ad-1')], lookup));
    expect(asked).toHaveLength(1);
  });

  it('use the active context (an HTTP request with a traceparent) when nothing else is known', async () => {
    const [t] = await runInSpanContext(trace(7), () => resolveOutgoingTraces(manager, [event('o1', 'acme:ad-1')], undefined));
    expect(t.traceId).toBe(trace(7).traceId);
    expect(t.spanId).not.toBe(trace(7).spanId);
  });
});
