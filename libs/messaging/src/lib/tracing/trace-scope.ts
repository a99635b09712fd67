import { context, trace, type SpanContext } from '@opentelemetry/api';
import type { ConsumedEvent } from '../consumer/consumed-event';
import { installTraceContext, newTraceContext, spanContextFromHeaders, TRACE_SCOPE_KEY } from './trace-context';

/** The trace a consumed message carried in its headers, if it carried a valid one. */
export function traceOf(consumed: ConsumedEvent): SpanContext | undefined {
  return spanContextFromHeaders(consumed.coordinates.headers);
}

/** The trace id a consumed message carried, or null. */
export function traceIdOf(consumed: ConsumedEvent): string | null {
  return traceOf(consumed)?.traceId ?? null;
}

/**
 * The traces of one consumed batch, for the events its handler publishes: a batch mixes
 * messages of many traces, so no single active context can stand for it. An event published
 * by the handler continues the trace of its cause (`causationId`), else of the consumed event
 * about the same subject (a batch is one partition, keyed by subject), which is how each
 * message's context becomes its handler's. A message without a valid `traceparent` starts a
 * trace of its own, shared by everything it causes.
 *
 * Indexed lazily: a handler that publishes nothing pays nothing beyond the header bytes.
 */
export class TraceScope {
  private byEventId: Map<string, SpanContext> | undefined;
  private bySubject: Map<string, SpanContext> | undefined;

  constructor(private readonly consumed: readonly ConsumedEvent[]) {}

  /** The span context of the consumed or already published event with this id. */
  ofEvent(eventId: string | null | undefined): SpanContext | undefined {
    if (!eventId) return undefined;
    this.index();
    return this.byEventId?.get(eventId);
  }

  /** The span context of the last consumed event about this subject. */
  ofSubject(subject: string): SpanContext | undefined {
    this.index();
    return this.bySubject?.get(subject);
  }

  /** Records a published event's span context, so that what it causes later in the handler follows it. */
  remember(eventId: string, spanContext: SpanContext): void {
    this.index();
    this.byEventId?.set(eventId, spanContext);
  }

  private index(): void {
    if (this.byEventId) return;
    this.byEventId = new Map();
    this.bySubject = new Map();
    for (const consumed of this.consumed) {
      const spanContext = traceOf(consumed) ?? newTraceContext();
      this.byEventId.set(consumed.event.id, spanContext);
      this.bySubject.set(consumed.event.subject, spanContext);
    }
  }
}

/** Runs a batch handler with its trace scope (and, for a one-event batch, that event's trace as the active context). */
export function runInTraceScope<T>(scope: TraceScope, active: SpanContext | undefined, fn: () => T): T {
  installTraceContext();
  const ctx = context.active().setValue(TRACE_SCOPE_KEY, scope);
  return context.with(active ? trace.setSpanContext(ctx, active) : ctx, fn);
}

/** The trace scope of the batch being handled, if any. */
export function currentTraceScope(): TraceScope | undefined {
  return context.active().getValue(TRACE_SCOPE_KEY) as TraceScope | undefined;
}
