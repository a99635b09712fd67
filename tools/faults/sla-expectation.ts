import type { Scenario, ScenarioAd } from './scenario';

/**
 * The SLA report figures that do not depend on wall-clock timing, and what the scenario implies
 * for them once every case is decided and every removal confirmed, well within the 24 h
 * targets: each case counted once, under its source and category; the response SLA applies to
 * cases with a notice and is met once the notifier is told the decision; the removal SLA
 * applies to cases decided `remove` and is met once the platform confirms. Durations (median,
 * p90, p99, max time to response or removal) depend on how fast the machine and the faults let
 * things happen, and are left out. The full `npm run test:faults` also compares each run with
 * the fault-free run of the same scenario, which shows this expectation holds.
 */

/** The counts of one SLA (response or removal) as the report gives them; `ended` is its `timeTo.count`. */
const COUNTS = ['applicable', 'met', 'breached', 'open', 'atRisk', 'openBreached', 'paused'] as const;
export type KindFigures = Record<(typeof COUNTS)[number] | 'ended', number>;

/** The compared counts of one SLA of a `GET /reports/sla` answer. */
export function kindFigures(reported: Record<string, unknown>): KindFigures {
  const figures = Object.fromEntries(COUNTS.map((name) => [name, Number(reported[name])])) as KindFigures;
  figures.ended = Number((reported.timeTo as { count: number }).count);
  return figures;
}

export interface SlaFigures {
  cases: number;
  casesWithAnomalies: number;
  breachesTotal: number;
  response: KindFigures;
  removal: KindFigures;
}

export interface ComparableSla {
  overall: SlaFigures;
  bySource: Record<string, SlaFigures>;
  byCategory: Record<string, SlaFigures>;
}

const met = (n: number): KindFigures => ({ applicable: n, met: n, breached: 0, open: 0, atRisk: 0, openBreached: 0, paused: 0, ended: n });

function figuresOf(ads: readonly ScenarioAd[]): SlaFigures {
  const cases = ads.filter((ad) => ad.decision !== null);
  return {
    cases: cases.length,
    casesWithAnomalies: 0,
    breachesTotal: 0,
    response: met(cases.filter((ad) => ad.notice).length),
    removal: met(cases.filter((ad) => ad.decision === 'remove').length),
  };
}

export function expectedSla(scenario: Scenario): ComparableSla {
  const cases = scenario.ads.filter((ad) => ad.decision !== null);
  const sourceOf = (ad: ScenarioAd) => ad.notice?.source ?? 'own-initiative';
  const group = (key: (ad: ScenarioAd) => string) => {
    const groups: Record<string, SlaFigures> = {};
    for (const value of [...new Set(cases.map(key))].sort()) groups[value] = figuresOf(cases.filter((ad) => key(ad) === value));
    return groups;
  };
  return { overall: figuresOf(cases), bySource: group(sourceOf), byCategory: group((ad) => ad.caseCategory ?? 'unknown') };
}

/** Differences between two reports' figures, as `path: a vs b` lines (empty when equal). */
export function slaDifferences(actual: ComparableSla, expected: ComparableSla): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
      for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      }
    } else if (a !== b) {
      out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  };
  walk(actual, expected, '');
  return out;
}
