/** The shapes the console reads from the audit service's reports. */
export interface DurationStats {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface SlaKindFigures {
  applicable: number;
  met: number;
  breached: number;
  open: number;
  atRisk: number;
  openBreached: number;
  paused: number;
  timeTo: DurationStats;
}

export interface BreachEntry {
  caseId: string;
  platformId: string;
  platformAdId: string;
  category: string;
  source: string;
  sla: 'response' | 'removal';
  state: string;
  startedAt: string;
  deadline: string;
  endedAt: string | null;
  elapsedMs: number | null;
}

export interface SlaReport {
  cases: number;
  response: SlaKindFigures;
  removal: SlaKindFigures;
  breaches: BreachEntry[];
  breachesTotal: number;
  generatedAt: string;
}

export const CATEGORIES = ['human-trafficking', 'pimping', 'minors', 'sexual-services-terms', 'other-illegal', 'other-terms'];
export const SOURCES = ['public', 'trusted-flagger', 'authority-order', 'own-initiative'];

export interface SlaFilters {
  platformId: string;
  category: string;
  source: string;
}

/** Share of ended windows that met the target; null when none ended. */
export function complianceRate(figures: SlaKindFigures): number | null {
  const ended = figures.met + figures.breached;
  return ended === 0 ? null : figures.met / ended;
}
