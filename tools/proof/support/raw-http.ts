import { connect } from 'node:net';

/**
 * Sends HTTP/1.1 requests byte for byte, each over a fresh TCP connection closed once the
 * answer is complete: `fetch` would refuse or repair the malformed ones the fuzz is about, and
 * a shared socket would let one request's leftovers (an unread body) land on the next. The
 * request does not ask the server to close: a server closing with part of a refused body
 * unread resets the connection, which can destroy its own answer (a 413) before it is read.
 */

export interface RawRequest {
  readonly method: string;
  /** Path and query, sent verbatim. */
  readonly path: string;
  /** Header values are sent as Latin-1 bytes. */
  readonly headers: Record<string, string>;
  /** A whole body (Content-Length), or chunks (Transfer-Encoding: chunked). */
  readonly body?: Buffer | Buffer[];
}

export interface RawResponse {
  /** 0 when no status line came back (see `error`). */
  readonly status: number;
  /** The start of the response body. */
  readonly excerpt: string;
  readonly error?: string;
}

function encodeRequest(host: string, raw: RawRequest): { head: Buffer; body: Buffer } {
  const lines = [`${raw.method} ${raw.path} HTTP/1.1`, `host: ${host}`];
  for (const [name, value] of Object.entries(raw.headers)) lines.push(`${name}: ${value}`);
  let body: Buffer;
  if (Array.isArray(raw.body)) {
    lines.push('transfer-encoding: chunked');
    body = Buffer.concat([...raw.body.filter((chunk) => chunk.length > 0).flatMap((chunk) => [Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]), Buffer.from('0\r\n\r\n')]);
  } else {
    body = raw.body ?? Buffer.alloc(0);
    if (raw.body !== undefined || !['GET', 'HEAD', 'DELETE'].includes(raw.method)) lines.push(`content-length: ${body.length}`);
  }
  return { head: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body };
}

/** Bodies from this size on are held back briefly after the head, for a server that refuses them on sight. */
const LARGE_BODY = 1024 * 1024;

function decodeChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size <= 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Whether `data` holds a whole response (by Content-Length or the last chunk); unknown lengths end with the connection. */
function isComplete(data: Buffer): boolean {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return false;
  const head = data.subarray(0, headEnd).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  if (status >= 100 && status < 200) return false;
  const body = data.subarray(headEnd + 4);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) return body.length >= Number(length[1]);
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) return body.includes('0\r\n\r\n');
  return status === 204 || status === 304;
}

function parseResponse(data: Buffer): { status: number; excerpt: string } {
  const headEnd = data.indexOf('\r\n\r\n');
  const head = data.subarray(0, headEnd < 0 ? data.length : headEnd).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  const rawBody = headEnd < 0 ? Buffer.alloc(0) : data.subarray(headEnd + 4);
  const body = /\r\ntransfer-encoding:\s*chunked/i.test(head) ? decodeChunked(rawBody) : rawBody;
  return { status, excerpt: body.subarray(0, 2048).toString('utf8') };
}

export class RawHttpClient {
  private readonly host: string;
  private readonly port: number;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 60_000,
  ) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
  }

  /**
   * Sends `raw`. `paced` sends the body in small slices with pauses, for a server that refuses
   * a stream part way (answer, then close with the rest unread): the connection is then reset,
   * which can destroy the answer before it is read unless little enough was left unread.
   */
  send(raw: RawRequest, paced = false): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve) => {
      const received: Buffer[] = [];
      let writeError: string | undefined;
      let settled = false;
      const socket = connect({ host: this.host, port: this.port });
      const finish = (error?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        const parsed = parseResponse(Buffer.concat(received));
        resolve(parsed.status > 0 ? parsed : { ...parsed, error: error ?? writeError ?? 'connection closed without an answer' });
      };
      const timer = setTimeout(() => finish(`no answer within ${this.timeoutMs} ms`), this.timeoutMs);
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        if (isComplete(Buffer.concat(received))) finish();
      });
      socket.on('end', () => finish());
      socket.on('close', () => finish());
      socket.on('error', (error) => {
        // The server may answer and close before reading the whole body: keep what it said.
        writeError = error.message;
        if ((error as NodeJS.ErrnoException).code !== 'EPIPE') finish(error.message);
      });
      socket.once('connect', () => {
        const { head, body } = encodeRequest(`${this.host}:${this.port}`, raw);
        // In slices, and no further once the server has answered. A large body waits a moment
        // after the head: a server refusing it by its Content-Length (413) then closes with
        // nothing unread, so the connection ends cleanly instead of being reset, which could
        // destroy the answer before it is read.
        let offset = 0;
        const writeMore = () => {
          while (offset < body.length && received.length === 0 && !settled) {
            const slice = body.subarray(offset, offset + (paced ? 8 * 1024 : 64 * 1024));
            offset += slice.length;
            if (paced) {
              // The next slice after a pause and after the event loop's I/O phase (setImmediate),
              // so an answer that came meanwhile is read before writing again: a write into the
              // reset connection would destroy the socket with the answer unread.
              socket.write(slice, () => setTimeout(() => setImmediate(writeMore), 40));
              return;
            }
            if (!socket.write(slice)) {
              socket.once('drain', writeMore);
              return;
            }
          }
        };
        socket.write(head);
        if (body.length >= LARGE_BODY) setTimeout(writeMore, 150);
        else writeMore();
      });
    });
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
