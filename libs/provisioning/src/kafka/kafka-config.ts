import { randomBytes } from 'node:crypto';

/** A KRaft cluster id: the base64url form of 16 random bytes (22 characters), as StorageTool expects. */
export function newClusterId(): string {
  // Like Kafka's own Uuid.randomUuid(), avoid a leading "-": the CLI would read it as an option.
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export interface BrokerPorts {
  port: number;
  controllerPort: number;
}

/** server.properties for a throwaway single-node KRaft cluster (broker and controller in one JVM). */
export function brokerProperties({ port, controllerPort }: BrokerPorts, logDir: string): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=6',
    // One node: internal topics cannot be replicated.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    // Fewer consumer-offset partitions than the default 50 make the first group join much faster.
    'offsets.topic.num.partitions=10',
    // Tests and local runs join groups one consumer at a time; the default 3 s delay only slows them.
    'group.initial.rebalance.delay.ms=0',
    // Topics are created explicitly (as in production), so a typo fails instead of creating a topic.
    'auto.create.topics.enable=false',
    // log.flush.* stay at their defaults: Kafka never fsyncs per message and leaves flushing to the
    // OS, which is what a throwaway broker wants (its data directory is deleted on stop).
    '',
  ].join('\n');
}

/** log4j 1 settings: warnings only, plus the broker's lifecycle line that shows it reached STARTED. */
export const LOG4J_PROPERTIES = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.BrokerServer=INFO',
  '',
].join('\n');
