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

  /** Field names the object lacks (Salesforce refuses the whole request when it cannot read a field). */
  const unknownField = (body: Record<string, unknown>) => Object.keys(body).find((name) => !fields.has(name));

  /** Creates or updates one record; a refusal names Salesforce's status code. */
  function save(externalId: string, body: Record<string, unknown>): SaveResult {
    const existing = records.get(externalId);
    if (existing) {
      Object.assign(existing, body);
      return { id: existing.Id as string, created: false };
    }
    const missing = required.filter((name) => typeof body[name] !== 'string' || body[name] === '');
    if (missing.length > 0) return { errorCode: 'REQUIRED_FIELD_MISSING', message: `Required fields are missing: [${missing.join(', ')}]`, fields: missing };
    const record = { HasOptedOutOfEmail: false, ...body, Id: prefix + randomBytes(6).toString('hex'), [options.externalIdField]: externalId };
    records.set(externalId, record);
    return { id: record.Id, created: true };
  }

  function upsert(externalId: string, body: unknown, apiVersion: number): PeerReply {
    if (body === INVALID_JSON || !isObject(body)) return sfError(400, 'JSON_PARSER_ERROR', 'The request body is not a JSON object');
    const unknown = unknownField(body);
    if (unknown) return sfError(400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type ${options.object}`);
    if (options.externalIdField in body || 'Id' in body) {
      return sfError(400, 'INVALID_FIELD', `${options.externalIdField} and Id are given by the URL, not the body`);
    }
    const result = save(externalId, body);
    if ('errorCode' in result) return sfError(400, result.errorCode, result.message, result.fields);
    if (result.created) return { status: 201, body: { id: result.id, success: true, errors: [], created: true } };
    // API 46.0 and later answer an update with 200 and a body; earlier versions with 204.
    return apiVersion >= 46 ? { status: 200, body: { id: result.id, success: true, errors: [], created: false } } : { status: 204 };
  }

  /** sObject Collections upsert (API 46.0+): up to 200 records, results in request order. */
  function upsertCollection(body: unknown): PeerReply {
    if (!isObject(body) || !Array.isArray(body.records) || body.records.length === 0 || body.records.length > 200) {
      return sfError(400, 'INVALID_BATCH_SIZE', 'records must hold between 1 and 200 sObjects');
    }
    for (const record of body.records) {
      if (!isObject(record) || !isObject(record.attributes) || record.attributes.type !== options.object) {
        return sfError(400, 'INVALID_TYPE', `Every record needs attributes.type ${options.object}`);
      }
      const { attributes: _type, ...values } = record;
      const unknown = unknownField(values);
      if (unknown) return sfError(400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type ${options.object}`);
    }
    const results = (body.records as Array<Record<string, unknown>>).map(({ attributes: _type, ...record }) => {
      const externalId = record[options.externalIdField];
      if (typeof externalId !== 'string' || externalId === '') {
        return { success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: `${options.externalIdField} not specified`, fields: [] }] };
      }
      const result = save(externalId, record);
      return 'errorCode' in result
        ? { success: false, errors: [{ statusCode: result.errorCode, message: result.message, fields: result.fields }] }
        : { id: result.id, success: true, errors: [], created: result.created };
    });
    return { status: 200, body: results };
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
    if (request.method === 'PATCH' && parts.join('/') === `composite/sobjects/${options.object}/${options.externalIdField}`) {
      return apiVersion >= 46 ? upsertCollection(request.body) : sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
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

type SaveResult = { id: string; created: boolean } | { errorCode: string; message: string; fields: string[] };

function sfError(status: number, errorCode: string, message: string, fields?: string[]): PeerReply {
  return { status, body: [{ message, errorCode, ...(fields ? { fields } : {}) }] };
}
