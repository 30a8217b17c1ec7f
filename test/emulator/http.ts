import type { IncomingMessage, ServerResponse } from 'node:http';

export type ServiceName = 'entra' | 'imds' | 'github' | 'ado' | 'acr' | 'registry' | 'arm' | 'unknown';

export interface RecordedRequest {
  readonly service: ServiceName;
  readonly host: string;
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  /** Repeated keys (e.g. `scope`) are joined with a space. */
  readonly query: Readonly<Record<string, string>>;
  /** The url-encoded form body, for form posts. */
  readonly form?: Readonly<Record<string, string>>;
  readonly status: number;
}

/** Injected failures. A rule matches by host and path prefix (and method) and fires `times` times. */
export type FaultRule = {
  readonly host?: string;
  readonly pathPrefix?: string;
  readonly method?: string;
  /** Default 1. */
  readonly times?: number;
} & (
  | {
      readonly status: 400 | 401 | 403 | 429 | 500 | 502 | 503 | 504;
      readonly retryAfter?: number;
      /** The body: a string as it is (empty too), anything else as JSON; default `{ error: 'injected fault', status }`. */
      readonly body?: unknown;
    }
  | { readonly reset: true }
  | { readonly delayMs: number }
);

export function toRecord(params: URLSearchParams): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, value] of params) record[key] = key in record ? `${record[key]} ${value}` : value;
  return record;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** What a handler gets: the parsed request, with the body already read (except for streamed paths). */
export interface Request {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly host: string;
  readonly url: URL;
  readonly method: string;
  /** Form fields of an url-encoded body, empty otherwise. */
  readonly form: URLSearchParams;
  /** Set by handlers for the log. */
  service: ServiceName;
}
