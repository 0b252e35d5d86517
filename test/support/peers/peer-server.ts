import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The base of every test peer: a node:http server on 127.0.0.1 that parses JSON bodies, records what it
 * receives, and can be scripted to fail the next requests (an error status, 429 with Retry-After, a hang).
 */
export interface PeerRequest {
  readonly method: string;
  /** The path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when empty; the string `INVALID_JSON` when not JSON. */
  readonly body: unknown;
}

export interface PeerReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A scripted answer for the next request: an error in the vendor's shape, no answer at all (a hang), or
 * the normal answer (`pass`, to fault a later request of a sequence).
 */
export type Fault =
  | { readonly status: number; readonly retryAfter?: string; readonly message?: string }
  | { readonly hang: true }
  | { readonly pass: true };

export interface Peer {
  readonly url: string;
  /** Every request received, in order (faulted ones included). */
  readonly requests: PeerRequest[];
  /** Queues faults: each of the next requests gets the next fault instead of its normal answer. */
  fail(...faults: Fault[]): void;
  close(): Promise<void>;
}

export const INVALID_JSON = 'INVALID_JSON';

/** `errorReply` turns a fault status and message into the vendor's error answer. */
export async function startPeer(
  handle: (request: PeerRequest) => PeerReply | Promise<PeerReply>,
  errorReply: (status: number, message: string) => PeerReply,
): Promise<Peer> {
  const requests: PeerRequest[] = [];
  const faults: Fault[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request: PeerRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: parseBody(text),
      };
      requests.push(request);
      const fault = faults.shift();
      if (fault && 'hang' in fault) return; // never answers: the client's timeout must fire
      const reply =
        fault && 'status' in fault
        ? withRetryAfter(errorReply(fault.status, fault.message ?? `scripted ${fault.status}`), fault.retryAfter)
        : undefined;
      Promise.resolve(reply ?? handle(request))
        .then((answer) => send(res, answer))
        .catch((error: unknown) => send(res, errorReply(500, String(error))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail: (...more) => void faults.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

function withRetryAfter(reply: PeerReply, retryAfter: string | undefined): PeerReply {
  return retryAfter === undefined ? reply : { ...reply, headers: { ...reply.headers, 'retry-after': retryAfter } };
}

function send(res: import('node:http').ServerResponse, reply: PeerReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
  res.writeHead(reply.status, headers);
  res.end(reply.body === undefined ? undefined : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body));
}

/** The bearer token of a request, or undefined. */
export function bearerOf(request: PeerRequest): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

/** True when the request has no body, or declares one of the media types (parameters such as charset aside). */
export function hasMediaType(request: PeerRequest, ...types: string[]): boolean {
  if (request.body === undefined) return true;
  const declared = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return types.includes(declared);
}

/** True when a value is a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
