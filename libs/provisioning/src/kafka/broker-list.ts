/** Parses a KAFKA_BROKERS-style list ("host:port,host:port"); blank entries are ignored. */
export function parseBrokerList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}
