/** Messages between `ThreadedKafkaPublisher` and its worker thread. */

/** One record's place in the payload buffer that travels with a publish request. */
export interface RecordSlot {
  topic: string;
  key: string;
  headers: Record<string, string>;
  length: number;
}

export interface PublisherThreadSettings {
  /** Marks the thread's `workerData`, so the worker module does nothing when merely imported. */
  role: string;
  brokers: string[];
  clientId: string;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Forward kafkajs's log lines to the main thread (else errors only, on stderr). */
  forwardLogs: boolean;
}

export type PublisherThreadRequest =
  | { kind: 'publish'; id: number; slots: RecordSlot[]; payload: ArrayBuffer }
  | { kind: 'disconnect' };

/** An error as it crosses the thread boundary: kafkajs's `type` and `retriable` survive. */
export interface ThreadError {
  name: string;
  message: string;
  type?: string;
  retriable?: boolean;
}

export type PublisherThreadReply =
  | { kind: 'connected' }
  | { kind: 'connect-failed'; error: ThreadError }
  | { kind: 'published'; id: number }
  | { kind: 'failed'; id: number; error: ThreadError }
  | { kind: 'counted'; topic: string; count: number }
  | { kind: 'log'; level: 'error' | 'warn' | 'info' | 'debug'; message: string; extra: Record<string, unknown> }
  | { kind: 'disconnected' };

export function toThreadError(error: unknown): ThreadError {
  const { name, message, type, retriable } = (error ?? {}) as Partial<ThreadError>;
  return { name: name ?? 'Error', message: message ?? String(error), type, retriable };
}

export function fromThreadError(error: ThreadError): Error {
  return Object.assign(new Error(error.message), error);
}
