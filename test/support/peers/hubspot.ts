import { randomUUID } from 'node:crypto';
import { bearerOf, hasMediaType, isObject, startPeer, type Peer, type PeerReply, type PeerRequest } from './peer-server.js';

/**
 * A HubSpot CRM v3 contacts peer: batch upsert by email, batch read by email, batch archive by id and the
 * contacts list, behind a private app token; errors in HubSpot's shape (status, message, category).
 */
export interface HubspotPeer extends Peer {
  /** The live contact with this email (HubSpot compares emails case-insensitively), or undefined. */
  contact(email: string): Readonly<Record<string, string>> | undefined;
  /** Emails a GDPR delete blocklisted (HubSpot does so when the email matches no contact). */
  readonly blocklist: ReadonlySet<string>;
}

interface Contact {
  readonly id: string;
  readonly properties: Record<string, string>;
}

const CONTACTS = '/crm/v3/objects/contacts';
/** Properties this portal defines (HubSpot rejects others with PROPERTY_DOESNT_EXIST). */
const DEFAULT_PROPERTIES = ['email', 'firstname', 'lastname', 'phone', 'lifecyclestage', 'kith_marketing_opt_out'];

export async function startHubspotPeer(options: { token: string; properties?: string[] }): Promise<HubspotPeer> {
  const known = new Set(options.properties ?? DEFAULT_PROPERTIES);
  const contacts = new Map<string, Contact>();
  const blocklist = new Set<string>();
  let nextId = 1001;

  function upsert(body: unknown): PeerReply {
    const inputs = batchInputs(body);
    if (typeof inputs === 'string') return hubspotError(400, inputs, 'VALIDATION_ERROR');
    const ids = inputs.map((i) => (typeof i.id === 'string' ? i.id.toLowerCase() : ''));
    if (new Set(ids).size !== ids.length) return hubspotError(400, 'Duplicate IDs found in batch input', 'VALIDATION_ERROR');
    const problems = inputs.map((input) => inputProblem(input, known));
    const traced = inputs.every((i) => typeof i.objectWriteTraceId === 'string');
    const firstProblem = problems.find((p) => p !== undefined);
    if (firstProblem && !traced) return hubspotError(400, firstProblem, 'VALIDATION_ERROR');
    const results: unknown[] = [];
    const errors: unknown[] = [];
    inputs.forEach((input, k) => {
      const problem = problems[k];
      if (problem) {
        errors.push({ status: 'error', category: 'VALIDATION_ERROR', message: problem, context: { objectWriteTraceId: [input.objectWriteTraceId] } });
        return;
      }
      const email = ids[k]!;
      const existing = contacts.get(email);
      const contact = existing ?? { id: String(nextId++), properties: {} };
      Object.assign(contact.properties, input.properties as Record<string, string>, { email });
      contacts.set(email, contact);
      results.push({ id: contact.id, properties: contact.properties, new: !existing, objectWriteTraceId: input.objectWriteTraceId, archived: false });
    });
    const status = errors.length > 0 ? 207 : 200;
    return { status, body: { status: 'COMPLETE', results, ...(errors.length > 0 ? { errors, numErrors: errors.length } : {}) } };
  }

  function read(body: unknown): PeerReply {
    const inputs = batchInputs(body);
    if (typeof inputs === 'string') return hubspotError(400, inputs, 'VALIDATION_ERROR');
    if (!isObject(body) || body.idProperty !== 'email') return hubspotError(400, 'idProperty must be a unique property such as email', 'VALIDATION_ERROR');
    const found: unknown[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const contact = typeof input.id === 'string' ? contacts.get(input.id.toLowerCase()) : undefined;
      // HubSpot returns the properties the request names (email when it names none).
      const wanted = isObject(body) && Array.isArray(body.properties) ? (body.properties as unknown[]).map(String) : ['email'];
      const properties = Object.fromEntries(wanted.map((name) => [name, contact?.properties[name] ?? null]));
      if (contact) found.push({ id: contact.id, properties, archived: false });
      else missing.push(String(input.id));
    }
    if (missing.length === 0) return { status: 200, body: { status: 'COMPLETE', results: found } };
    const error = { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'Could not get some CONTACT objects, they may be deleted or not exist.', context: { ids: missing } };
    return { status: 207, body: { status: 'COMPLETE', results: found, errors: [error], numErrors: 1 } };
  }

  function archive(body: unknown): PeerReply {
    const inputs = batchInputs(body);
    if (typeof inputs === 'string') return hubspotError(400, inputs, 'VALIDATION_ERROR');
    for (const input of inputs) {
      for (const [email, contact] of contacts) if (contact.id === input.id) contacts.delete(email);
    }
    return { status: 204 };
  }

  function gdprDelete(body: unknown): PeerReply {
    if (!isObject(body) || typeof body.objectId !== 'string') return hubspotError(400, 'objectId is required', 'VALIDATION_ERROR');
    if (body.idProperty !== undefined && body.idProperty !== 'email') return hubspotError(400, 'idProperty must be email', 'VALIDATION_ERROR');
    const email = body.objectId.toLowerCase();
    const key = body.idProperty === 'email' ? email : [...contacts].find(([, c]) => c.id === body.objectId)?.[0];
    if (key !== undefined && contacts.delete(key)) return { status: 204 };
    if (body.idProperty === 'email') blocklist.add(email);
    return { status: 204 };
  }

  function handle(request: PeerRequest): PeerReply {
    if (bearerOf(request) !== options.token) {
      return hubspotError(401, 'Authentication credentials not found. This API supports OAuth 2.0 authentication.', 'INVALID_AUTHENTICATION');
    }
    if (!hasMediaType(request, 'application/json')) return hubspotError(415, 'Content-Type must be application/json', 'VALIDATION_ERROR');
    const route = `${request.method} ${request.path}`;
    if (route === `GET ${CONTACTS}`) {
      const limit = Number(request.query.get('limit') ?? '10');
      const results = [...contacts.values()].slice(0, limit).map((c) => ({ id: c.id, properties: c.properties }));
      return { status: 200, body: { results } };
    }
    if (route === `POST ${CONTACTS}/batch/upsert`) return upsert(request.body);
    if (route === `POST ${CONTACTS}/batch/read`) return read(request.body);
    if (route === `POST ${CONTACTS}/batch/archive`) return archive(request.body);
    if (route === `POST ${CONTACTS}/gdpr-delete`) return gdprDelete(request.body);
    return hubspotError(404, `No route for ${route}`, 'OBJECT_NOT_FOUND');
  }

  const peer = await startPeer(handle, (status, message) => hubspotError(status, message, status === 429 ? 'RATE_LIMITS' : 'ERROR'));
  return { ...peer, contact: (email) => contacts.get(email.toLowerCase())?.properties, blocklist };
}

function batchInputs(body: unknown): Array<Record<string, unknown>> | string {
  if (!isObject(body) || !Array.isArray(body.inputs)) return 'Invalid input JSON: inputs must be an array';
  if (body.inputs.length === 0 || body.inputs.length > 100) return 'inputs must hold between 1 and 100 items';
  if (!body.inputs.every(isObject)) return 'Invalid input JSON: every input must be an object';
  return body.inputs as Array<Record<string, unknown>>;
}

function inputProblem(input: Record<string, unknown>, known: Set<string>): string | undefined {
  if (typeof input.id !== 'string' || !input.id.includes('@')) return 'Property values were not valid: id must be an email';
  if (input.idProperty !== 'email') return 'idProperty must be email';
  if (!isObject(input.properties)) return 'properties must be an object';
  for (const [name, value] of Object.entries(input.properties)) {
    if (!known.has(name)) return `Property "${name}" does not exist`;
    if (typeof value !== 'string') return `Property "${name}" must be a string`;
  }
  return undefined;
}

function hubspotError(status: number, message: string, category: string): PeerReply {
  const headers: Record<string, string> =
    status === 429 ? { 'x-hubspot-ratelimit-interval-milliseconds': '10000', 'x-hubspot-ratelimit-max': '100', 'x-hubspot-ratelimit-remaining': '0' } : {};
  return { status, headers, body: { status: 'error', message, correlationId: randomUUID(), category } };
}
