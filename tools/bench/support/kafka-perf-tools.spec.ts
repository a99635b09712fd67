import { parseConsumerPerformance, parseProducerPerformance } from './kafka-perf-tools';

describe("Kafka's performance tools output", () => {
  it('reads the summary line of ProducerPerformance, not the periodic ones', () => {
    const output = [
      '250606 records sent, 50111.2 records/sec (54.93 MB/sec), 421.6 ms avg latency, 1224.0 ms max latency.',
      '200000 records sent, 61842.918986 records/sec (67.79 MB/sec), 352.16 ms avg latency, 1224.00 ms max latency, 312 ms 50th, 805 ms 95th, 1101 ms 99th, 1211 ms 99.9th.',
    ].join('\n');

    expect(parseProducerPerformance(output)).toEqual({
      records: 200000,
      recordsPerSec: 61843,
      mbPerSec: 67.79,
      avgLatencyMs: 352.16,
      maxLatencyMs: 1224,
      p50Ms: 312,
      p95Ms: 805,
      p99Ms: 1101,
    });
  });

  it('fails with the output when ProducerPerformance printed no summary', () => {
    expect(() => parseProducerPerformance('org.apache.kafka.common.errors.TimeoutException: boom')).toThrow(/no summary[\s\S]*TimeoutException/);
  });

  it('reads the figures under the header of ConsumerPerformance', () => {
    const output = [
      'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec',
      '2026-11-23 16:40:01:120, 2026-11-23 16:40:06:300, 219.2383, 42.3240, 200000, 38610.0386, 3012, 2168, 101.1247, 92250.9225',
    ].join('\n');

    expect(parseConsumerPerformance(output)).toEqual({
      records: 200000,
      recordsPerSec: 38610,
      fetchRecordsPerSec: 92251,
      mbPerSec: 42.324,
      fetchMbPerSec: 101.1247,
      rebalanceMs: 3012,
      fetchMs: 2168,
    });
  });

  it('fails with the output when ConsumerPerformance printed no figures', () => {
    expect(() => parseConsumerPerformance('WARNING: Exiting before consuming the expected number of messages')).toThrow(/data.consumed.in.nMsg[\s\S]*Exiting/);
  });
});
