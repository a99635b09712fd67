/**
 * The HTTP side of a Transparency Database submission, without state: one POST with a
 * timeout, how its answer is classified, and the backoff between attempts.
 */

/** A definitive answer: 2xx accepted the whole batch, 4xx refused the whole batch (all-or-nothing). */
export interface TdbAnswer {
  readonly status: number;
  readonly accepted: boolean;
  readonly body: unknown;
}

/** A 5xx, a timeout or a network failure: worth retrying, and counted by the breaker. */
export class TdbTransientError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'TdbTransientError';
  }
}

/**
 * The database refused the credentials (401/403): not a verdict on the statements and not a sick
 * receiver either, so it is neither retried nor counted by the breaker, and the run stops.
 */
export class TdbAuthError extends Error {
  constructor(readonly status: number) {
    super(`the database refused the credentials (${status}): check the platform's API token`);
    this.name = 'TdbAuthError';
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return text.slice(0, 4000);
  }
}

/**
 * One POST of a batch. `token` is the platform's API token for the database, sent as a bearer
 * token; it never appears in an error or an answer kept by Vigie.
 */
export async function postBatch(url: string, statements: readonly Record<string, unknown>[], timeoutMs: number, token?: string): Promise<TdbAnswer> {
  let response: Response;
  let body: unknown;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ statements }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await readBody(response);
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new TdbTransientError(`no answer within ${timeoutMs} ms`, null, null);
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code;
    throw new TdbTransientError(`request failed: ${cause ?? (error as Error).message}`, null, null);
  }
  // 408 and 429 are the receiver asking for a later attempt, not a verdict on the statements.
  if (response.status >= 500 || response.status === 408 || response.status === 429) {
    throw new TdbTransientError(`answered ${response.status}`, response.status, body);
  }
  if (response.status === 401 || response.status === 403) throw new TdbAuthError(response.status);
  if (response.status >= 200 && response.status < 300) return { status: response.status, accepted: true, body };
  return { status: response.status, accepted: false, body };
}

/**
 * Indexes of the statements a 4xx answer names, from validation errors keyed
 * `statements.<index>.<field>` (the database's format). Empty when the answer names none: then
 * the whole batch stands refused.
 */
export function refusedIndexes(body: unknown, batchSize: number): number[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (errors === null || typeof errors !== 'object') return [];
  const indexes = new Set<number>();
  for (const key of Object.keys(errors)) {
    const match = /^statements\.(\d+)(\.|$)/.exec(key);
    if (match && Number(match[1]) < batchSize) indexes.add(Number(match[1]));
  }
  return [...indexes].sort((a, b) => a - b);
}

/**
 * Indexes of the statements a 4xx answer refuses only because their `puid` is already in the
 * database (its uniqueness error): the database holds them — typically from an earlier attempt
 * whose answer was lost to a timeout — so they count as delivered, not refused.
 */
export function alreadyPresentIndexes(body: unknown, batchSize: number): number[] {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (errors === null || typeof errors !== 'object') return [];
  const verdicts = new Map<number, boolean>();
  for (const [key, messages] of Object.entries(errors as Record<string, unknown>)) {
    const match = /^statements\.(\d+)(?:\.(.+))?$/.exec(key);
    if (!match || Number(match[1]) >= batchSize) continue;
    const index = Number(match[1]);
    const texts = Array.isArray(messages) ? messages : [messages];
    const duplicate = match[2] === 'puid' && texts.length > 0 && texts.every((text) => typeof text === 'string' && /not unique|already (been )?(taken|exists|used|submitted)/i.test(text));
    verdicts.set(index, (verdicts.get(index) ?? true) && duplicate);
  }
  return [...verdicts].filter(([, duplicate]) => duplicate).map(([index]) => index).sort((a, b) => a - b);
}

/** Exponential backoff with jitter (half to full delay) so parallel runs do not retry in step. */
export function backoffMs(baseMs: number, attempt: number, random: () => number = Math.random): number {
  return Math.round(baseMs * 2 ** attempt * (0.5 + random() / 2));
}
