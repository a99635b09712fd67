import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The workspace root (the nearest folder above `from` holding nx.json); caches and tools/ live there. */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) {
      throw new Error(`Cannot find the Vigie workspace root (a folder containing nx.json) above ${from}.`);
    }
  }
}
