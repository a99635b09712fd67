import type { Static, TObject } from '@sinclair/typebox';
import type { EventEnvelope } from './envelope';
import type { ServiceName } from './services';
import type { TopicName } from './topics';

/** One version of one event type: where it travels, who emits it, the shape of its `data`. */
export interface EventDefinition<TType extends string = string, TData extends TObject = TObject> {
  readonly type: TType;
  readonly version: number;
  readonly topic: TopicName;
  readonly producer: ServiceName;
  /** One sentence: the fact this event records. */
  readonly summary: string;
  readonly dataSchema: TData;
  /** A realistic, valid instance; documentation and a test fixture at once. */
  readonly example: EventEnvelope<TType, Static<TData>>;
}

/** Keeps the literal type name and the data schema type, and checks the example against them. */
export function defineEvent<const TType extends string, TData extends TObject>(
  definition: EventDefinition<TType, TData>,
): EventDefinition<TType, TData> {
  return definition;
}
