import { readFile } from 'node:fs/promises';

/** The last `count` lines of a text file, or a note saying why there are none (for error messages). */
export async function lastLines(file: string, count: number): Promise<string> {
  try {
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    return lines.slice(-count).join('\n');
  } catch (error) {
    return `(cannot read ${file}: ${(error as Error).message})`;
  }
}
