import { anchor, machineLine, readmeFigures, README_MARKERS, replaceReadmeFigures, resultsMarkdown, SECTIONS } from './results-report';

const pipeline = {
  measuredAt: '2026-11-23T17:00:00.000Z',
  machine: { cpus: 2, cpuModel: 'AMD EPYC', totalMemMb: 24105, node: 'v20.20.2', os: 'linux 6.1', loadAverageAtStart: [2.5, 2, 1] },
  endToEndAdsPerSec: 1200,
  p50Ms: 80,
  p99Ms: 650.5,
  rateForLatency: 1000,
  rawKafkaAdsPerSec: 40000,
  rawKafkaProducerRecordsPerSec: 40000,
  rawKafkaConsumerRecordsPerSec: 90000,
  ratioToRawKafka: 0.03,
  maxServiceRssMb: 310,
  serviceRssMb: { ingest: 200, scoring: 310 },
  latency: { missing: 0, sentAdsPerSec: 820, stages: { 'audit (ad.scored on the broker → recorded)': { p50Ms: 40, p99Ms: 300.5 } } },
  throughput: { cpuMsPer1000Ads: { total: 1500 } },
  targets: {
    endToEndAdsPerSec: { target: 5000, comparison: '>=', value: 1200, met: false },
    p99Ms: { target: 500, comparison: '<', value: 650.5, met: false },
    ratioToRawKafka: { target: 0.25, comparison: '>=', value: 0.03, met: false },
    maxServiceRssMb: { target: 300, comparison: '<', value: 310, met: false },
  },
};

// The shapes the other benchmarks write today: targets as {target, met}, bare numbers with a
// `met` map beside them, or bare numbers alone.
const ingest = {
  measuredAt: '2026-11-23T11:59:01.257Z',
  machine: { cpus: 2, cpuModel: 'AMD EPYC', node: 'v20.20.2' },
  batchAdsPerSec: 9471,
  rawProducerAdsPerSec: 29513,
  ratioToRawProducer: 0.32,
  peakRssMb: 357,
  targets: { batchAdsPerSec: { target: 20000, met: false }, ratioToRawProducer: { target: 0.5, met: false }, peakRssMb: { target: 300, met: false } },
};
const scoring = { adsPerSec: 34776, meanMicros: 37.46, targets: { adsPerSec: 30000, meanMicros: 33 }, met: { adsPerSec: true, meanMicros: false }, machine: { cpu: 'AMD EPYC', cores: 2, node: 'v20.20.2', loadAverageBefore: 2.08 } };
const audit = { generatedAt: '2026-11-23T12:22:21.977Z', appendEventsPerSec: 955, copyEventsPerSec: 5643, ratioToCopy: 0.17, reportP50Ms: 4, targets: { appendEventsPerSec: 20000, ratioToCopy: 0.5, reportP50Ms: 1000 } };

const rowsOf = (key: string, json: object) => (SECTIONS.find((section) => section.key === key) as (typeof SECTIONS)[number]).rows(json as never);

describe('the benchmark results report', () => {
  it('takes each target, its comparison and whether it is met from the file', () => {
    const rows = rowsOf('pipeline', pipeline);

    expect(rows.find((row) => row.label.startsWith('ads/s end to end'))).toMatchObject({ value: 1200, target: { comparison: '>=', value: 5000 }, met: false });
    expect(rows.find((row) => row.label.startsWith('p99 latency at 1,000 ads/s'))).toMatchObject({ value: 650.5, target: { comparison: '<', value: 500 }, met: false });
    expect(rows.find((row) => row.label === '  peak RSS of ingest')).toMatchObject({ value: 200, met: true });
    expect(rows.find((row) => row.label.startsWith('raw Kafka'))).toMatchObject({ value: 40000, baseline: true });
  });

  it('reads targets given as bare numbers with a met map, and computes them when the file says nothing', () => {
    expect(rowsOf('scoring', scoring).find((row) => row.label === 'mean time per ad')).toMatchObject({ value: 37.46, target: { comparison: '<=', value: 33 }, met: false });
    const auditRows = rowsOf('audit', audit);
    expect(auditRows.find((row) => row.label.startsWith('events appended'))).toMatchObject({ value: 955, met: false });
    expect(auditRows.find((row) => row.label.startsWith('p50 of GET /reports/sla'))).toMatchObject({ value: 4, met: true });
    expect(auditRows.find((row) => row.label.startsWith('verify'))).toMatchObject({ value: undefined, met: null });
  });

  it('writes a table per benchmark, the machine and date, and says which files are missing', () => {
    const markdown = resultsMarkdown({ results: { pipeline, ingest, scoring, audit } });

    expect(markdown).toContain('| ads/s end to end (HTTP batch in → ad.scored recorded by the audit) | 1,200 ads/s | ≥ 5,000 ads/s | ❌ fail |');
    expect(markdown).toContain('| ↳ peak RSS of ingest | 200 MB | < 300 MB | ✅ pass |');
    expect(markdown).toContain('| ↳ p50 / p99 of audit (ad.scored on the broker → recorded) | 40 / 300.5 ms |  |  |');
    expect(markdown).toContain('| CPU time per 1,000 ads, services + broker + database (throughput phase) | 1,500 ms |  |  |');
    expect(markdown).toContain('| p99 latency at 1,000 ads/s (ingest receipt → audit recorded) (ads went in at 820/s only) | 650.5 ms | < 500 ms | ❌ fail |');
    expect(markdown).toContain('Measured: 2026-11-23T17:00:00.000Z. Machine: 2 CPUs (AMD EPYC), 23.5 GB RAM, Node v20.20.2, linux 6.1, load average 2.5 at start.');
    expect(markdown).toContain('| [End to end (ingest → scoring → audit)](#end-to-end-ingest--scoring--audit) | `npm run bench:pipeline` | 0 of 4 |');
    expect(markdown).toContain('Measured: 2026-11-23T12:22:21.977Z. Machine: not recorded in the file.');
    expect(markdown).toMatch(/## Notices and takedown commands\n\n.*\n\nNo results file\./);
  });

  it('reports a failed run and keeps the older figures', () => {
    const markdown = resultsMarkdown({
      results: { ingest },
      lastRun: { startedAt: '2026-11-23T18:00:00.000Z', benchmarks: [{ script: 'bench:ingest', status: 'failed', exitCode: 1, startedAt: '2026-11-23T18:00:01.000Z', seconds: 12 }] },
    });

    expect(markdown).toContain('| `npm run bench:ingest` | **failed** (exit code 1) | 12 s |');
    expect(markdown).toContain('**The last run of this benchmark failed** (exit code 1, 2026-11-23T18:00:01.000Z); the figures below are from its previous results file.');
  });

  it("replaces only the block between README's markers", () => {
    const readme = `# Vigie\n\n## Figures\n\n${README_MARKERS.start}\nold\n${README_MARKERS.end}\n\nSee bench/RESULTS.md.\n`;
    const block = readmeFigures({ results: { pipeline } });

    const updated = replaceReadmeFigures(readme, block);

    expect(updated).toBe(`# Vigie\n\n## Figures\n\n${README_MARKERS.start}\n${block}\n${README_MARKERS.end}\n\nSee bench/RESULTS.md.\n`);
    expect(block).toContain(
      '| End to end (ingest → scoring → audit) | 1,200 ads/s end to end (0.03 of raw Kafka), p99 650.5 ms at 1,000 ads/s asked, 820 taken, largest service 310 MB | 0 of 4 | 2026-11-23;',
    );
    expect(replaceReadmeFigures('# no markers\n', block)).toBe('# no markers\n');
  });

  it('describes machines recorded in either shape', () => {
    expect(machineLine(scoring)).toEqual({ date: 'not recorded in the file', machine: '2 CPUs (AMD EPYC), Node v20.20.2, load average 2.08 at start' });
    expect(anchor('End to end (ingest → scoring → audit)')).toBe('end-to-end-ingest--scoring--audit');
  });
});
