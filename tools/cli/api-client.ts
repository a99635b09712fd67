// One HTTP client for every `vigie` command: the key from VIGIE_API_KEY, the service's base URL
// from its variable, and refusals turned into messages and the CLI's exit codes.

/** 1 refused by the service, 69 service unreachable, 77 missing or rejected credentials. */
export class CliApiError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export interface ServiceEndpoint {
  /** e.g. `ingest`, for messages. */
  name: string;
  urlVariable: string;
  defaultUrl: string;
  /** What kind of key the commands need, for the message when none is set. */
  keyHint: string;
}

/** Calls the service and answers the response text ('' for 204). */
export async function callService(
  service: ServiceEndpoint,
  method: string,
  path: string,
  options: { body?: unknown; accept?: string } = {},
): Promise<string> {
  const base = (process.env[service.urlVariable] ?? service.defaultUrl).replace(/\/$/, '');
  const key = process.env.VIGIE_API_KEY;
  if (!key) throw new CliApiError(`VIGIE_API_KEY is not set: export ${service.keyHint} first`, 77);
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        accept: options.accept ?? 'application/json',
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
  } catch (error) {
    throw new CliApiError(`cannot reach ${service.name} at ${base}: ${(error as Error).cause ?? (error as Error).message}`, 69);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = response.statusText;
    let details = '';
    try {
      const answer = JSON.parse(text) as { message?: string; errors?: { field: string; reason: string }[] };
      message = answer.message ?? message;
      details = answer.errors?.map((e) => `\n  ${e.field}: ${e.reason}`).join('') ?? '';
    } catch {
      // not JSON: the status line says enough
    }
    throw new CliApiError(`${response.status}: ${message}${details}`, response.status === 401 || response.status === 403 ? 77 : 1);
  }
  return text;
}

/** Calls the service and parses its JSON answer (undefined for an empty one). */
export async function callServiceJson(service: ServiceEndpoint, method: string, path: string, body?: unknown): Promise<unknown> {
  const text = await callService(service, method, path, { body });
  return text ? JSON.parse(text) : undefined;
}

export const INGEST: ServiceEndpoint = { name: 'ingest', urlVariable: 'VIGIE_INGEST_URL', defaultUrl: 'http://127.0.0.1:3001', keyHint: 'an admin API key' };
export const SCORING: ServiceEndpoint = { name: 'scoring', urlVariable: 'VIGIE_SCORING_URL', defaultUrl: 'http://127.0.0.1:3002', keyHint: 'an admin API key' };
export const AUDIT: ServiceEndpoint = {
  name: 'the audit service',
  urlVariable: 'VIGIE_AUDIT_URL',
  defaultUrl: 'http://127.0.0.1:3004',
  keyHint: 'an officer, regulator or admin API key',
};
