import { ConfigurationError } from './service-config';

/**
 * Reads a service's own settings from the environment, collecting every problem instead of
 * stopping at the first, so a misconfigured service names all its wrong variables at once.
 */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  /** A whole number in [min, max]; the fallback when unset or empty. */
  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return Number(raw);
  }

  /** `on`/`true` or `off`/`false`. */
  flag(name: string, fallback: boolean): boolean {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw === 'on' || raw === 'true') return true;
    if (raw === 'off' || raw === 'false') return false;
    this.problems.push(`${name} must be on or off, got "${raw}"`);
    return fallback;
  }

  /** Throws a `ConfigurationError` listing every problem, if any. */
  assertValid(serviceName: string): void {
    if (this.problems.length > 0) throw new ConfigurationError(serviceName, this.problems);
  }
}
