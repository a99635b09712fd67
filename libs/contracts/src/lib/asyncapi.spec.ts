import { Parser } from '@asyncapi/parser';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the committed document is a generated artifact, not a project
import committedDocument from '../../../../docs/asyncapi.json';
import { buildAsyncApiDocument, CONTRACTS_VERSION } from './asyncapi';
import { jsonSchemaFor } from './json-schema';
import { EVENT_DEFINITIONS } from './registry';
import { TOPIC_CATALOGUE, Topics, allTopicNames } from './topics';

const SEVERITY_ERROR = 0;

describe('AsyncAPI document', () => {
  const document = buildAsyncApiDocument();
  const channels = Object.values(document.channels) as { address: string; messages: Record<string, unknown> }[];
  const operations = Object.values(document.operations) as {
    action: string;
    channel: { $ref: string };
    description: string;
  }[];

  it('parses with @asyncapi/parser without errors', async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === SEVERITY_ERROR);
    if (errors.length > 0) {
      console.error(errors.map((error) => `${error.path.join('/')}: ${error.message}`).join('\n'));
    }
    expect(errors).toEqual([]);
    expect(parsed?.info().title()).toBe('Vigie events');
    expect(parsed?.info().version()).toBe(CONTRACTS_VERSION);
  }, 60_000);

  it('has a channel for every topic and every DLQ twin', () => {
    expect(channels.map((channel) => channel.address).sort()).toEqual(allTopicNames({ withDlq: true }).sort());
  });

  it('sends and receives on every channel', () => {
    for (const [channelId] of Object.entries(document.channels)) {
      const actions = operations
        .filter((operation) => operation.channel.$ref === `#/channels/${channelId}`)
        .map((operation) => operation.action)
        .sort();
      expect(actions).toEqual(['receive', 'send']);
    }
  });

  it('describes every event with its envelope schema and subject key', () => {
    const messages = document.components.messages as Record<
      string,
      { name: string; contentType: string; payload: unknown; bindings: { kafka: { key: { type: string } } } }
    >;
    for (const definition of EVENT_DEFINITIONS) {
      const messageId = Object.keys(messages).find((id) => messages[id].name === definition.type) as string;
      const message = messages[messageId];
      expect(message).toBeDefined();
      const { $schema: _schema, $id: _id, ...payload } = jsonSchemaFor(definition.type, definition.version);
      expect(message.payload).toEqual(payload);
      expect(message.contentType).toBe('application/json');
      expect(message.bindings.kafka.key.type).toBe('string');
      const carrier = channels.find((channel) => channel.address === definition.topic);
      expect(Object.values(carrier?.messages ?? {})).toContainEqual({ $ref: `#/components/messages/${messageId}` });
    }
  });

  it('carries dead letters as raw bytes with the reason in headers', () => {
    const deadLetter = document.components.messages['deadLetter'] as { payload: unknown; headers: { required: string[] } };
    expect(deadLetter.payload).toMatchObject({ type: 'string' });
    expect(deadLetter.headers.required).toEqual([
      'vigie-dlq-error',
      'vigie-dlq-original-topic',
      'vigie-dlq-original-partition',
      'vigie-dlq-original-offset',
      'vigie-dlq-failed-at',
    ]);
    for (const channel of channels.filter((candidate) => candidate.address.endsWith('.dlq'))) {
      expect(channel.messages).toEqual({ deadLetter: { $ref: '#/components/messages/deadLetter' } });
    }
  });

  it('names who sends and who receives each topic', () => {
    const describedOn = (address: string, action: string) => {
      const channelId = Object.keys(document.channels).find(
        (id) => (document.channels[id] as { address: string }).address === address,
      );
      return operations.find((operation) => operation.channel.$ref === `#/channels/${channelId}` && operation.action === action)
        ?.description;
    };
    expect(describedOn(Topics.AdsSubmitted, 'send')).toBe('Platforms send ad.submitted.');
    expect(describedOn(Topics.TakedownResults, 'send')).toBe(
      'The notice-and-takedown service sends takedown.delivered, takedown.delivery-failed, takedown.verified, takedown.verification-failed; platforms send takedown.confirmed.',
    );
    for (const topic of TOPIC_CATALOGUE) {
      expect(describedOn(topic.name, 'receive')).toContain('the audit service');
    }
  });

  it('is committed up to date in docs/asyncapi.json (run tools/scripts/generate-asyncapi.ts)', () => {
    expect(committedDocument).toEqual(JSON.parse(JSON.stringify(document)));
  });
});
