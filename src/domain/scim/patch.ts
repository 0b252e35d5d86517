import { matches } from './filter-eval.js';
import { type Filter, resolveFilter } from './filter.js';
import { parsePatchPath } from './filter-parser.js';
import { invalidPath, invalidSyntax, invalidValue, mutability, noTarget } from './scim-error.js';
import { type AttributeRef, ENTERPRISE_USER, refPath, resolveAttribute, type ScimAttribute } from './user-schema.js';

/**
 * RFC 7644 section 3.5.2 PATCH, applied to a resource's JSON representation: add, replace and remove, with
 * and without `path`, value filters (`emails[type eq "work"]`) and a sub-attribute after them. Paths and
 * value filters go through the same parser and schema resolution as `filter`, so names are case-insensitive
 * and may carry the schema URN. The caller validates the result like a PUT.
 */

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const MAX_OPERATIONS = 100;

type Json = Record<string, unknown>;
type Op = 'add' | 'replace' | 'remove';

interface Target {
  ref: AttributeRef;
  filter: Filter | null;
  /** The sub-attribute to change in each value the filter selects. */
  sub: ScimAttribute | null;
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Renames keys to their canonical spelling where the attribute knows them. */
function canonicalKeys(attribute: ScimAttribute, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => canonicalKeys(attribute, item));
  if (!isObject(value) || !attribute.subAttributes) return value;
  const out: Json = {};
  for (const [key, item] of Object.entries(value)) {
    out[attribute.subAttributes.find((a) => a.name.toLowerCase() === key.toLowerCase())?.name ?? key] = item;
  }
  return out;
}

function target(path: string): Target {
  const raw = parsePatchPath(path);
  const ref = resolveAttribute(raw.path.uri, raw.path.name, raw.path.sub);
  if (!ref) throw invalidPath(`"${path}" is not an attribute of the User schema.`);
  if (ref.attribute.mutability === 'readOnly' || ref.sub?.mutability === 'readOnly') throw mutability(`${refPath(ref)} is read-only.`);
  if (!raw.filter) return { ref, filter: null, sub: null };
  if (!ref.attribute.multiValued || ref.attribute.type !== 'complex') throw invalidPath(`${refPath(ref)} is not multi-valued: it takes no value filter.`);
  const filter = resolveFilter(raw.filter, invalidPath, ref);
  if (raw.subAfterFilter === null) return { ref, filter, sub: null };
  const sub = ref.attribute.subAttributes!.find((a) => a.name.toLowerCase() === raw.subAfterFilter!.toLowerCase());
  if (!sub) throw invalidPath(`${refPath(ref)} has no sub-attribute "${raw.subAfterFilter}".`);
  if (sub.mutability === 'readOnly') throw mutability(`${refPath(ref)}.${sub.name} is read-only.`);
  return { ref, filter, sub };
}

/** The object holding a ref's attribute: the resource, or the extension's object (made when `create`). */
function holder(resource: Json, ref: AttributeRef, create: boolean): Json | null {
  if (ref.schema === 'core') return resource;
  if (!isObject(resource[ENTERPRISE_USER])) {
    if (!create) return null;
    resource[ENTERPRISE_USER] = {};
  }
  return resource[ENTERPRISE_USER] as Json;
}

/** A value set with primary true makes every other value of the attribute non-primary (RFC 7643 2.4). */
function onePrimary(values: Json[], chosen: readonly Json[]): Json[] {
  if (!chosen.some((value) => value.primary === true)) return values;
  return values.map((value) => (chosen.includes(value) || value.primary !== true ? value : { ...value, primary: false }));
}

function applyFiltered(op: Op, resource: Json, t: Target, value: unknown): void {
  const owner = holder(resource, t.ref, false);
  const values = owner && Array.isArray(owner[t.ref.attribute.name]) ? (owner[t.ref.attribute.name] as Json[]) : [];
  const selected = values.filter((item) => isObject(item) && matches(t.filter!, resource, item));
  if (op === 'remove') {
    const kept = t.sub ? values.map((item) => (selected.includes(item) ? withoutKey(item, t.sub!.name) : item)) : values.filter((item) => !selected.includes(item));
    if (owner) owner[t.ref.attribute.name] = kept;
    return;
  }
  if (selected.length === 0) throw noTarget(`No value of ${refPath(t.ref)} matches the filter.`);
  if (!t.sub && !isObject(value)) throw invalidValue(`The value for ${refPath(t.ref)}[...] must be an object.`);
  const replaced = values.map((item) => {
    if (!selected.includes(item)) return item;
    if (t.sub) return { ...item, [t.sub.name]: value };
    return (op === 'add' ? { ...item, ...(canonicalKeys(t.ref.attribute, value) as Json) } : canonicalKeys(t.ref.attribute, value)) as Json;
  });
  owner![t.ref.attribute.name] = onePrimary(replaced, replaced.filter((item, index) => values[index] !== item));
}

/** Deep equality of JSON values, whatever the order of object keys. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && sameValue(a[key], b[key]));
  }
  return a === b;
}

function withoutKey(value: Json, key: string): Json {
  const { [key]: _, ...rest } = value;
  return rest;
}

function applyAt(op: Op, resource: Json, t: Target, value: unknown): void {
  if (t.filter) return applyFiltered(op, resource, t, value);
  const { attribute, sub } = t.ref;
  const owner = holder(resource, t.ref, op !== 'remove');
  if (!owner) return;
  const current = owner[attribute.name];
  if (sub) {
    // A sub-attribute: of the complex value, or of every value of a multi-valued attribute.
    if (attribute.multiValued) {
      if (!Array.isArray(current)) {
        if (op === 'remove') return;
        throw noTarget(`${refPath(t.ref)}: ${attribute.name} has no values to change.`);
      }
      owner[attribute.name] = current.map((item: Json) => (op === 'remove' ? withoutKey(item, sub.name) : { ...item, [sub.name]: value }));
      return;
    }
    const base = isObject(current) ? current : {};
    owner[attribute.name] = op === 'remove' ? withoutKey(base, sub.name) : { ...base, [sub.name]: value };
    return;
  }
  if (op === 'remove') {
    delete owner[attribute.name];
    return;
  }
  const canonical = canonicalKeys(attribute, value);
  if (attribute.multiValued) {
    const given = (Array.isArray(canonical) ? canonical : [canonical]) as Json[];
    const existing = op === 'add' && Array.isArray(current) ? (current as Json[]) : [];
    // A value the attribute already holds is not added again (RFC 7644 section 3.5.2.1).
    const added = given.filter((value) => !existing.some((item) => sameValue(item, value)));
    const list = [...existing, ...added];
    owner[attribute.name] = attribute.type === 'complex' ? onePrimary(list, added) : list;
  } else if (attribute.type === 'complex' && isObject(canonical) && isObject(current)) {
    // Sub-attributes not given are left as they were (RFC 7644 3.5.2.1 and 3.5.2.3).
    owner[attribute.name] = { ...current, ...canonical };
  } else {
    owner[attribute.name] = canonical;
  }
}

/** Applies one operation without a path: each member of the value object is a path and its value. */
function applyWithoutPath(op: Op, resource: Json, value: unknown): void {
  if (op === 'remove') throw noTarget('A remove operation needs a path.');
  if (!isObject(value)) throw invalidValue(`An ${op} operation without a path needs an object value.`);
  for (const [key, item] of Object.entries(value)) {
    if (key.toLowerCase() === ENTERPRISE_USER.toLowerCase()) {
      if (!isObject(item)) throw invalidValue(`${ENTERPRISE_USER} must be an object.`);
      for (const [name, sub] of Object.entries(item)) applyAt(op, resource, target(`${ENTERPRISE_USER}:${name}`), sub);
    } else if (key.toLowerCase() !== 'schemas') {
      applyAt(op, resource, target(key), item);
    }
  }
}

/** Applies a PatchOp request to a copy of the resource and returns it. */
export function applyPatch(resource: Json, body: unknown): Json {
  if (!isObject(body)) throw invalidSyntax('The request body must be a JSON object.');
  if (!Array.isArray(body.schemas) || !body.schemas.includes(PATCH_OP)) throw invalidSyntax(`schemas must be ["${PATCH_OP}"].`);
  const operations = body.Operations;
  if (!Array.isArray(operations) || operations.length === 0) throw invalidSyntax('Operations must be a non-empty array.');
  if (operations.length > MAX_OPERATIONS) throw invalidSyntax(`At most ${MAX_OPERATIONS} operations per request.`);
  const result = structuredClone(resource);
  for (const [index, operation] of operations.entries()) {
    if (!isObject(operation) || typeof operation.op !== 'string') throw invalidSyntax(`Operations[${index}] needs an "op".`);
    const op = operation.op.toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw invalidSyntax(`Operations[${index}].op must be add, replace or remove.`);
    if (op !== 'remove' && operation.value === undefined) throw invalidValue(`Operations[${index}] (${op}) needs a value.`);
    if (operation.path === undefined) applyWithoutPath(op, result, operation.value);
    else if (typeof operation.path !== 'string') throw invalidPath(`Operations[${index}].path must be a string.`);
    else applyAt(op, result, target(operation.path), operation.value);
  }
  return result;
}
