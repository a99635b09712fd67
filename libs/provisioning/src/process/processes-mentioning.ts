import { readdirSync } from 'node:fs';
import { processArgs } from './proc';

/** Pids of live processes whose command line mentions `text` (Linux /proc); lets tests prove cleanup. */
export function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && processArgs(pid)?.some((arg) => arg.includes(text)));
}
