import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, type Viewer } from '../auth/viewer.js';
import type { Actor } from '../domain/actor.js';
import { listOf, serviceProviderConfig, userResourceType, userSchemas } from '../domain/scim/discovery.js';
import { listResponse, parseListRequest, project, projectionOf } from '../domain/scim/list-query.js';
import { applyPatch } from '../domain/scim/patch.js';
import { invalidSyntax, mutability } from '../domain/scim/scim-error.js';
import type { ScimUser } from '../domain/scim/scim-user-store.js';
import { canonicalResource, etagOf, toProvisionedUser, toResource } from '../domain/scim/user-resource.js';
import type { VersionCondition } from '../domain/scim/provisioning-service.js';
import type { Services } from '../domain/services.js';
import { requireProvisioner, sendError, sendFailure, sendScim, tagMatches } from './scim-http.js';

const PREFIX = '/scim/v2';
const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

type ResolveViewer = (authorization: string | undefined) => Viewer | Promise<Viewer>;
type Json = Record<string, unknown>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The provisioning client behind a SCIM request, as the change log names it. */
    scimActor: Actor | null;
  }
}

const baseUrlOf = (request: FastifyRequest) => `${request.protocol}://${request.host}${PREFIX}`;

/**
 * SCIM 2.0 (RFC 7643, RFC 7644) over customers at /scim/v2: Users for service clients with
 * provisioning:write, and the discovery endpoints. Bodies are application/scim+json or application/json.
 */
export async function registerScimRoutes(app: FastifyInstance, services: Services, resolveViewer: ResolveViewer): Promise<void> {
  await app.register(
    async (scope) => {
      scope.addContentTypeParser('application/scim+json', { parseAs: 'string' }, scope.getDefaultJsonParser('error', 'error'));
      scope.decorateRequest('scimActor', null);
      scope.setErrorHandler((error, request, reply) => sendFailure(request, reply, error));
      scope.setNotFoundHandler((request, reply) => sendError(reply, 404, null, `${request.method} ${request.url} is not a SCIM endpoint.`));

      const users = async (request: FastifyRequest) => {
        request.scimActor = actorOf(requireProvisioner(await resolveViewer(request.headers.authorization)));
      };
      const actor = (request: FastifyRequest) => request.scimActor!;
      const present = (request: FastifyRequest, user: ScimUser) => toResource(user.customer, user.record, baseUrlOf(request));
      const sendUser = (request: FastifyRequest, reply: FastifyReply, status: number, user: ScimUser, body?: Json) => {
        void reply.header('etag', etagOf(user.customer.version)).header('location', `${baseUrlOf(request)}/Users/${user.customer.id}`);
        return sendScim(reply, status, body ?? present(request, user));
      };
      /** If-Match as the condition a write's version must meet (null: none given). */
      const ifMatch = (request: FastifyRequest): VersionCondition => {
        const header = request.headers['if-match'];
        return header === undefined ? null : (version) => tagMatches(header, version) === true;
      };
      const body = (request: FastifyRequest): unknown => {
        if (request.body === undefined || request.body === null) throw invalidSyntax('The request needs a JSON body.');
        return request.body;
      };
      const list = async (request: FastifyRequest, reply: FastifyReply, parameters: Json) => {
        const query = parseListRequest(parameters);
        const { total, users: found } = await services.provisioning.search(query);
        const resources = found.map((user) => project(present(request, user), query.projection));
        return sendScim(reply, 200, listResponse(resources, total, query.startIndex));
      };

      scope.get('/ServiceProviderConfig', async (request, reply) => sendScim(reply, 200, serviceProviderConfig(baseUrlOf(request))));
      scope.get('/ResourceTypes', async (request, reply) => sendScim(reply, 200, listOf([userResourceType(baseUrlOf(request))])));
      scope.get<{ Params: { id: string } }>('/ResourceTypes/:id', async (request, reply) => {
        if (request.params.id !== 'User') return sendError(reply, 404, null, `No resource type ${request.params.id}.`);
        return sendScim(reply, 200, userResourceType(baseUrlOf(request)));
      });
      scope.get('/Schemas', async (request, reply) => sendScim(reply, 200, listOf(userSchemas(baseUrlOf(request)))));
      scope.get<{ Params: { id: string } }>('/Schemas/:id', async (request, reply) => {
        const schema = userSchemas(baseUrlOf(request)).find((s) => s.id === request.params.id);
        return schema ? sendScim(reply, 200, schema) : sendError(reply, 404, null, `No schema ${request.params.id}.`);
      });

      scope.get('/Users', { onRequest: users }, async (request, reply) => list(request, reply, request.query as Json));

      scope.post('/Users/.search', { onRequest: users }, async (request, reply) => {
        const search = body(request) as Json;
        if (!Array.isArray(search.schemas) || !search.schemas.includes(SEARCH_REQUEST)) throw invalidSyntax(`schemas must be ["${SEARCH_REQUEST}"].`);
        return list(request, reply, search);
      });

      scope.post('/Users', { onRequest: users }, async (request, reply) => {
        const user = toProvisionedUser(canonicalResource(body(request)));
        return sendUser(request, reply, 201, await services.provisioning.create(user, actor(request)));
      });

      scope.get<{ Params: { id: string } }>('/Users/:id', { onRequest: users }, async (request, reply) => {
        const projection = projectionOf(request.query as Json);
        const user = await services.provisioning.get(request.params.id);
        if (tagMatches(request.headers['if-none-match'], user.customer.version)) {
          return reply.code(304).header('etag', etagOf(user.customer.version)).send();
        }
        return sendUser(request, reply, 200, user, project(present(request, user), projection));
      });

      scope.put<{ Params: { id: string } }>('/Users/:id', { onRequest: users }, async (request, reply) => {
        const given = body(request) as Json;
        const resource = canonicalResource(given);
        if (typeof given.id === 'string' && given.id !== request.params.id) throw mutability('id is read-only: it must match the URL.');
        // Among several unmarked emails, the customer's current one stays primary.
        const user = (current: ScimUser) => toProvisionedUser(resource, current.customer.email);
        return sendUser(request, reply, 200, await services.provisioning.replace(request.params.id, user, ifMatch(request), actor(request)));
      });

      scope.patch<{ Params: { id: string } }>('/Users/:id', { onRequest: users }, async (request, reply) => {
        const operations = body(request);
        // The patch applies to the user as it is under its row lock, so concurrent patches all apply.
        const patch = (current: ScimUser) => {
          const before = present(request, current);
          return toProvisionedUser(canonicalResource(applyPatch(before, operations)), current.customer.email);
        };
        return sendUser(request, reply, 200, await services.provisioning.replace(request.params.id, patch, ifMatch(request), actor(request)));
      });

      scope.delete<{ Params: { id: string } }>('/Users/:id', { onRequest: users }, async (request, reply) => {
        await services.provisioning.remove(request.params.id, ifMatch(request), actor(request));
        return reply.code(204).send();
      });
    },
    { prefix: PREFIX },
  );
}
