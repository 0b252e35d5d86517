import type { CompareOp, Filter, FilterValue } from './filter.js';
import { type AttributeRef, ENTERPRISE_USER } from './user-schema.js';

/**
 * Evaluates a resolved filter against a resource in memory: PATCH uses it to pick the values a value filter
 * selects, and its semantics are the ones the SQL translation (src/store/scim-filter-sql.ts) implements.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The top-level value a ref names in a resource (canonical keys), or undefined. */
export function topValue(resource: Json, ref: AttributeRef): unknown {
  if (ref.schema === 'enterprise') {
    const extension = resource[ENTERPRISE_USER];
    return isObject(extension) ? extension[ref.attribute.name] : undefined;
  }
  return resource[ref.attribute.name];
}

/** Whether a value counts as present: not null, not an empty string, array or object (RFC 7644 "pr"). */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (isObject(value)) return Object.values(value).some(isPresent);
  return true;
}

function compareScalar(ref: AttributeRef, actual: unknown, op: CompareOp, expected: FilterValue): boolean {
  if (expected === null) return op === 'eq' ? !isPresent(actual) : isPresent(actual);
  if (actual === undefined || actual === null) return op === 'ne';
  const leaf = ref.sub ?? ref.attribute;
  if (leaf.type === 'boolean') return op === 'eq' ? actual === expected : actual !== expected;
  if (typeof actual !== 'string' || typeof expected !== 'string') return op === 'ne';
  if (leaf.type === 'dateTime') {
    const [a, b] = [Date.parse(actual), Date.parse(expected)];
    const table: Record<CompareOp, boolean> = { eq: a === b, ne: a !== b, gt: a > b, ge: a >= b, lt: a < b, le: a <= b, co: false, sw: false, ew: false };
    return table[op];
  }
  const [a, b] = leaf.caseExact ? [actual, expected] : [actual.toLowerCase(), expected.toLowerCase()];
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'co':
      return a.includes(b);
    case 'sw':
      return a.startsWith(b);
    case 'ew':
      return a.endsWith(b);
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
  }
}

/** The value of a ref in the resource, or in one element of a multi-valued attribute when `element` is given. */
function valueOf(resource: Json, ref: AttributeRef, element: Json | null): unknown {
  if (element && ref.sub) return element[ref.sub.name];
  const top = topValue(resource, ref);
  if (!ref.sub) return top;
  return isObject(top) ? top[ref.sub.name] : undefined;
}

export function matches(filter: Filter, resource: Json, element: Json | null = null): boolean {
  switch (filter.kind) {
    case 'and':
      return matches(filter.left, resource, element) && matches(filter.right, resource, element);
    case 'or':
      return matches(filter.left, resource, element) || matches(filter.right, resource, element);
    case 'not':
      return !matches(filter.filter, resource, element);
    case 'present':
      return isPresent(valueOf(resource, filter.ref, element));
    case 'any': {
      const values = topValue(resource, filter.ref);
      return Array.isArray(values) && values.some((value) => isObject(value) && matches(filter.filter, resource, value));
    }
    case 'compare': {
      const actual = valueOf(resource, filter.ref, element);
      if (Array.isArray(actual)) {
        // A multi-valued simple attribute (schemas): some value matches; ne means none is equal.
        if (filter.op === 'ne') return !actual.some((value) => compareScalar(filter.ref, value, 'eq', filter.value));
        return actual.some((value) => compareScalar(filter.ref, value, filter.op, filter.value));
      }
      return compareScalar(filter.ref, actual, filter.op, filter.value);
    }
  }
}
