import formBody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DomainError } from '../domain/errors.js';
import { InvalidClientError, InvalidScopeError } from '../domain/principals/client-service.js';
import type { Services } from '../domain/services.js';

type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope' | 'rate_limited' | 'server_error';

/**
 * RFC 6749 section 5.2: a JSON error, never cached. Every 401 challenges for Basic (RFC 9110 section 11.6.1),
 * the method a client that sent its secret in the form can switch to.
 */
function refuse(reply: FastifyReply, status: number, error: OAuthError, description: string) {
  if (status === 401) void reply.header('www-authenticate', 'Basic realm="kith", charset="UTF-8"');
  return reply.code(status).headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send({ error, error_description: description });
}

/**
 * client_secret_basic: the id and secret are form-urlencoded, then joined and base64-encoded (RFC 6749 2.3.1).
 * 'unsupported' for another scheme, such as Bearer.
 */
function basicCredentials(header: string | undefined): { clientId: string; secret: string } | null | 'malformed' | 'unsupported' {
  if (header === undefined) return null;
  if (!/^Basic(?: |$)/i.test(header)) return 'unsupported';
  const match = /^Basic ([A-Za-z0-9+/=]{1,1024})$/i.exec(header);
  if (!match) return 'malformed';
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  try {
    return { clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  } catch {
    return 'malformed';
  }
}

/**
 * `POST /oauth/token`: the OAuth 2.0 client-credentials grant (RFC 6749 section 4.4) for service clients,
 * authenticated by client_secret_basic or client_secret_post. Answers RFC 6749's JSON, with no-store.
 */
export async function registerTokenEndpoint(app: FastifyInstance, services: Services, logUnexpected: (error: unknown) => void): Promise<void> {
  await app.register(async (scope) => {
    // Form bodies are parsed only on this route; GraphQL keeps its JSON-only CSRF protection.
    await scope.register(formBody, { bodyLimit: 4096 });
    // What Fastify refuses before the handler (a body too large, one it cannot parse) and anything
    // unexpected answer in RFC 6749's shape too; an unexpected error's text goes to the log only.
    scope.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
      const status = error.statusCode ?? 500;
      if (status === 413) return refuse(reply, 413, 'invalid_request', 'The request body is too large.');
      if (status >= 400 && status < 500) return refuse(reply, 400, 'invalid_request', 'The request body could not be read as a form.');
      logUnexpected(error);
      return refuse(reply, 500, 'server_error', 'The token could not be issued: try again later.');
    });
    scope.post('/oauth/token', async (request, reply) => {
      // Media types are case-insensitive (RFC 9110 section 8.3.1).
      if (!request.headers['content-type']?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
        return refuse(reply, 400, 'invalid_request', 'Send the request as application/x-www-form-urlencoded.');
      }
      const body = (request.body ?? {}) as Record<string, unknown>;
      const field = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : undefined);
      if (Object.values(body).some((value) => typeof value !== 'string')) {
        return refuse(reply, 400, 'invalid_request', 'Each parameter may be given once.');
      }
      if (field('grant_type') === undefined) return refuse(reply, 400, 'invalid_request', 'grant_type is required.');
      if (field('grant_type') !== 'client_credentials') {
        return refuse(reply, 400, 'unsupported_grant_type', 'Only the client_credentials grant is supported.');
      }
      const basic = basicCredentials(request.headers.authorization);
      const posted = field('client_id') !== undefined || field('client_secret') !== undefined;
      if (basic === 'unsupported') return refuse(reply, 401, 'invalid_client', 'Authenticate with HTTP Basic or client_id and client_secret in the form.');
      if (basic === 'malformed') return refuse(reply, 400, 'invalid_request', 'The Authorization header must be Basic base64(client_id:client_secret).');
      if (basic && posted) return refuse(reply, 400, 'invalid_request', 'Authenticate with one method: the Basic header or the form, not both.');
      const credentials = basic ?? { clientId: field('client_id') ?? '', secret: field('client_secret') ?? '' };
      const requested = field('scope')?.split(' ').filter(Boolean) ?? null;
      try {
        const issued = await services.clients.issueToken(credentials.clientId, credentials.secret, requested, request.ip);
        return reply
          .headers({ 'cache-control': 'no-store', pragma: 'no-cache' })
          .send({ access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, scope: issued.scopes.join(' ') });
      } catch (error) {
        if (error instanceof InvalidClientError) return refuse(reply, 401, 'invalid_client', error.message);
        if (error instanceof InvalidScopeError) return refuse(reply, 400, 'invalid_scope', error.message);
        if (error instanceof DomainError && error.code === 'RATE_LIMITED') {
          void reply.header('retry-after', String(error.retryAfterSeconds));
          return refuse(reply, 429, 'rate_limited', error.message);
        }
        throw error;
      }
    });
  });
}
