import { type CompareOp, type FilterValue, parseFilter, type RawFilter, type RawPath } from './filter-parser.js';
import { invalidFilter, type ScimError } from './scim-error.js';
import { type AttributeRef, refPath, resolveAttribute } from './user-schema.js';

/**
 * A filter resolved against the User schema: every attribute known and canonically named, every operator
 * valid for its attribute's type. Comparisons on a multi-valued complex attribute (`emails co "x"`,
 * `emails.type eq "work"`, `emails[...]`) become `any`: some one value of the attribute satisfies the inner
 * filter, whose refs all name sub-attributes of that attribute.
 */
export type Filter =
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  | { kind: 'present'; ref: AttributeRef }
  | { kind: 'compare'; ref: AttributeRef; op: CompareOp; value: FilterValue }
  | { kind: 'any'; ref: AttributeRef; filter: Filter };

export type { CompareOp, FilterValue };

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Whether a string is an RFC 3339 date-time (SCIM's dateTime), as compared by dateTime filters: a real
 * calendar date and time (Date.parse would roll 2011-02-30 over into March) in years 0001 to 9999.
 */
export function isDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match || Number.isNaN(Date.parse(value))) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const calendar = new Date(Date.UTC(2000, month - 1, day));
  calendar.setUTCFullYear(year);
  return year >= 1 && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
}

function checkOperand(ref: AttributeRef, op: CompareOp, value: FilterValue, fail: (detail: string) => ScimError): void {
  const leaf = ref.sub ?? ref.attribute;
  const path = refPath(ref);
  if (leaf.type === 'complex') throw fail(`${path} is complex: compare one of its sub-attributes, e.g. ${path}.${leaf.subAttributes![0]!.name}.`);
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') throw fail(`null can only be compared with eq or ne (${path}).`);
    return;
  }
  if (leaf.type === 'boolean') {
    if (op !== 'eq' && op !== 'ne') throw fail(`${path} is a boolean: only eq and ne apply.`);
    if (typeof value !== 'boolean') throw fail(`${path} is a boolean: compare it with true or false.`);
    return;
  }
  if (typeof value !== 'string') throw fail(`${path} is a ${leaf.type}: compare it with a string.`);
  if (leaf.type === 'dateTime' && (op === 'co' || op === 'sw' || op === 'ew')) throw fail(`${path} is a dateTime: co, sw and ew do not apply.`);
  if (leaf.type === 'dateTime' && !isDateTime(value)) throw fail(`${path} is a dateTime: compare it with a date-time such as "2011-05-13T04:42:34Z".`);
}

function resolvePath(path: RawPath, parent: AttributeRef | null, fail: (detail: string) => ScimError): AttributeRef {
  const written = `${path.uri ? `${path.uri}:` : ''}${path.name}${path.sub ? `.${path.sub}` : ''}`;
  if (parent) {
    // Inside brackets, names are sub-attributes of the bracketed attribute.
    if (path.uri !== null || path.sub !== null) throw fail(`Inside ${refPath(parent)}[...], name a sub-attribute of ${refPath(parent)}, not "${written}".`);
    const sub = parent.attribute.subAttributes?.find((a) => a.name.toLowerCase() === path.name.toLowerCase());
    if (!sub) throw fail(`${refPath(parent)} has no sub-attribute "${path.name}".`);
    return { ...parent, sub };
  }
  const ref = resolveAttribute(path.uri, path.name, path.sub);
  if (!ref) throw fail(`"${written}" is not an attribute of the User schema.`);
  // The location is built from the URL a request came to, so the same user has no one value to compare.
  if (ref.attribute.name === 'meta' && ref.sub?.name === 'location') throw fail('meta.location cannot be filtered: filter by id instead.');
  return ref;
}

/** Multi-valued complex attributes (emails, phoneNumbers, ...) are compared value by value. */
const isPlural = (ref: AttributeRef) => ref.attribute.multiValued && ref.attribute.type === 'complex';

export function resolveFilter(raw: RawFilter, fail: (detail: string) => ScimError = invalidFilter, parent: AttributeRef | null = null): Filter {
  switch (raw.kind) {
    case 'and':
    case 'or':
      return { kind: raw.kind, left: resolveFilter(raw.left, fail, parent), right: resolveFilter(raw.right, fail, parent) };
    case 'not':
      return { kind: 'not', filter: resolveFilter(raw.filter, fail, parent) };
    case 'valuePath': {
      const ref = resolvePath(raw.path, null, fail);
      if (!isPlural(ref)) throw fail(`${refPath(ref)}[...] needs a multi-valued complex attribute such as emails.`);
      return { kind: 'any', ref, filter: resolveFilter(raw.filter, fail, ref) };
    }
    case 'present': {
      const ref = resolvePath(raw.path, parent, fail);
      if (parent || !isPlural(ref) || ref.sub === null) return { kind: 'present', ref };
      return { kind: 'any', ref: { ...ref, sub: null }, filter: { kind: 'present', ref } };
    }
    case 'compare': {
      const ref = resolvePath(raw.path, parent, fail);
      if (!parent && isPlural(ref)) {
        // `emails co "x"` compares each email's value (RFC 7644 section 3.4.2.2).
        const sub = ref.sub ?? ref.attribute.subAttributes!.find((a) => a.name === 'value')!;
        const inner = { ...ref, sub };
        checkOperand(inner, raw.op, raw.value, fail);
        return { kind: 'any', ref: { ...ref, sub: null }, filter: { kind: 'compare', ref: inner, op: raw.op, value: raw.value } };
      }
      checkOperand(ref, raw.op, raw.value, fail);
      return { kind: 'compare', ref, op: raw.op, value: raw.value };
    }
  }
}

/** Parses and resolves a `filter` parameter: a malformed filter or an unknown attribute is invalidFilter. */
export function compileFilter(text: string): Filter {
  return resolveFilter(parseFilter(text));
}
