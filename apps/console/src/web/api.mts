/** Calls to the services through the console's same-origin proxy, with the signed-in API key. */
export type Service = 'ingest' | 'scoring' | 'nat' | 'audit';

export interface Identity {
  keyId: string;
  role: string;
  platformId: string | null;
  principalId: string;
}

const KEY_STORAGE = 'vigie.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'object' && body && 'message' in body ? String((body as { message: unknown }).message) : `HTTP ${status}`);
  }
}

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set: (key: string) => sessionStorage.setItem(KEY_STORAGE, key),
  clear: () => sessionStorage.removeItem(KEY_STORAGE),
};

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = session.key();
  return { ...(key ? { authorization: `Bearer ${key}` } : {}), ...extra };
}

export async function api<T>(service: Service, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(`/api/${service}${path}`, {
    method: init.method ?? 'GET',
    headers: headers(init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' }),
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: kept as text
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed as T;
}

export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Downloads an authenticated response as a file (a plain link could not carry the key). */
export async function download(service: Service, path: string, fileName: string, accept = 'application/json'): Promise<void> {
  const response = await fetch(`/api/${service}${path}`, { headers: headers({ accept }) });
  if (!response.ok) throw new ApiError(response.status, await response.text());
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
