import type { IHeaders } from 'kafkajs';

/** A record ready for the wire: already encoded, keyed by the event's subject. */
export interface OutgoingRecord {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * The publishing port. Services never see kafkajs: they hand records to an implementation
 * of this interface (the idempotent Kafka producer, or a fake in unit tests).
 * `publish` resolves only once every record is acknowledged by all in-sync replicas.
 */
export interface EventPublisher {
  publish(records: readonly OutgoingRecord[]): Promise<void>;
}

/** Where a consumed message came from, kept for inbox rows and dead letters. */
export interface MessageCoordinates {
  topic: string;
  partition: number;
  offset: string;
  timestamp: string;
  headers: IHeaders;
  /** The record's key as UTF-8 (null for a record without one); absent where no record was read. */
  key?: string | null;
}
