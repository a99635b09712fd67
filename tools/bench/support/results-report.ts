// bench/RESULTS.md from the benchmarks' JSON results (bench/results/*.json): one table per
// benchmark with each figure, its target, the ratios the issues define and whether each target
// is met, plus the machine and date the figures were taken on, as far as each file records
// them. Also the short summary of README.md's "Figures" section. Pure: no file access here.

export type Json = Record<string, unknown>;
type Comparison = '>=' | '<=' | '<' | '=';

export interface ReportRow {
  label: string;
  value: unknown;
  unit?: string;
  target?: { comparison: Comparison; value: number };
  /** Whether the target is met: from the file when it says so, else computed. */
  met?: boolean | null;
  /** A figure measured in the same run as a yardstick (no target of its own). */
  baseline?: boolean;
  note?: string;
}

export interface BenchmarkRun {
  script: string;
  status: 'ok' | 'failed';
  exitCode: number | null;
  startedAt: string;
  seconds: number;
}

export interface BenchmarkSection {
  key: string;
  title: string;
  script: string;
  file: string;
  /** The issue that set its targets, where known. */
  issue?: string;
  rows: (json: Json) => ReportRow[];
  /** The headline of README's summary. */
  headline: (json: Json) => string;
}

const at = (json: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Json)[key] : undefined), json);
const num = (json: unknown, path: string): number | undefined => {
  const value = at(json, path);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};

/** A target as the file gives it: `{target, met, value?, comparison?}`, a bare number, with `met.<key>` beside it. */
/** ", at N connections" when the result says at which load it was measured (older results do not). */
function atConnections(json: Json, path: string): string {
  const connections = at(json, path);
  return typeof connections === 'number' ? `, at ${connections} connections` : '';
}

function targetRow(json: Json, key: string, label: string, options: { comparison: Comparison; value?: string; unit?: string; note?: string }): ReportRow {
  const spec = at(json, `targets.${key}`);
  const targetValue = typeof spec === 'number' ? spec : num(spec, 'target');
  const comparison = (typeof spec === 'object' && spec !== null && typeof (spec as Json).comparison === 'string' ? (spec as Json).comparison : options.comparison) as Comparison;
  const value = num(spec, 'value') ?? at(json, options.value ?? key);
  const stated = typeof spec === 'object' && spec !== null && typeof (spec as Json).met === 'boolean' ? ((spec as Json).met as boolean) : undefined;
  const metFlag = at(json, `met.${key}`);
  return {
    label,
    value,
    unit: options.unit,
    note: options.note,
    target: targetValue === undefined ? undefined : { comparison, value: targetValue },
    met: stated ?? (typeof metFlag === 'boolean' ? metFlag : targetValue === undefined ? null : compare(value, comparison, targetValue)),
  };
}

function compare(value: unknown, comparison: Comparison, target: number): boolean | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  switch (comparison) {
    case '>=':
      return value >= target;
    case '<=':
      return value <= target;
    case '<':
      return value < target;
    case '=':
      return value === target;
  }
}

/** Why a latency figure was not taken as asked: ads never recorded, or ingest unable to take the rate. */
function latencyNote(json: Json): string | undefined {
  const notes: string[] = [];
  const missing = num(json, 'latency.missing');
  const sent = num(json, 'latency.sentAdsPerSec');
  const rate = num(json, 'rateForLatency');
  if (sent !== undefined && rate !== undefined && sent < 0.95 * rate) notes.push(`ads went in at ${fmt(sent)}/s only`);
  if (missing) notes.push(`${fmt(missing)} ads not recorded in time`);
  return notes.length > 0 ? notes.join('; ') : undefined;
}

const info = (json: Json, path: string, label: string, unit?: string, extra: Partial<ReportRow> = {}): ReportRow => ({ label, value: at(json, path), unit, ...extra });

export const SECTIONS: readonly BenchmarkSection[] = [
  {
    key: 'pipeline',
    title: 'End to end (ingest → scoring → audit)',
    script: 'bench:pipeline',
    file: 'pipeline.json',
    issue: 'issue 9',
    rows: (json) => [
      targetRow(json, 'endToEndAdsPerSec', 'ads/s end to end (HTTP batch in → ad.scored recorded by the audit)', { comparison: '>=', unit: 'ads/s' }),
      info(json, 'rawKafkaProducerRecordsPerSec', "Kafka's ProducerPerformance, same record size", 'records/s', { baseline: true }),
      info(json, 'rawKafkaConsumerRecordsPerSec', "Kafka's ConsumerPerformance, same records", 'records/s', { baseline: true }),
      info(json, 'rawKafkaAdsPerSec', 'raw Kafka (the lower of the two)', 'records/s', { baseline: true }),
      targetRow(json, 'ratioToRawKafka', 'ratio end to end / raw Kafka', { comparison: '>=' }),
      info(json, 'p50Ms', `p50 latency at ${fmt(at(json, 'rateForLatency'))} ads/s (ingest receipt → audit recorded)`, 'ms'),
      targetRow(json, 'p99Ms', `p99 latency at ${fmt(at(json, 'rateForLatency'))} ads/s (ingest receipt → audit recorded)`, {
        comparison: '<',
        unit: 'ms',
        note: latencyNote(json),
      }),
      ...Object.entries((at(json, 'latency.stages') as Json | undefined) ?? {}).map(([stage, figures]) => ({
        label: `  p50 / p99 of ${stage}`,
        value: `${fmt(at(figures, 'p50Ms'))} / ${fmt(at(figures, 'p99Ms'))}`,
        unit: 'ms',
      })),
      info(json, 'throughput.cpuMsPer1000Ads.total', 'CPU time per 1,000 ads, services + broker + database (throughput phase)', 'ms'),
      targetRow(json, 'maxServiceRssMb', 'peak RSS of the largest service', { comparison: '<', unit: 'MB' }),
      ...Object.entries((at(json, 'serviceRssMb') as Json | undefined) ?? {}).map(([service, mb]) => ({
        label: `  peak RSS of ${service}`,
        value: mb,
        unit: 'MB',
        target: { comparison: '<' as const, value: 300 },
        met: compare(mb, '<', 300),
      })),
    ],
    headline: (json) => {
      const sent = num(json, 'latency.sentAdsPerSec');
      const rate = num(json, 'rateForLatency');
      const load = sent !== undefined && rate !== undefined && sent < 0.95 * rate ? `${fmt(rate)} ads/s asked, ${fmt(sent)} taken` : `${fmt(rate)} ads/s`;
      return `${fmt(at(json, 'endToEndAdsPerSec'))} ads/s end to end (${fmt(at(json, 'ratioToRawKafka'))} of raw Kafka), p99 ${fmt(at(json, 'p99Ms'))} ms at ${load}, largest service ${fmt(at(json, 'maxServiceRssMb'))} MB`;
    },
  },
  {
    key: 'ingest',
    title: 'Ingest',
    script: 'bench:ingest',
    file: 'ingest.json',
    rows: (json) => [
      targetRow(json, 'batchAdsPerSec', 'HTTP batch API', { comparison: '>=', unit: 'ads/s' }),
      info(json, 'rawProducerAdsPerSec', 'bare kafkajs producer, same records', 'ads/s', { baseline: true }),
      targetRow(json, 'ratioToRawProducer', 'ratio batch API / bare producer', { comparison: '>=' }),
      info(json, 'ndjsonAdsPerSec', 'NDJSON stream (one request)', 'ads/s'),
      info(json, 'kafkaNativeAdsPerSec', 'Kafka-native intake (ads.submitted.v1)', 'ads/s'),
      targetRow(json, 'peakRssMb', 'peak RSS while streaming NDJSON', { comparison: '<', unit: 'MB' }),
    ],
    headline: (json) => `${fmt(at(json, 'batchAdsPerSec'))} ads/s by the batch API (${fmt(at(json, 'ratioToRawProducer'))} of a bare producer), peak RSS ${fmt(at(json, 'peakRssMb'))} MB`,
  },
  {
    key: 'scoring',
    title: 'Scoring engine',
    script: 'bench:scoring',
    file: 'scoring.json',
    rows: (json) => [
      targetRow(json, 'adsPerSec', 'ads scored per second (one core)', { comparison: '>=', unit: 'ads/s' }),
      targetRow(json, 'meanMicros', 'mean time per ad', { comparison: '<=', unit: 'µs' }),
      targetRow(json, 'p99Micros', 'p99 time per ad', { comparison: '<=', unit: 'µs' }),
      info(json, 'baselineAdsPerSec', 'baseline: JSON.parse + NFKC of the same ads', 'ads/s', { baseline: true }),
      targetRow(json, 'ratioToBaseline', 'time ratio engine / baseline', { comparison: '<=' }),
      targetRow(json, 'hashLookupsPerSec', `known-image hash lookups (${fmt(at(json, 'hashListSize'))} hashes)`, { comparison: '>=', unit: 'lookups/s' }),
      targetRow(json, 'hashIndexRssMb', 'hash index RSS', { comparison: '<', unit: 'MB' }),
      targetRow(json, 'templateAdsPerSec', 'template clustering', { comparison: '>=', unit: 'ads/s' }),
    ],
    headline: (json) => `${fmt(at(json, 'adsPerSec'))} ads/s per core, p99 ${fmt(at(json, 'p99Micros'))} µs`,
  },
  {
    key: 'scoring-eval',
    title: 'Scoring quality (held-out synthetic corpus)',
    script: 'eval:scoring',
    file: 'scoring-eval.json',
    rows: (json) => [
      targetRow(json, 'precisionHighAndAbove', 'precision, band high and above', { comparison: '>=' }),
      targetRow(json, 'statedMinorRecall', 'recall, stated minors', { comparison: '>=' }),
      targetRow(json, 'movementOnlyAboveMedium', 'movement-only ads above medium', { comparison: '=' }),
    ],
    headline: (json) =>
      `precision ${fmt(at(json, 'targets.precisionHighAndAbove.value'))} (high+), stated-minor recall ${fmt(at(json, 'targets.statedMinorRecall.value'))}`,
  },
  {
    key: 'notices',
    title: 'Notices and takedown commands',
    script: 'bench:notices',
    file: 'notices.json',
    issue: 'issue 5',
    rows: (json) => [
      targetRow(json, 'noticesPerSec', `notices accepted, each opening a case${atConnections(json, 'atConnections')}`, { comparison: '>=', unit: 'notices/s' }),
      targetRow(json, 'p99Ms', `p99 latency of POST /notices${atConnections(json, 'atConnections')}`, { comparison: '<', unit: 'ms' }),
      // Duplicate notices about ads that already have a case: measured beside the issue's figure, not part of its target.
      info(json, 'joining.noticesPerSec', `notices joining existing cases${atConnections(json, 'joining.atConnections')}`, 'notices/s', { note: 'not an issue target' }),
      info(json, 'joining.p99Ms', `p99 latency, joining notices${atConnections(json, 'joining.atConnections')}`, 'ms', { note: 'not an issue target' }),
      info(json, 'helloPerSec', `bare Fastify endpoint${atConnections(json, 'setup.helloConnections')}`, 'requests/s', { baseline: true }),
      info(json, 'ratioToHello', `ratio notices / bare endpoint, same load${atConnections(json, 'setup.helloConnections')}`),
      targetRow(json, 'decisionToCommandP99Ms', 'p99 decision → takedown command on Kafka', { comparison: '<', unit: 'ms' }),
    ],
    headline: (json) => `${fmt(at(json, 'noticesPerSec'))} notices/s (p99 ${fmt(at(json, 'p99Ms'))} ms), decision → command p99 ${fmt(at(json, 'decisionToCommandP99Ms'))} ms`,
  },
  {
    key: 'audit',
    title: 'Audit log',
    script: 'bench:audit',
    file: 'audit.json',
    rows: (json) => [
      targetRow(json, 'appendEventsPerSec', `events appended to the hash-chained log (${fmt(at(json, 'events'))} events)`, { comparison: '>=', unit: 'events/s' }),
      info(json, 'copyEventsPerSec', 'COPY of the same rows, unchained, no indexes', 'events/s', { baseline: true }),
      targetRow(json, 'ratioToCopy', 'ratio append / COPY', { comparison: '>=' }),
      targetRow(json, 'verifyEventsPerSec', 'verify', { comparison: '>=', unit: 'events/s' }),
      targetRow(json, 'reportP50Ms', `p50 of GET /reports/sla over ${fmt(at(json, 'reportEvents'))} events`, { comparison: '<', unit: 'ms' }),
      targetRow(json, 'reportEvents', 'log size the report was measured on', { comparison: '>=', unit: 'events' }),
    ],
    headline: (json) =>
      `${fmt(at(json, 'appendEventsPerSec'))} events/s appended (${fmt(at(json, 'ratioToCopy'))} of COPY), verify ${fmt(at(json, 'verifyEventsPerSec'))} events/s, report p50 ${fmt(at(json, 'reportP50Ms'))} ms over ${fmt(at(json, 'reportEvents'))} events`,
  },
];

export function fmt(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '—';
    return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 4 });
  }
  if (value === null || value === undefined) return '—';
  return String(value);
}

const symbols: Record<Comparison, string> = { '>=': '≥', '<=': '≤', '<': '<', '=': '=' };
const result = (row: ReportRow): string => (row.baseline ? 'baseline' : row.met === true ? '✅ pass' : row.met === false ? '❌ fail' : row.target ? 'n/a' : '');

const NOT_RECORDED = 'not recorded in the file';

/** The machine and date a results file records, in one line. */
export function machineLine(json: Json): { date: string; machine: string } {
  const machine = (at(json, 'machine') as Json | undefined) ?? {};
  const cores = num(machine, 'cpus') ?? num(machine, 'cores');
  const model = (at(machine, 'cpuModel') ?? at(machine, 'cpu')) as string | undefined;
  const memory = num(machine, 'totalMemMb');
  const load =
    (at(machine, 'loadAverageAtStart') as number[] | undefined)?.[0] ?? num(machine, 'loadAverageBefore');
  const parts = [
    cores !== undefined ? `${cores} CPU${cores === 1 ? '' : 's'}${model ? ` (${model})` : ''}` : undefined,
    memory !== undefined ? `${(memory / 1024).toFixed(1)} GB RAM` : undefined,
    typeof at(machine, 'node') === 'string' ? `Node ${at(machine, 'node')}` : undefined,
    typeof at(machine, 'os') === 'string' ? String(at(machine, 'os')) : undefined,
    load !== undefined ? `load average ${load} at start` : undefined,
  ].filter((part): part is string => part !== undefined);
  const date = (at(json, 'measuredAt') ?? at(json, 'generatedAt')) as string | undefined;
  return { date: date ?? NOT_RECORDED, machine: parts.length > 0 ? parts.join(', ') : NOT_RECORDED };
}

function table(rows: ReportRow[]): string {
  const lines = ['| Figure | Measured | Target | Result |', '|---|---:|---|---|'];
  for (const row of rows) {
    const value = `${fmt(row.value)}${row.unit && row.value !== undefined && row.value !== null ? ` ${row.unit}` : ''}`;
    const target = row.target ? `${symbols[row.target.comparison]} ${fmt(row.target.value)}${row.unit ? ` ${row.unit}` : ''}` : '';
    lines.push(`| ${row.label.replace(/^ {2}/, '↳ ')}${row.note ? ` (${row.note})` : ''} | ${value} | ${target} | ${result(row)} |`);
  }
  return lines.join('\n');
}

export interface LoadedResults {
  /** Parsed results per section key; absent when the file is missing or unreadable. */
  results: Record<string, Json | undefined>;
  /** What `npm run bench` recorded of its last run (bench/results/run-all.json), if anything. */
  lastRun?: { startedAt: string; finishedAt?: string; benchmarks: BenchmarkRun[] };
}

/** bench/RESULTS.md. */
export function resultsMarkdown({ results, lastRun }: LoadedResults): string {
  const out: string[] = [
    '# Benchmark results',
    '',
    'Written by `npm run bench:report` (and at the end of `npm run bench`) from `bench/results/*.json`; do not edit by hand.',
    'Each benchmark provisions its own Kafka broker and a fresh PostgreSQL database and reports its figures side by side',
    'with a baseline measured in the same run, so ratios are steadier than absolute figures on a shared machine.',
    '',
    '| Benchmark | Command | Targets met | Measured |',
    '|---|---|---|---|',
  ];
  for (const section of SECTIONS) {
    const json = results[section.key];
    const run = lastRun?.benchmarks.find((b) => b.script === section.script);
    if (!json) {
      out.push(`| [${section.title}](#${anchor(section.title)}) | \`npm run ${section.script}\` | no results${run?.status === 'failed' ? ' (last run failed)' : ''} | — |`);
      continue;
    }
    const targeted = section.rows(json).filter((row) => row.target && !row.label.startsWith('  '));
    const met = targeted.filter((row) => row.met === true).length;
    out.push(
      `| [${section.title}](#${anchor(section.title)}) | \`npm run ${section.script}\` | ${met} of ${targeted.length}${run?.status === 'failed' ? ' (last run failed: older figures)' : ''} | ${machineLine(json).date} |`,
    );
  }
  if (lastRun) {
    out.push('', `Last \`npm run bench\`: started ${lastRun.startedAt}${lastRun.finishedAt ? `, finished ${lastRun.finishedAt}` : ''}.`, '');
    out.push('| Step | Outcome | Duration |', '|---|---|---:|');
    for (const run of lastRun.benchmarks) {
      out.push(`| \`npm run ${run.script}\` | ${run.status === 'ok' ? 'ran' : `**failed** (exit code ${run.exitCode ?? 'none'})`} | ${Math.round(run.seconds)} s |`);
    }
  }
  for (const section of SECTIONS) {
    const json = results[section.key];
    const run = lastRun?.benchmarks.find((b) => b.script === section.script);
    out.push('', `## ${section.title}`, '', `\`npm run ${section.script}\` → \`bench/results/${section.file}\`${section.issue ? ` (targets of ${section.issue})` : ''}.`);
    if (run?.status === 'failed') {
      out.push('', `**The last run of this benchmark failed** (exit code ${run.exitCode ?? 'none'}, ${run.startedAt})${json ? '; the figures below are from its previous results file.' : '.'}`);
    }
    if (!json) {
      out.push('', 'No results file.');
      continue;
    }
    const { date, machine } = machineLine(json);
    out.push('', `Measured: ${date}. Machine: ${machine}.`, '', table(section.rows(json)));
  }
  return `${out.join('\n')}\n`;
}

/** The body of README.md's "Figures" section (between its markers). */
export function readmeFigures({ results }: LoadedResults): string {
  const lines = ['| Benchmark | Latest figures | Targets met | Measured on |', '|---|---|---|---|'];
  for (const section of SECTIONS) {
    const json = results[section.key];
    if (!json) {
      lines.push(`| ${section.title} | no results yet | — | — |`);
      continue;
    }
    const targeted = section.rows(json).filter((row) => row.target && !row.label.startsWith('  '));
    const met = targeted.filter((row) => row.met === true).length;
    const { date, machine } = machineLine(json);
    const when = date === NOT_RECORDED ? 'date not recorded' : date.slice(0, 10);
    lines.push(`| ${section.title} | ${section.headline(json)} | ${met} of ${targeted.length} | ${when}; ${machine === NOT_RECORDED ? 'machine not recorded' : machine} |`);
  }
  return lines.join('\n');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
export function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

export const README_MARKERS = { start: '<!-- figures:start (written by npm run bench:report) -->', end: '<!-- figures:end -->' } as const;

/** README.md with the block between the markers replaced; unchanged when the markers are absent. */
export function replaceReadmeFigures(readme: string, block: string): string {
  const start = readme.indexOf(README_MARKERS.start);
  const end = readme.indexOf(README_MARKERS.end);
  if (start < 0 || end < start) return readme;
  return `${readme.slice(0, start + README_MARKERS.start.length)}\n${block}\n${readme.slice(end)}`;
}
