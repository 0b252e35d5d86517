import { type SQL, sql } from 'drizzle-orm';
import type { CompareOp, Filter, FilterValue } from '../domain/scim/filter.js';
import { type AttributeRef, CORE_USER, ENTERPRISE_USER, type ScimAttribute } from '../domain/scim/user-schema.js';
import { customers, scimUsers } from './tables/index.js';

/**
 * Translates a resolved SCIM filter into a WHERE condition over customers LEFT JOIN scim_users. Every value
 * is a bound parameter (drizzle's sql template); attribute names come only from the schema, never from
 * the request. The semantics are those of src/domain/scim/filter-eval.ts: strings of caseExact=false
 * attributes compare lower-cased, `ne` matches an absent value, multi-valued attributes match when some
 * value does.
 */

const doc = sql`${scimUsers.document}`;
const status = sql`${customers.status}`;

/** The values of a multi-valued complex attribute as one jsonb array, primary email and phone included. */
function pluralArray(name: string): SQL {
  const stored = (key: string) => sql`coalesce(${doc}->${key}::text, '[]'::jsonb)`;
  switch (name) {
    case 'emails':
      return sql`(jsonb_build_array(coalesce(${doc}->'primaryEmail', '{}'::jsonb) || jsonb_build_object('value', ${customers.email}, 'primary', true)) || ${stored('emails')})`;
    case 'phoneNumbers':
      return sql`((case when ${customers.phoneNumber} is null then '[]'::jsonb else jsonb_build_array(coalesce(${doc}->'primaryPhone', '{}'::jsonb) || jsonb_build_object('value', ${customers.phoneNumber}, 'primary', true)) end) || ${stored('phoneNumbers')})`;
    default:
      return stored(name);
  }
}

/** A single-valued attribute's value as SQL text (or timestamptz for meta dates, boolean for active). */
function scalar(ref: AttributeRef): SQL {
  const { attribute, sub } = ref;
  if (ref.schema === 'enterprise') {
    return sub ? sql`(${doc}->${ENTERPRISE_USER}::text->${attribute.name}::text->>${sub.name}::text)` : sql`(${doc}->${ENTERPRISE_USER}::text->>${attribute.name}::text)`;
  }
  const path = sub ? `${attribute.name}.${sub.name}` : attribute.name;
  switch (path) {
    case 'id':
      return sql`${customers.id}::text`;
    case 'externalId':
      return sql`${scimUsers.externalId}`;
    case 'userName':
      // Customers without a SCIM record (self-registered ones) go by their email.
      return sql`coalesce(${scimUsers.userName}, ${customers.email})`;
    case 'name.givenName':
      return sql`${customers.givenName}`;
    case 'name.familyName':
      return sql`${customers.familyName}`;
    case 'locale':
      return sql`${customers.locale}`;
    case 'active':
      return sql`(${status} <> 'DISABLED')`;
    case 'meta.created':
      return sql`${customers.createdAt}`;
    case 'meta.lastModified':
      return sql`${customers.updatedAt}`;
    case 'meta.resourceType':
      return sql`'User'::text`;
    case 'meta.version':
      return sql`('W/"' || ${customers.version} || '"')`;
    default:
      return sub ? sql`(${doc}->${attribute.name}::text->>${sub.name}::text)` : sql`(${doc}->>${attribute.name}::text)`;
  }
}

/** The SQL value of a ref: inside `any`, a sub-attribute of the current element `e.v`. */
function valueSql(ref: AttributeRef, inElement: boolean): SQL {
  if (inElement && ref.sub) return sql`(e.v->>${ref.sub.name}::text)`;
  return scalar(ref);
}

function compareText(left: SQL, op: CompareOp, value: string, caseExact: boolean): SQL {
  const a = caseExact ? left : sql`lower(${left})`;
  const b = caseExact ? sql`${value}::text` : sql`lower(${value}::text)`;
  switch (op) {
    case 'eq':
      return sql`${a} = ${b}`;
    case 'ne':
      return sql`(${a} = ${b}) is not true`;
    case 'co':
      return sql`strpos(${a}, ${b}) > 0`;
    case 'sw':
      return sql`left(${a}, length(${b})) = ${b}`;
    case 'ew':
      return sql`right(${a}, length(${b})) = ${b}`;
    case 'gt':
      return sql`${a} > ${b}`;
    case 'ge':
      return sql`${a} >= ${b}`;
    case 'lt':
      return sql`${a} < ${b}`;
    case 'le':
      return sql`${a} <= ${b}`;
  }
}

const SQL_OPERATOR = { eq: sql`=`, ne: sql`<>`, gt: sql`>`, ge: sql`>=`, lt: sql`<`, le: sql`<=` } as const;

function presentSql(ref: AttributeRef, inElement: boolean): SQL {
  const leaf: ScimAttribute = ref.sub ?? ref.attribute;
  if (ref.attribute.name === 'schemas' && ref.schema === 'core') return sql`true`;
  if (!ref.sub && ref.attribute.multiValued) return sql`jsonb_array_length(${pluralArray(ref.attribute.name)}) > 0`;
  if (leaf.type === 'complex') {
    // A complex value is present when any of its sub-attributes is.
    return sql`(${sql.join(leaf.subAttributes!.map((sub) => presentSql({ ...ref, sub }, inElement)), sql` or `)})`;
  }
  const value = valueSql(ref, inElement);
  return leaf.type === 'string' || leaf.type === 'reference' ? sql`coalesce(${value} <> '', false)` : sql`${value} is not null`;
}

function compareSql(ref: AttributeRef, op: CompareOp, value: FilterValue, inElement: boolean): SQL {
  const leaf = ref.sub ?? ref.attribute;
  if (ref.attribute.name === 'schemas' && ref.schema === 'core') {
    const schemas = sql`(array[${CORE_USER}::text] || case when ${doc} ? ${ENTERPRISE_USER}::text then array[${ENTERPRISE_USER}::text] else array[]::text[] end)`;
    if (value === null) return op === 'eq' ? sql`false` : sql`true`;
    const any = sql`exists (select 1 from unnest(${schemas}) as s(v) where ${compareText(sql`s.v`, op === 'ne' ? 'eq' : op, String(value), false)})`;
    return op === 'ne' ? sql`not ${any}` : any;
  }
  if (value === null) return op === 'eq' ? sql`not (${presentSql(ref, inElement)})` : presentSql(ref, inElement);
  const left = valueSql(ref, inElement);
  if (leaf.type === 'boolean') {
    // Element booleans are jsonb text; active is already a boolean.
    const truth = inElement ? sql`coalesce(${left} = 'true', false)` : left;
    return (op === 'eq') === (value === true) ? truth : sql`not ${truth}`;
  }
  if (leaf.type === 'dateTime') {
    const compared = sql`${left} ${SQL_OPERATOR[op as keyof typeof SQL_OPERATOR]} ${String(value)}::timestamptz`;
    return op === 'ne' ? sql`(${compared}) is not false` : compared;
  }
  return compareText(left, op, String(value), leaf.caseExact);
}

export function filterSql(filter: Filter, inElement = false): SQL {
  switch (filter.kind) {
    case 'and':
      return sql`(${filterSql(filter.left, inElement)} and ${filterSql(filter.right, inElement)})`;
    case 'or':
      return sql`(${filterSql(filter.left, inElement)} or ${filterSql(filter.right, inElement)})`;
    case 'not':
      // A comparison with an absent value is unknown in SQL; `is not true` makes "not" its complement.
      return sql`((${filterSql(filter.filter, inElement)}) is not true)`;
    case 'present':
      return presentSql(filter.ref, inElement);
    case 'compare':
      return compareSql(filter.ref, filter.op, filter.value, inElement);
    case 'any':
      return sql`exists (select 1 from jsonb_array_elements(${pluralArray(filter.ref.attribute.name)}) as e(v) where ${filterSql(filter.filter, true)})`;
  }
}

/** The value a list is sorted by: a plural attribute sorts by its primary (first) value. */
export function sortSql(ref: AttributeRef): SQL {
  const leaf = ref.sub ?? ref.attribute;
  let value: SQL;
  if (ref.attribute.multiValued && ref.attribute.type === 'complex') {
    value = sql`(${pluralArray(ref.attribute.name)}->0->>${ref.sub?.name ?? 'value'}::text)`;
  } else {
    value = scalar(ref);
  }
  return leaf.type === 'string' && !leaf.caseExact ? sql`lower(${value})` : value;
}
