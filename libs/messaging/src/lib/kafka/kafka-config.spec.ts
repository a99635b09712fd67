import { parseBrokerList } from './kafka-config';

describe('parseBrokerList', () => {
  it('splits and trims host:port pairs', () => {
    expect(parseBrokerList(' 127.0.0.1:9092,kafka:19092 ,')).toEqual(['127.0.0.1:9092', 'kafka:19092']);
  });

  it('rejects entries without a port and empty lists', () => {
    expect(() => parseBrokerList('kafka')).toThrow('invalid broker address "kafka": expected host:port');
    expect(() => parseBrokerList(' , ')).toThrow('no broker address given');
  });
});
