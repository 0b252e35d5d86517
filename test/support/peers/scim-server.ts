import { randomUUID } from 'node:crypto';
import { bearerOf, hasMediaType, INVALID_JSON, isObject, startPeer, type Peer, type PeerReply, type PeerRequest } from './peer-server.js';

/**
 * A SCIM 2.0 service provider peer (RFC 7643/7644), Users only: ServiceProviderConfig, GET /Users with
 * `eq` filters joined by `and`/`or`, POST, PATCH (add, replace, remove; with or without a simple path),
 * DELETE, behind a bearer token; errors as RFC 7644 section 3.12 shows them. userName is unique and
 * compared case-insensitively (caseExact false), externalId case-sensitively.
 */
export interface ScimPeer extends Peer {
  /** The user whose externalId or userName matches, or undefined. */
  user(key: { externalId?: string; userName?: string }): Readonly<Record<string, unknown>> | undefined;
}

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const KNOWN = new Set(['schemas', 'id', 'meta', 'userName', 'externalId', 'active', 'name', 'displayName', 'nickName', 'title', 'locale', 'emails', 'phoneNumbers', ENTERPRISE]);

/** Where the SCIM endpoints live, as on a Kith: the connector's baseUrl is the peer's URL plus this. */
export const PREFIX = '/scim/v2';

type User = Record<string, unknown> & { id: string };

export async function startScimPeer(options: { token: string }): Promise<ScimPeer> {
  const users = new Map<string, User>();
  let base = '';

  const byUserName = (userName: string, except?: string) =>
    [...users.values()].find((u) => u.id !== except && String(u.userName).toLowerCase() === userName.toLowerCase());

  function withMeta(user: User, created: boolean): User {
    const version = Number((user.meta as { version?: string } | undefined)?.version?.match(/\d+/)?.[0] ?? 0) + 1;
    const now = new Date().toISOString();
    user.meta = {
      resourceType: 'User',
      created: created ? now : (user.meta as { created: string }).created,
      lastModified: now,
      location: `${base}/Users/${user.id}`,
      version: `W/"${version}"`,
    };
    return user;
  }

  function create(body: unknown): PeerReply {
    if (body === INVALID_JSON || !isObject(body)) return scimError(400, 'invalidSyntax', 'The request body is not a JSON object');
    if (!Array.isArray(body.schemas) || !body.schemas.includes(USER)) return scimError(400, 'invalidSyntax', `schemas must include ${USER}`);
    const unknown = Object.keys(body).find((key) => !KNOWN.has(key));
    if (unknown) return scimError(400, 'invalidSyntax', `Unknown attribute '${unknown}'`);
    if (typeof body.userName !== 'string' || body.userName === '') return scimError(400, 'invalidValue', 'userName is required');
    if (byUserName(body.userName)) return scimError(409, 'uniqueness', `userName ${body.userName} is already taken`);
    const user = withMeta({ active: true, ...body, id: randomUUID() }, true);
    users.set(user.id, user);
    return { status: 201, body: user, headers: { location: `${base}/Users/${user.id}`, etag: String((user.meta as { version: string }).version) } };
  }

  function patch(user: User, body: unknown): PeerReply {
    if (!isObject(body) || !Array.isArray(body.schemas) || !body.schemas.includes(PATCH_OP) || !Array.isArray(body.Operations)) {
      return scimError(400, 'invalidSyntax', `A PATCH body must be a ${PATCH_OP} with Operations`);
    }
    const next: User = structuredClone(user);
    for (const operation of body.Operations) {
      const problem = applyOperation(next, operation);
      if (problem) return problem;
    }
    const unknown = Object.keys(next).find((key) => !KNOWN.has(key));
    if (unknown) return scimError(400, 'invalidPath', `Unknown attribute '${unknown}'`);
    if (typeof next.userName !== 'string' || byUserName(next.userName, user.id)) return scimError(409, 'uniqueness', 'userName is already taken');
    users.set(user.id, withMeta(next, false));
    return { status: 200, body: next };
  }

  function list(query: URLSearchParams): PeerReply {
    const filter = query.get('filter');
    let matches = [...users.values()];
    if (filter !== null) {
      const predicate = parseFilter(filter);
      if (typeof predicate === 'string') return scimError(400, 'invalidFilter', predicate);
      matches = matches.filter(predicate);
    }
    return { status: 200, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: matches.length, startIndex: 1, itemsPerPage: matches.length, Resources: matches } };
  }

  function handle(request: PeerRequest): PeerReply {
    if (bearerOf(request) !== options.token) return scimError(401, undefined, 'Authorization failure: the bearer token is missing or invalid');
    if (!hasMediaType(request, 'application/scim+json', 'application/json')) return scimError(415, undefined, 'Content-Type must be application/scim+json');
    if (!request.path.startsWith(PREFIX)) return scimError(404, undefined, `No endpoint ${request.path}`);
    const [, resource, id, extra] = request.path.slice(PREFIX.length).split('/').map(decodeURIComponent);
    const route = `${request.method} ${resource ?? ''}${id === undefined ? '' : '/:id'}${extra === undefined ? '' : '/more'}`;
    const user = id === undefined ? undefined : users.get(id);
    if (route === 'GET ServiceProviderConfig') return { status: 200, body: serviceProviderConfig() };
    if (route === 'GET Users') return list(request.query);
    if (route === 'POST Users') return create(request.body);
    if (route === 'GET Users/:id' || route === 'PATCH Users/:id' || route === 'DELETE Users/:id') {
      if (!user) return scimError(404, undefined, `Resource ${id} not found`);
      if (request.method === 'GET') return { status: 200, body: user };
      if (request.method === 'PATCH') return patch(user, request.body);
      users.delete(user.id);
      return { status: 204 };
    }
    return scimError(404, undefined, `No endpoint ${request.method} ${request.path}`);
  }

  const peer = await startPeer(handle, (status, message) => scimError(status, undefined, message));
  base = `${peer.url}${PREFIX}`;
  return {
    ...peer,
    user: (key) =>
      [...users.values()].find(
        (u) => (key.externalId !== undefined && u.externalId === key.externalId) || (key.userName !== undefined && String(u.userName).toLowerCase() === key.userName.toLowerCase()),
      ),
  };
}

/** add/replace (with a simple or sub-attribute path, or none and an object value) and remove (with a path). */
function applyOperation(user: User, operation: unknown): PeerReply | undefined {
  if (!isObject(operation) || typeof operation.op !== 'string') return scimError(400, 'invalidSyntax', 'Each operation needs an op');
  const op = operation.op.toLowerCase();
  const path = operation.path;
  if (path !== undefined && (typeof path !== 'string' || !/^(urn:[\w.:-]+:)?[A-Za-z$][\w$-]*(\.[A-Za-z$][\w$-]*)?$/.test(path))) {
    return scimError(400, 'invalidPath', `Unsupported path ${String(path)}`);
  }
  if (op === 'remove') {
    if (path === undefined) return scimError(400, 'noTarget', 'remove needs a path');
    const [container, key] = locate(user, path, false);
    if (container) delete container[key];
    return undefined;
  }
  if (op !== 'add' && op !== 'replace') return scimError(400, 'invalidSyntax', `Unknown op ${operation.op}`);
  if (path === undefined) {
    if (!isObject(operation.value)) return scimError(400, 'invalidValue', `${op} without a path needs an object value`);
    for (const [key, value] of Object.entries(operation.value)) {
      user[key] = isObject(value) && isObject(user[key]) ? { ...(user[key] as object), ...value } : value;
    }
    return undefined;
  }
  if (operation.value === undefined) return scimError(400, 'invalidValue', `${op} needs a value`);
  const [container, key] = locate(user, path, true);
  container![key] = operation.value;
  return undefined;
}

function locate(user: User, path: string, create: boolean): [Record<string, unknown> | undefined, string] {
  const colon = path.startsWith('urn:') ? path.lastIndexOf(':') : -1;
  let container: Record<string, unknown> | undefined = user;
  if (colon > 0) container = (create ? (user[path.slice(0, colon)] ??= {}) : user[path.slice(0, colon)]) as Record<string, unknown> | undefined;
  const [attribute, sub] = path.slice(colon + 1).split('.');
  if (sub === undefined || !container) return [container, attribute!];
  const inner = (create ? (container[attribute!] ??= {}) : container[attribute!]) as Record<string, unknown> | undefined;
  return [inner, sub];
}

/** `attr eq "value"` terms joined by `and` (binding tighter) and `or`; anything else is invalidFilter. */
function parseFilter(filter: string): ((user: User) => boolean) | string {
  const term = /^\s*([A-Za-z][\w.]*)\s+eq\s+("(?:[^"\\]|\\.)*")\s*/i;
  const alternatives: Array<Array<[string, string]>> = [[]];
  let rest = filter;
  while (rest.length > 0) {
    const match = term.exec(rest);
    if (!match) return `Unsupported or malformed filter near: ${rest.slice(0, 40)}`;
    alternatives[alternatives.length - 1]!.push([match[1]!, JSON.parse(match[2]!) as string]);
    rest = rest.slice(match[0].length);
    const joiner = /^(and|or)\s+/i.exec(rest);
    if (!joiner) break;
    if (joiner[1]!.toLowerCase() === 'or') alternatives.push([]);
    rest = rest.slice(joiner[0].length);
  }
  if (rest.trim() !== '' || alternatives.some((a) => a.length === 0)) return `Malformed filter: ${filter}`;
  const equals = (user: User, [attribute, value]: [string, string]) =>
    attribute.toLowerCase() === 'username' ? String(user.userName).toLowerCase() === value.toLowerCase() : user[attribute] === value;
  return (user) => alternatives.some((terms) => terms.every((t) => equals(user, t)));
}

function serviceProviderConfig(): unknown {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'Authentication with a bearer token' }],
  };
}

function scimError(status: number, scimType: string | undefined, detail: string): PeerReply {
  return {
    status,
    headers: { 'content-type': 'application/scim+json' },
    body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), ...(scimType ? { scimType } : {}), detail },
  };
}
