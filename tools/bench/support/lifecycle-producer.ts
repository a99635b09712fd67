// Produces the audit benchmark's lifecycles to the domain topics from a process of its own, as a
// platform's and the other services' producers would: in the benchmark's process it would share
// the audit's event loop, and every batch it encoded would delay the appender's round trips
// (which hold the append lock). Prints one JSON line when all records are acknowledged.
//
// Usage: lifecycle-producer.ts --brokers host:port --tenant T --events N
import { encodeEvent, topicOf } from '@vigie/contracts';
import { createKafkaClient, KafkaEventPublisher, type OutgoingRecord } from '@vigie/messaging';
import { parseArgs } from 'node:util';
import { Lifecycles } from './audit-lifecycles';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { brokers: { type: 'string' }, tenant: { type: 'string' }, events: { type: 'string' } } });
  const total = Number(values.events);
  if (!values.brokers || !values.tenant || !Number.isInteger(total) || total < 1) throw new Error('usage: --brokers host:port --tenant T --events N');
  const lifecycles = new Lifecycles();
  const records: OutgoingRecord[] = [];
  for (let index = 0; records.length < total; index++) {
    for (const event of lifecycles.of(values.tenant, index).slice(0, total - records.length)) {
      records.push({ topic: topicOf(event), key: event.subject, value: encodeEvent(event), headers: {} });
    }
  }
  const publisher = new KafkaEventPublisher(createKafkaClient({ brokers: values.brokers.split(','), clientId: 'bench-audit-producer' }));
  await publisher.connect();
  // The parent starts its clock when it reads this line.
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  // Its parent gone before the go (stdin closed without a word), there is nothing to do.
  const go = await new Promise<boolean>((resolve) => {
    process.stdin.once('data', () => resolve(true));
    process.stdin.once('end', () => resolve(false));
  });
  if (!go) {
    await publisher.disconnect();
    return;
  }
  const started = Date.now();
  for (let i = 0; i < records.length; i += 5000) await publisher.publish(records.slice(i, i + 5000));
  const producedMs = Date.now() - started;
  await publisher.disconnect();
  process.stdout.write(`${JSON.stringify({ producedMs })}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`lifecycle-producer failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
