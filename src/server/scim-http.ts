import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../auth/viewer.js';
import { DomainError } from '../domain/errors.js';
import { ScimError } from '../domain/scim/scim-error.js';
import { etagOf } from '../domain/scim/user-resource.js';
import { describeForLog, findCause } from '../graphql/errors.js';

/** HTTP plumbing of the SCIM routes: the error body of RFC 7644 section 3.12, auth, ETags. */

export const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export function sendScim(reply: FastifyReply, status: number, body: unknown) {
  return reply.code(status).header('content-type', SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

export function sendError(reply: FastifyReply, status: number, scimType: string | null, detail: string) {
  return sendScim(reply, status, { schemas: [SCIM_ERROR], status: String(status), ...(scimType ? { scimType } : {}), detail });
}

/** Maps what a SCIM request may throw to its SCIM error; anything unexpected is logged and masked. */
export function sendFailure(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  if (error instanceof ScimError) return sendError(reply, 400, error.scimType, error.message);
  if (error instanceof DomainError) {
    switch (error.code) {
      case 'BAD_USER_INPUT':
        return sendError(reply, 400, 'invalidValue', error.message);
      case 'NOT_FOUND':
        return sendError(reply, 404, null, error.message);
      case 'CONFLICT':
        if (error.field === 'version') return sendError(reply, 412, null, error.message);
        return sendError(reply, 409, error.field === 'userName' || error.field === 'emails' ? 'uniqueness' : null, error.message);
      case 'UNAUTHENTICATED':
        void reply.header('www-authenticate', 'Bearer realm="kith", error="invalid_token"');
        return sendError(reply, 401, null, error.message);
      case 'FORBIDDEN':
        return sendError(reply, 403, null, error.message);
      default:
        return sendError(reply, 400, null, error.message);
    }
  }
  if (findCause(error, (e) => e.code === '23505')) return sendError(reply, 409, 'uniqueness', 'This conflicts with an existing user.');
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // Fastify's own refusals: malformed JSON, a body too large, an unsupported content type.
    return sendError(reply, status, status === 400 ? 'invalidSyntax' : null, (error as Error).message);
  }
  request.log.error({ err: describeForLog(error) }, 'unexpected error in a SCIM request');
  return sendError(reply, 500, null, 'Internal server error.');
}

/** Only service clients with provisioning:write may provision: the others are 401 or 403. */
export function requireProvisioner(viewer: Viewer): Extract<Viewer, { role: 'SERVICE_CLIENT' }> {
  if (viewer.role === 'PUBLIC') throw new DomainError('UNAUTHENTICATED', 'Send Authorization: Bearer <access token of a service client with provisioning:write>.');
  if (viewer.role !== 'SERVICE_CLIENT' || !viewer.scopes.includes('provisioning:write')) {
    throw new DomainError('FORBIDDEN', 'SCIM provisioning needs a service client token with the provisioning:write scope.');
  }
  return viewer;
}

/** The entity tags of an If-Match / If-None-Match header: `*`, or the listed tags (weak or strong). */
function tagsOf(header: string | string[] | undefined): '*' | string[] | null {
  if (header === undefined) return null;
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text.trim() === '*') return '*';
  return [...text.matchAll(/(?:W\/)?"([^"]*)"/g)].map((match) => match[1]!);
}

/** Whether a precondition header names the version (weak comparison, RFC 7232 section 2.3.2). */
export function tagMatches(header: string | string[] | undefined, version: number): boolean | null {
  const tags = tagsOf(header);
  if (tags === null) return null;
  return tags === '*' || tags.includes(String(version));
}

export { etagOf };
