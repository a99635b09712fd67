/**
 * A synthetic 30-day moderation log of a classified-ad platform, as its compliance export would
 * look (CSV, the historical import's columns): notices from the public, trusted flaggers and
 * authorities, decisions by a moderation team working office hours, removals confirmed a while
 * later. Deterministic for a seed. Most cases are handled within the day; a realistic share is
 * not (weekends, backlogs, cases waiting on the platform's own takedown), so the SLA report of
 * the replayed history shows breaches as well as met deadlines.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Mulberry32: a small seeded PRNG, enough for reproducible demo data. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random() * total;
  for (const [value, weight] of weighted) {
    roll -= weight;
    if (roll <= 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

const CATEGORIES = [
  ['pimping', 40],
  ['human-trafficking', 12],
  ['minors', 5],
  ['sexual-services-terms', 28],
  ['other-terms', 15],
] as const;
const SOURCES = [
  ['public', 70],
  ['trusted-flagger', 20],
  ['authority-order', 10],
] as const;

export interface ModerationHistoryOptions {
  /** The log ends here (default: now); it starts `days` earlier. */
  readonly endMs?: number;
  readonly days?: number;
  readonly casesPerDay?: number;
  readonly seed?: number;
}

export interface ModerationHistory {
  readonly csv: string;
  readonly rows: number;
  readonly from: string;
  readonly to: string;
}

/** The next moment the moderation team is at work (weekdays 8:00–20:00 UTC, weekends 10:00–16:00). */
function nextWorkingMoment(ms: number): number {
  for (let t = ms; ; t += 15 * 60_000) {
    const date = new Date(t);
    const weekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
    const hour = date.getUTCHours();
    if (weekend ? hour >= 10 && hour < 16 : hour >= 8 && hour < 20) return t;
  }
}

export function generateModerationHistory(options: ModerationHistoryOptions = {}): ModerationHistory {
  const random = prng(options.seed ?? 20261123);
  const days = options.days ?? 30;
  const endMs = options.endMs ?? Date.now();
  const startMs = endMs - days * DAY;
  const perDay = options.casesPerDay ?? 40;
  const iso = (ms: number) => new Date(Math.round(ms / 1000) * 1000).toISOString();
  const lines = ['reference,adId,category,publishedAt,noticeReceivedAt,noticeSource,decidedAt,decision,removedAt'];
  const total = days * perDay;
  for (let i = 0; i < total; i++) {
    const noticeMs = startMs + (i / total) * days * DAY + random() * HOUR;
    const category = pick(random, CATEGORIES);
    const source = pick(random, SOURCES);
    const publishedMs = noticeMs - (1 + random() * 72) * HOUR;
    // Urgent cases (minors, authority orders) jump the queue; the rest wait for working hours and
    // a backlog that sometimes runs past a day.
    const urgent = category === 'minors' || source === 'authority-order';
    const backlog = urgent ? random() * 2 * HOUR : random() < 0.12 ? (20 + random() * 30) * HOUR : random() * 6 * HOUR;
    const decidedMs = urgent ? noticeMs + 0.2 * HOUR + backlog : nextWorkingMoment(noticeMs + backlog) + random() * HOUR;
    const stillOpen = decidedMs > endMs - HOUR;
    const illegal = category !== 'other-terms' || random() < 0.5;
    const decision = random() < (illegal ? 0.8 : 0.4) ? 'remove' : random() < 0.85 ? 'no-action' : 'insufficient';
    // The platform executes removals a few minutes to a few hours later; now and then a removal
    // is lost in its own ticketing and takes days.
    const removalDelay = random() < 0.06 ? (24 + random() * 48) * HOUR : (0.05 + random() * 3) * HOUR;
    const removedMs = decision === 'remove' && !stillOpen && decidedMs + removalDelay < endMs ? decidedMs + removalDelay : null;
    lines.push(
      [
        `HIST-${String(i + 1).padStart(6, '0')}`,
        `hist-${(1_000_000 + i).toString(36)}`,
        category,
        iso(publishedMs),
        iso(noticeMs),
        source,
        stillOpen ? '' : iso(decidedMs),
        stillOpen ? '' : decision,
        removedMs === null ? '' : iso(removedMs),
      ].join(','),
    );
  }
  return { csv: `${lines.join('\n')}\n`, rows: total, from: new Date(startMs).toISOString(), to: new Date(endMs).toISOString() };
}
