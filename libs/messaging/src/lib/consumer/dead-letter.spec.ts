import { MessageHeaders } from '../headers';
import { deadLetterRecord, describeError } from './dead-letter';

describe('deadLetterRecord', () => {
  const coordinates = { topic: 'ads.ingested.v1', partition: 4, offset: '1234', timestamp: '0', headers: {} };

  it('keeps the original bytes and key and says why and where from', () => {
    const value = Buffer.from('{"broken"');
    const record = deadLetterRecord({ key: Buffer.from('acme:ad-1'), value }, coordinates, 'vigie-scoring', 'bad JSON', new Date('2026-11-23T08:00:00.000Z'));
    expect(record).toEqual({
      topic: 'ads.ingested.v1.dlq',
      key: 'acme:ad-1',
      value,
      headers: {
        [MessageHeaders.dlqError]: 'bad JSON',
        [MessageHeaders.dlqOriginalTopic]: 'ads.ingested.v1',
        [MessageHeaders.dlqOriginalPartition]: '4',
        [MessageHeaders.dlqOriginalOffset]: '1234',
        [MessageHeaders.dlqFailedAt]: '2026-11-23T08:00:00.000Z',
        [MessageHeaders.dlqConsumerGroup]: 'vigie-scoring',
      },
    });
  });

  it('survives a tombstone and bounds the reason', () => {
    const record = deadLetterRecord({ key: null, value: null }, coordinates, 'g', 'x'.repeat(5000));
    expect(record.value).toEqual(Buffer.alloc(0));
    expect(record.key).toBe('');
    expect(record.headers[MessageHeaders.dlqError].length).toBe(2001);
  });

  it('describes errors by name and message', () => {
    expect(describeError(new TypeError('boom'))).toBe('TypeError: boom');
    expect(describeError('plain')).toBe('plain');
  });
});
