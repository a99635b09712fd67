/**
 * Thrown by a handler when an event can never be applied (it is valid on the wire but
 * breaks a domain rule). The consumer sends it to the DLQ at once instead of retrying.
 */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}
