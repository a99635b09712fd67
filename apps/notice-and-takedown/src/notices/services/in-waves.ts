/** One (item, location) pair of a group, by index. */
export interface WaveEntry {
  item: number;
  location: number;
}

/**
 * Cuts a group's (item, location) pairs into waves in which no key (ad) appears twice, keeping
 * each key's pairs in the items' order: the n-th pair about an ad goes in the n-th wave. A
 * wave can then be written with set-based statements, and a later fact about the same ad is
 * written after, seeing the earlier one. Most groups are one wave.
 */
export function inWaves(keysPerItem: readonly (readonly string[])[]): WaveEntry[][] {
  const waves: WaveEntry[][] = [];
  const seen = new Map<string, number>();
  keysPerItem.forEach((keys, item) => {
    keys.forEach((key, location) => {
      const wave = seen.get(key) ?? 0;
      seen.set(key, wave + 1);
      (waves[wave] ??= []).push({ item, location });
    });
  });
  return waves;
}
