/**
 * One HTTP request of a connector: JSON in and out, a timeout on every call, and an answer that is data
 * (status, headers, parsed body) or a transport failure (timeout, refused connection), never an exception.
 */
export interface HttpDeps {
  readonly fetch: typeof fetch;
  readonly now: () => Date;
  readonly timeoutMs: number;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Sent as JSON when given. */
  readonly json?: unknown;
}

export type HttpAnswer =
  | { readonly kind: 'answer'; readonly status: number; readonly headers: Headers; readonly body: unknown; readonly text: string }
  | { readonly kind: 'transport'; readonly timedOut: boolean; readonly message: string };

export async function callHttp(deps: HttpDeps, request: HttpRequest): Promise<HttpAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  if (request.json !== undefined && !('content-type' in headers)) headers['content-type'] = 'application/json';
  try {
    const response = await deps.fetch(request.url, {
      method: request.method,
      headers,
      body: request.json === undefined ? undefined : JSON.stringify(request.json),
      signal: AbortSignal.timeout(deps.timeoutMs),
      redirect: 'manual',
    });
    const text = await response.text();
    return { kind: 'answer', status: response.status, headers: response.headers, body: parseJson(text), text };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const message = timedOut
      ? `no answer within ${deps.timeoutMs} ms`
      : `request failed: ${error instanceof Error ? (causeOf(error) ?? error.message) : String(error)}`;
    return { kind: 'transport', timedOut, message };
  }
}

function causeOf(error: Error): string | undefined {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? cause.message : undefined;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The status of a 2xx answer, or undefined for an error answer or a transport failure. */
export function successStatus(answer: HttpAnswer): number | undefined {
  return answer.kind === 'answer' && answer.status >= 200 && answer.status < 300 ? answer.status : undefined;
}

/**
 * Seconds to wait from a Retry-After header (delta-seconds or an HTTP-date, RFC 9110 section 10.2.3),
 * measured against the injected clock; undefined when absent or unreadable.
 */
export function retryAfterSeconds(headers: Headers, now: Date): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** Joins a base URL (no trailing slash) and path segments, each percent-encoded. */
export function joinUrl(base: string, ...segments: string[]): string {
  return `${base}/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

/** A readable excerpt of a body that was not the documented JSON. */
export function excerpt(text: string): string {
  const trimmed = text.trim();
  return trimmed === '' ? '(empty body)' : trimmed.slice(0, 200);
}
