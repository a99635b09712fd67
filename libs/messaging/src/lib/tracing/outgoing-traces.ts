import type { SpanContext } from '@opentelemetry/api';
import type { AnyEvent } from '@vigie/contracts';
import type { EntityManager } from 'typeorm';
import { activeSpanContext, childSpanContext, newTraceContext } from './trace-context';
import { currentTraceScope, type TraceScope } from './trace-scope';

/**
 * A service's memory of which trace each subject (ad) belongs to, for events it publishes
 * outside a consumed batch (an HTTP call, a background worker): notice-and-takedown keeps the
 * trace of each ad it learnt from `ads.ingested.v1`, so a moderator's decision continues the
 * ad's trace. Given the events still without a cause in the current trace scope; returns
 * subject → span context for the subjects it knows.
 */
export type SubjectTraceLookup = (manager: EntityManager, events: readonly AnyEvent[]) => Promise<ReadonlyMap<string, SpanContext>>;

export interface TraceAssignmentInput {
  /** The consumed batch's scope, when publishing from a consumer. */
  scope?: TraceScope;
  /** What the service's `SubjectTraceLookup` answered. */
  subjects?: ReadonlyMap<string, SpanContext>;
  /** Per event id, the trace of the request it was made in, when that is not the active one (grouped writes). */
  requests?: ReadonlyMap<string, SpanContext>;
  /** The active span context (an HTTP request's, a one-event batch's). */
  active?: SpanContext;
}

/**
 * The events (in the order given) that no cause or consumed subject in the current scope
 * accounts for: only those are worth a `SubjectTraceLookup`.
 */
export function eventsWithoutCause(events: readonly AnyEvent[], scope: TraceScope | undefined): AnyEvent[] {
  const ids = events.length > 1 ? new Set(events.map((event) => event.id)) : undefined;
  return events.filter(
    (event) =>
      !(event.causationId && (ids?.has(event.causationId) || scope?.ofEvent(event.causationId))) && !scope?.ofSubject(event.subject),
  );
}

/**
 * The span context each published event carries: a new span in the trace of, in order,
 * its cause (`causationId`: a consumed event or one published just before), the consumed
 * event about its subject, the subject's known trace, an event about the same subject
 * published just before, the request it was made in, and otherwise a trace of its own.
 */
export function assignTraces(events: readonly AnyEvent[], input: TraceAssignmentInput = {}): SpanContext[] {
  const { scope, subjects, requests, active } = input;
  const byId = events.length > 1 ? new Map<string, SpanContext>() : undefined;
  const bySubject = events.length > 1 ? new Map<string, SpanContext>() : undefined;
  const assigned: SpanContext[] = new Array(events.length);
  for (let i = 0; i < events.length; i++) {
    const event = events[i];
    const cause = event.causationId ? (byId?.get(event.causationId) ?? scope?.ofEvent(event.causationId)) : undefined;
    const parent =
      cause ??
      scope?.ofSubject(event.subject) ??
      subjects?.get(event.subject) ??
      bySubject?.get(event.subject) ??
      requests?.get(event.id) ??
      active;
    const spanContext = parent ? childSpanContext(parent) : newTraceContext();
    assigned[i] = spanContext;
    byId?.set(event.id, spanContext);
    bySubject?.set(event.subject, spanContext);
    scope?.remember(event.id, spanContext);
  }
  return assigned;
}

/**
 * `assignTraces` with the current scope, active context and the service's lookup (queried only
 * when needed, and not at all when the writer passes the subjects' traces it already read).
 */
export async function resolveOutgoingTraces(
  manager: EntityManager,
  events: readonly AnyEvent[],
  lookup: SubjectTraceLookup | undefined,
  requests?: ReadonlyMap<string, SpanContext>,
  knownSubjects?: ReadonlyMap<string, SpanContext>,
): Promise<SpanContext[]> {
  const scope = currentTraceScope();
  let subjects = knownSubjects;
  if (lookup && !subjects) {
    const open = eventsWithoutCause(events, scope);
    if (open.length > 0) subjects = await lookup(manager, open);
  }
  return assignTraces(events, { scope, subjects, requests, active: activeSpanContext() });
}
