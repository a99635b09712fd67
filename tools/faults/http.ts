/**
 * HTTP for the fault tests' clients: a lost answer (connection refused or reset because the
 * service was killed, or a timeout) is told apart from an answer, so callers know whether
 * their request may have taken effect.
 */

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export class NoAnswer extends Error {
  constructor(override readonly cause: unknown) {
    super(`no answer: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
    this.name = 'NoAnswer';
  }
}

export async function httpCall<T = unknown>(
  base: string,
  method: string,
  path: string,
  key: string | null,
  body?: unknown,
  timeoutMs = 30_000,
): Promise<Answer<T>> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw new NoAnswer(error);
  }
  let parsed: unknown = text;
  if (text && (response.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After in ms (seconds form), bounded; `fallbackMs` when absent. */
export function retryAfter(answer: Answer, fallbackMs: number, maxMs = 5000): number {
  const header = answer.headers.get('retry-after');
  const seconds = header && /^\d+$/.test(header.trim()) ? Number(header) : NaN;
  return Number.isFinite(seconds) ? Math.min(maxMs, Math.max(200, seconds * 1000)) : fallbackMs;
}
