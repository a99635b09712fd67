/** A parsed command line: positional words and `--name value` / `--flag` options. */
export interface ParsedArguments {
  positional: string[];
  options: Record<string, string | true>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArguments(argv: readonly string[]): ParsedArguments {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('--')) {
      positional.push(word);
      continue;
    }
    const [name, inline] = word.slice(2).split(/=(.*)/s, 2);
    if (!name) throw new UsageError(`invalid option "${word}"`);
    if (inline !== undefined) options[name] = inline;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) options[name] = argv[++i];
    else options[name] = true;
  }
  return { positional, options };
}

export function requireOption(parsed: ParsedArguments, name: string): string {
  const value = parsed.options[name];
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`--${name} <value> is required`);
  return value;
}
