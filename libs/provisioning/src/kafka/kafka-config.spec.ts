import { brokerProperties, newClusterId } from './kafka-config';

describe('Kafka broker configuration', () => {
  it('makes cluster ids StorageTool accepts: 22 base64url characters, never a leading dash', () => {
    for (let i = 0; i < 2000; i++) {
      expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });

  it('advertises the loopback broker port and points the quorum at the controller port', () => {
    const properties = brokerProperties({ port: 19999, controllerPort: 19998 }, '/data/kafka');

    expect(properties).toContain('advertised.listeners=PLAINTEXT://127.0.0.1:19999\n');
    expect(properties).toContain('controller.quorum.voters=1@127.0.0.1:19998\n');
    expect(properties).toContain('log.dirs=/data/kafka\n');
    expect(properties).toContain('auto.create.topics.enable=false\n');
  });
});
