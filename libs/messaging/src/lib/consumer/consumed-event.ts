import type { AnyEvent } from '@vigie/contracts';
import type { MessageCoordinates } from '../ports';

export interface ConsumedEvent<E extends AnyEvent = AnyEvent> {
  event: E;
  coordinates: MessageCoordinates;
}
