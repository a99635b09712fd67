// `npm run bench:report`: writes bench/RESULTS.md from the benchmarks' results
// (bench/results/*.json, and bench/results/run-all.json when `npm run bench` ran), and refreshes
// the figures table of README.md's "Figures" section (between its markers). Runs no benchmark.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeFigures, replaceReadmeFigures, resultsMarkdown, SECTIONS, type Json, type LoadedResults } from './support/results-report';

const workspaceRoot = join(__dirname, '..', '..');

function readJson(path: string): Json | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Json;
  } catch (error) {
    console.error(`bench:report ▸ ${path} is not readable JSON (${(error as Error).message}); left out`);
    return undefined;
  }
}

export function loadResults(root = workspaceRoot): LoadedResults {
  const dir = join(root, 'bench', 'results');
  return {
    results: Object.fromEntries(SECTIONS.map((section) => [section.key, readJson(join(dir, section.file))])),
    lastRun: readJson(join(dir, 'run-all.json')) as LoadedResults['lastRun'],
  };
}

/** Writes bench/RESULTS.md and README.md's figures; returns the paths written. */
export function writeResultsReport(root = workspaceRoot): string[] {
  const loaded = loadResults(root);
  const written: string[] = [];
  const resultsPath = join(root, 'bench', 'RESULTS.md');
  writeFileSync(resultsPath, resultsMarkdown(loaded));
  written.push(resultsPath);
  const readmePath = join(root, 'README.md');
  // Read just before writing: README.md is edited by hand too.
  const readme = readFileSync(readmePath, 'utf8');
  const updated = replaceReadmeFigures(readme, readmeFigures(loaded));
  if (updated !== readme) {
    writeFileSync(readmePath, updated);
    written.push(readmePath);
  }
  return written;
}

if (require.main === module) {
  const written = writeResultsReport();
  console.log(`bench:report ▸ wrote ${written.map((path) => path.slice(workspaceRoot.length + 1)).join(' and ')}`);
}
