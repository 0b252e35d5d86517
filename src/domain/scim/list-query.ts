import { isPresent, topValue } from './filter-eval.js';
import { compileFilter } from './filter.js';
import { parseAttrPath } from './filter-parser.js';
import type { UserSearch } from './scim-user-store.js';
import { invalidValue, ScimError } from './scim-error.js';
import { type AttributeRef, ENTERPRISE_USER, resolveAttribute } from './user-schema.js';

/** The most resources one list response returns (ServiceProviderConfig filter.maxResults). */
export const MAX_RESULTS = 200;

export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

type Json = Record<string, unknown>;

/** Which attributes a response carries (RFC 7644 section 3.4.2.5): null means the default set. */
export interface Projection {
  attributes: AttributeRef[] | null;
  excludedAttributes: AttributeRef[] | null;
}

export interface ListRequest extends UserSearch {
  startIndex: number;
  projection: Projection;
}

function attributePath(text: string, parameter: string): AttributeRef {
  const raw = parseAttrPath(text.trim(), (detail) => invalidValue(`${parameter}: ${detail}`));
  const ref = resolveAttribute(raw.uri, raw.name, raw.sub);
  if (!ref) throw invalidValue(`${parameter}: "${text.trim()}" is not an attribute of the User schema.`);
  return ref;
}

function attributeList(value: unknown, parameter: string): AttributeRef[] | null {
  if (value === undefined || value === null) return null;
  const list = Array.isArray(value) ? value : String(value).split(',');
  if (list.length > 50) throw invalidValue(`${parameter} may name at most 50 attributes.`);
  return list.filter((item) => String(item).trim() !== '').map((item) => attributePath(String(item), parameter));
}

function integer(value: unknown, parameter: string): number | null {
  if (value === undefined || value === null || value === '') return null;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(number)) throw invalidValue(`${parameter} must be an integer.`);
  return number;
}

/** A list sorts by a single value: a simple attribute, or a plural one's primary (first) value. */
function checkSortable(ref: AttributeRef): void {
  const leaf = ref.sub ?? ref.attribute;
  const plural = ref.attribute.multiValued;
  if ((leaf.type === 'complex' && !plural) || (plural && ref.attribute.type !== 'complex')) {
    throw invalidValue(`sortBy: ${leaf.name} has no single value to sort by; name a sub-attribute or a simple attribute.`);
  }
}

export function projectionOf(parameters: Json): Projection {
  const attributes = attributeList(parameters.attributes, 'attributes');
  const excludedAttributes = attributeList(parameters.excludedAttributes, 'excludedAttributes');
  return { attributes, excludedAttributes: attributes ? null : excludedAttributes };
}

/**
 * Reads a list request: query parameters of GET /Users, or the body of POST /Users/.search (RFC 7644
 * sections 3.4.2 and 3.4.3). startIndex below 1 counts as 1 and a negative count as 0 (section 3.4.2.4);
 * a count above MAX_RESULTS is tooMany.
 */
export function parseListRequest(parameters: Json): ListRequest {
  if (parameters.filter !== undefined && typeof parameters.filter !== 'string') throw invalidValue('filter must be a string.');
  const filter = parameters.filter === undefined || parameters.filter.trim() === '' ? null : compileFilter(parameters.filter);
  const sortBy = parameters.sortBy === undefined || parameters.sortBy === '' ? null : attributePath(String(parameters.sortBy), 'sortBy');
  if (sortBy) checkSortable(sortBy);
  const sortOrder = parameters.sortOrder === undefined ? 'ascending' : String(parameters.sortOrder).toLowerCase();
  if (sortOrder !== 'ascending' && sortOrder !== 'descending') throw invalidValue('sortOrder must be ascending or descending.');
  const startIndex = Math.max(1, integer(parameters.startIndex, 'startIndex') ?? 1);
  const count = Math.max(0, integer(parameters.count, 'count') ?? MAX_RESULTS);
  if (count > MAX_RESULTS) {
    throw new ScimError('tooMany', `count may be at most ${MAX_RESULTS}: page through the results with startIndex.`);
  }
  return { filter, sortBy, descending: sortOrder === 'descending', offset: startIndex - 1, limit: count, startIndex, projection: projectionOf(parameters) };
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Copies one ref's value from `from` into `to` (the sub-attribute only, for each value of a plural one). */
function copy(from: Json, to: Json, ref: AttributeRef): void {
  const value = topValue(from, ref);
  if (!isPresent(value)) return;
  const target = ref.schema === 'enterprise' ? ((to[ENTERPRISE_USER] ??= {}) as Json) : to;
  const name = ref.attribute.name;
  if (!ref.sub) {
    target[name] = value;
    return;
  }
  const sub = ref.sub.name;
  if (Array.isArray(value)) {
    const existing = (Array.isArray(target[name]) ? target[name] : value.map(() => ({}))) as Json[];
    target[name] = existing.map((item, index) => {
      const source = value[index] as Json;
      return source && source[sub] !== undefined ? { ...item, [sub]: source[sub] } : item;
    });
  } else if (isObject(value) && value[sub] !== undefined) {
    target[name] = { ...(isObject(target[name]) ? target[name] : {}), [sub]: value[sub] };
  }
}

function remove(resource: Json, ref: AttributeRef): void {
  if (ref.attribute.returned === 'always') return;
  const owner = ref.schema === 'enterprise' ? resource[ENTERPRISE_USER] : resource;
  if (!isObject(owner)) return;
  const name = ref.attribute.name;
  if (!ref.sub) {
    delete owner[name];
  } else if (Array.isArray(owner[name])) {
    owner[name] = (owner[name] as Json[]).map(({ [ref.sub!.name]: _, ...rest }) => rest);
  } else if (isObject(owner[name])) {
    delete owner[name][ref.sub.name];
  }
  if (ref.schema === 'enterprise' && Object.keys(owner).length === 0) delete resource[ENTERPRISE_USER];
}

/** Applies attributes / excludedAttributes to a full representation; id and schemas always stay. */
export function project(resource: Json, projection: Projection): Json {
  if (projection.attributes) {
    const out: Json = { schemas: resource.schemas, id: resource.id };
    for (const ref of projection.attributes) copy(resource, out, ref);
    return out;
  }
  if (projection.excludedAttributes) {
    const out = structuredClone(resource);
    for (const ref of projection.excludedAttributes) remove(out, ref);
    return out;
  }
  return resource;
}

/** A ListResponse (RFC 7644 section 3.4.2). */
export function listResponse(resources: Json[], total: number, startIndex: number): Json {
  return { schemas: [LIST_RESPONSE], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}
