export type NotifierStanding = 'good' | 'warned' | 'deprioritised';

/**
 * DSA Art. 23(2): notifiers who frequently submit manifestly unfounded notices are first
 * warned, then their notices are handled last (never refused outright: a later notice may
 * still be right).
 */
export function notifierStanding(unfounded: number, thresholds: { warning: number; deprioritise: number }): NotifierStanding {
  if (unfounded >= thresholds.deprioritise) return 'deprioritised';
  if (unfounded >= thresholds.warning) return 'warned';
  return 'good';
}

/**
 * DSA Art. 23(1): an account or contact behind repeated removals of manifestly illegal
 * content gets a suspension recommendation once, when it reaches the threshold.
 */
export function crossesRepeatOffenderThreshold(previousRemovals: number, removals: number, threshold: number): boolean {
  return previousRemovals < threshold && removals >= threshold;
}
