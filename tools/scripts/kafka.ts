// `npm run kafka`: a local Kafka broker (KRaft, from Maven Central) in the foreground, for
// running services or integration specs by hand. Prints the KAFKA_BROKERS value to export;
// Ctrl-C stops it and removes its data.
import { provisionKafka } from '@vigie/provisioning';

async function main(): Promise<void> {
  const kafka = await provisionKafka({ log: (line) => console.log(`kafka ▸ ${line}`) });
  console.log(`\nexport KAFKA_BROKERS=${kafka.brokers.join(',')}\n\nPress Ctrl-C to stop.`);
  // The broker's process handle is unref'd (it must never keep a test run alive), so this
  // command keeps itself alive until it is told to stop.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const stop = () => {
    clearInterval(keepAlive);
    void kafka.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(`kafka ▸ ${(error as Error).message}`);
  process.exit(1);
});
