import formBody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DomainError } from '../domain/errors.js';
import { InvalidClientError, InvalidScopeError } from '../domain/principals/client-service.js';
import type { Services } from '../domain/services.js';

type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

/** RFC 6749 section 5.2: a JSON error, never cached. */
function refuse(reply: FastifyReply, status: number, error: OAuthError | 'rate_limited', description: string) {
  return reply.code(status).headers({ 'cache-control': 'no-store', pragma: 'no-cache' }).send({ error, error_description: description });
}

/** client_secret_basic: the id and secret are form-urlencoded, then joined and base64-encoded (RFC 6749 2.3.1). */
function basicCredentials(header: string | undefined): { clientId: string; secret: string } | null | 'malformed' {
  if (header === undefined) return null;
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
export async function registerTokenEndpoint(app: FastifyInstance, services: Services): Promise<void> {
  await app.register(async (scope) => {
    // Form bodies are parsed only on this route; GraphQL keeps its JSON-only CSRF protection.
    await scope.register(formBody, { bodyLimit: 4096 });
    scope.post('/oauth/token', async (request, reply) => {
      if (!request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
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
        if (error instanceof InvalidClientError) {
          // RFC 6749: 401 with a challenge when the client tried the Authorization header.
          if (basic) void reply.header('www-authenticate', 'Basic realm="kith", charset="UTF-8"');
          return refuse(reply, 401, 'invalid_client', error.message);
        }
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
