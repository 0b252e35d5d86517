import { randomBytes } from 'node:crypto';
import { bearerOf, hasMediaType, INVALID_JSON, isObject, startPeer, type Peer, type PeerReply, type PeerRequest } from './peer-server.js';

/**
 * A Salesforce REST API peer for one sObject (Lead or Contact) with one external ID field: upsert (PATCH)
 * and delete (DELETE) by external ID, describe and limits, behind an OAuth bearer token; errors as
 * Salesforce's JSON arrays of { message, errorCode, fields }.
 */
export interface SalesforcePeer extends Peer {
  /** The record whose external ID field holds this value, or undefined. */
  record(externalId: string): Readonly<Record<string, unknown>> | undefined;
}

const STANDARD_FIELDS = ['Id', 'FirstName', 'LastName', 'Email', 'Phone', 'Company', 'HasOptedOutOfEmail', 'Description'];

export async function startSalesforcePeer(options: { token: string; object: 'Lead' | 'Contact'; externalIdField: string }): Promise<SalesforcePeer> {
  const fields = new Set([...STANDARD_FIELDS, options.externalIdField]);
  const required = options.object === 'Lead' ? ['LastName', 'Company'] : ['LastName'];
  const records = new Map<string, Record<string, unknown>>();
  const prefix = options.object === 'Lead' ? '00Q' : '003';

  function upsert(externalId: string, body: unknown, apiVersion: number): PeerReply {
    if (body === INVALID_JSON || !isObject(body)) return sfError(400, 'JSON_PARSER_ERROR', 'The request body is not a JSON object');
    for (const name of Object.keys(body)) {
      if (!fields.has(name)) return sfError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${options.object}`);
    }
    if (options.externalIdField in body || 'Id' in body) {
      return sfError(400, 'INVALID_FIELD', `${options.externalIdField} and Id are given by the URL, not the body`);
    }
    const existing = records.get(externalId);
    if (!existing) {
      const missing = required.filter((name) => typeof body[name] !== 'string' || body[name] === '');
      if (missing.length > 0) return sfError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
      const record = { HasOptedOutOfEmail: false, ...body, Id: prefix + randomBytes(6).toString('hex'), [options.externalIdField]: externalId };
      records.set(externalId, record);
      return { status: 201, body: { id: record.Id, success: true, errors: [], created: true } };
    }
    Object.assign(existing, body);
    // API 46.0 and later answer an update with 200 and a body; earlier versions with 204.
    return apiVersion >= 46 ? { status: 200, body: { id: existing.Id, success: true, errors: [], created: false } } : { status: 204 };
  }

  function handle(request: PeerRequest): PeerReply {
    if (bearerOf(request) !== options.token) return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (!hasMediaType(request, 'application/json')) return sfError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json');
    const match = /^\/services\/data\/v(\d{2,3})\.0\/(.*)$/.exec(request.path);
    if (!match) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const apiVersion = Number(match[1]);
    const parts = match[2]!.split('/').map(decodeURIComponent);
    if (request.method === 'GET' && parts.join('/') === 'limits') {
      return { status: 200, body: { DailyApiRequests: { Max: 15000, Remaining: 14999 } } };
    }
    if (parts[0] !== 'sobjects' || parts[1] !== options.object) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (request.method === 'GET' && parts.length === 3 && parts[2] === 'describe') {
      const described = [...fields].map((name) => ({ name, externalId: name === options.externalIdField, type: 'string' }));
      return { status: 200, body: { name: options.object, fields: described } };
    }
    if (parts.length !== 4) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (parts[2] !== options.externalIdField) {
      return sfError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${parts[2]}`);
    }
    const externalId = parts[3]!;
    if (request.method === 'PATCH') return upsert(externalId, request.body, apiVersion);
    if (request.method === 'DELETE') {
      if (!records.delete(externalId)) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      return { status: 204 };
    }
    return sfError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${request.method}' not allowed. Allowed are HEAD,GET,PATCH,DELETE`);
  }

  const peer = await startPeer(handle, (status, message) =>
    sfError(status, status === 503 ? 'SERVER_UNAVAILABLE' : status === 429 || status === 403 ? 'REQUEST_LIMIT_EXCEEDED' : 'UNKNOWN_EXCEPTION', message),
  );
  return { ...peer, record: (externalId) => records.get(externalId) };
}

function sfError(status: number, errorCode: string, message: string, fields?: string[]): PeerReply {
  return { status, body: [{ message, errorCode, ...(fields ? { fields } : {}) }] };
}
