import {
  context,
  createContextKey,
  createTraceState,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
  type ContextManager,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) over Kafka headers and HTTP, on the
 * `@opentelemetry/api` context and propagation API.
 *
 * No OpenTelemetry SDK is required: without one, spans are non-recording and the API would hand
 * back the parent's ids unchanged, so Vigie makes its own span contexts (random ids, the
 * parent's trace id and flags) and carries them. With an SDK registered before the service
 * starts, the same headers reach it through the global propagator and context.
 */

/** Header names, the same on HTTP and Kafka. */
export const TraceHeaders = { traceparent: 'traceparent', tracestate: 'tracestate' } as const;

// version-traceid-parentid-flags, lowercase hex; a later version may append `-…` fields.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);
/** Longer headers are not parsed at all: the spec's fields fit in 55 characters. */
const MAX_TRACEPARENT_LENGTH = 256;
/** The spec asks carriers to keep at least 512 characters of tracestate; longer ones are dropped. */
const MAX_TRACESTATE_LENGTH = 512;

/**
 * Parses a `traceparent` (and optional `tracestate`) into a remote span context, or
 * `undefined` when the header is missing or malformed in any way (never throws): the caller
 * then starts a new trace, as the spec says.
 */
export function parseTraceparent(traceparent: unknown, tracestate?: unknown): SpanContext | undefined {
  if (typeof traceparent !== 'string' || traceparent.length > MAX_TRACEPARENT_LENGTH) return undefined;
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  // Version ff is forbidden; version 00 has exactly four fields; later versions are read as 00.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  const spanContext: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
  if (typeof tracestate === 'string' && tracestate.length > 0 && tracestate.length <= MAX_TRACESTATE_LENGTH) {
    try {
      const state = createTraceState(tracestate);
      if (state.serialize().length > 0) spanContext.traceState = state;
    } catch {
      // an unreadable tracestate is dropped, the traceparent still counts
    }
  }
  return spanContext;
}

/** The `traceparent` header of a span context (version 00). */
export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${spanContext.traceFlags & TraceFlags.SAMPLED ? '01' : '00'}`;
}

// Span and trace ids come from a pool of random bytes refilled 4 KiB at a time: one
// crypto call per ~170 ids instead of one per id.
const randomPool = Buffer.allocUnsafe(4096);
let randomOffset = randomPool.length;

function randomHex(bytes: number, invalid: string): string {
  for (;;) {
    if (randomOffset + bytes > randomPool.length) {
      randomFillSync(randomPool);
      randomOffset = 0;
    }
    const hex = randomPool.toString('hex', randomOffset, randomOffset + bytes);
    randomOffset += bytes;
    if (hex !== invalid) return hex;
  }
}

export function newSpanId(): string {
  return randomHex(8, INVALID_SPAN_ID);
}

/** The root span context of a new trace (sampled, so that a downstream SDK records it). */
export function newTraceContext(): SpanContext {
  return { traceId: randomHex(16, INVALID_TRACE_ID), spanId: newSpanId(), traceFlags: TraceFlags.SAMPLED, isRemote: false };
}

/** A new span in the parent's trace (same trace id, flags and tracestate), or a new trace without a parent. */
export function childSpanContext(parent: SpanContext | undefined): SpanContext {
  if (!parent || !isSpanContextValid(parent)) return newTraceContext();
  const child: SpanContext = { traceId: parent.traceId, spanId: newSpanId(), traceFlags: parent.traceFlags, isRemote: false };
  if (parent.traceState) child.traceState = parent.traceState;
  return child;
}

/** Header maps as kafkajs (string, Buffer or arrays of them) and Node's HTTP (string or string[]) give them. */
export type HeaderCarrier = Readonly<Record<string, unknown>>;

function headerText(value: unknown, joinRepeated: boolean): string | undefined {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (Array.isArray(value)) {
    // Repeated traceparent headers are ambiguous: ignored. Repeated tracestate headers concatenate.
    if (value.length === 1) return headerText(value[0], false);
    if (!joinRepeated || value.length === 0) return undefined;
    const parts = value.map((part) => headerText(part, false));
    return parts.every((part) => part !== undefined) ? parts.join(',') : undefined;
  }
  return undefined;
}

/** The span context a message or request carries in its `traceparent`/`tracestate` headers, if valid. */
export function spanContextFromHeaders(headers: HeaderCarrier | undefined): SpanContext | undefined {
  if (!headers) return undefined;
  const traceparent = headerText(headers[TraceHeaders.traceparent], false);
  if (traceparent === undefined) return undefined;
  return parseTraceparent(traceparent, headerText(headers[TraceHeaders.tracestate], true));
}

/** Writes `traceparent` (and `tracestate` when there is one) into a header map. */
export function injectTraceHeaders(headers: Record<string, string>, spanContext: SpanContext): Record<string, string> {
  headers[TraceHeaders.traceparent] = formatTraceparent(spanContext);
  const state = spanContext.traceState?.serialize();
  if (state) headers[TraceHeaders.tracestate] = state;
  return headers;
}

/**
 * The W3C Trace Context propagator as an OpenTelemetry `TextMapPropagator` (the same format as
 * `@opentelemetry/core`'s, which needs Node ≥ 22 in its current major and brings the semantic
 * conventions package along). Registered as the global propagator by `installTraceContext`
 * unless an SDK registered one first.
 */
export class W3CTraceContextPropagator implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(ctx);
    if (!spanContext || !isSpanContextValid(spanContext)) return;
    setter.set(carrier, TraceHeaders.traceparent, formatTraceparent(spanContext));
    const state = spanContext.traceState?.serialize();
    if (state) setter.set(carrier, TraceHeaders.tracestate, state);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const traceparent = headerText(getter.get(carrier, TraceHeaders.traceparent), false);
    const spanContext = parseTraceparent(traceparent, headerText(getter.get(carrier, TraceHeaders.tracestate), true));
    return spanContext ? trace.setSpanContext(ctx, spanContext) : ctx;
  }

  fields(): string[] {
    return [TraceHeaders.traceparent, TraceHeaders.tracestate];
  }
}

/** `@opentelemetry/api`'s context manager contract on Node's AsyncLocalStorage. */
export class AsyncLocalStorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();

  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const bound = thisArg === undefined ? fn : (fn.bind(thisArg) as F);
    return this.storage.run(ctx, bound, ...args);
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const manager = this;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    return function (this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => fn.apply(this, args));
    } as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    return this;
  }
}

let installed = false;

/**
 * Makes the OpenTelemetry context follow async calls (AsyncLocalStorage) and registers the
 * W3C propagator, once per process. An SDK set up earlier keeps its own (registration then
 * fails quietly and its context manager, which also follows async calls, is used).
 */
export function installTraceContext(): void {
  if (installed) return;
  installed = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
}

/** The span context of the active trace, if any. */
export function activeSpanContext(): SpanContext | undefined {
  const spanContext = trace.getSpanContext(context.active());
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** Runs `fn` with `spanContext` as the active span (logs and published events then belong to its trace). */
export function runInSpanContext<T>(spanContext: SpanContext | undefined, fn: () => T): T {
  installTraceContext();
  const base = context.active();
  return context.with(spanContext ? trace.setSpanContext(base, spanContext) : trace.deleteSpan(base), fn);
}

/**
 * Log fields for the active trace: `{ traceId, spanId }`, or none outside a trace. A new object
 * each time: pino (as a `mixin`) merges the line's own fields into it.
 */
export function traceLogFields(): { traceId?: string; spanId?: string } {
  const spanContext = activeSpanContext();
  return spanContext ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {};
}

/** Context key of the trace scope a consumer opens around its handler (see `trace-scope.ts`). */
export const TRACE_SCOPE_KEY = createContextKey('vigie.messaging.trace-scope');
