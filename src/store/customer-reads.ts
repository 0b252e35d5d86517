import { getTableColumns, type Query, sql } from 'drizzle-orm';
import type { Consent, ConsentPurpose, ConsentSource, ConsentStatus } from '../domain/consents/consent.js';
import type { Customer } from '../domain/customers/customer.js';
import type { CustomerWithConsents } from '../domain/customers/customer-store.js';
import { type Db, rawStatement } from './database.js';
import { consents, customers } from './tables/index.js';

/**
 * One consent as the JSON subquery below spells it: an array, not an object, so no key is repeated, and
 * timestamps as milliseconds since the epoch (a number becomes a Date far faster than a string with an
 * offset). The purpose is only named: its definition comes from the catalog (see PurposeSource).
 */
type ConsentTuple = [purposeKey: string, purposeVersion: number, status: string, source: string, grantedAt: number | null, withdrawnAt: number | null, updatedAt: number];

/**
 * The customer's current consents as one JSON array column. Written with explicit aliases: drizzle leaves
 * column names unqualified in a one-table select, which a subquery would make ambiguous. PostgreSQL builds
 * this in half the CPU the same array of objects with their purposes joined in took, which cost it more
 * than the rest of the read. date_part is a double: milliseconds are rounded again when read.
 */
const epochMs = (column: string) => `date_part('epoch', ${column}) * 1000`;
const consentsJson = sql<ConsentTuple[] | string>`coalesce((
  select json_agg(json_build_array(k.purpose_key, k.purpose_version, k.status, k.source,
    ${sql.raw(epochMs('k.granted_at'))}, ${sql.raw(epochMs('k.withdrawn_at'))}, ${sql.raw(epochMs('k.updated_at'))}
  ) order by k.purpose_key)
  from ${consents} k
  where k.customer_id = "customers"."id"
), '[]'::json)`;

const { createdAt: _createdAt, updatedAt: _updatedAt, ...plainColumns } = getTableColumns(customers);

/**
 * The columns of a customer read with its consents, read as raw rows (see rawReader): the table's own
 * columns, its two timestamps as epoch milliseconds, and the consents.
 */
export const customerWithConsentsColumns = {
  ...plainColumns,
  createdMs: sql<number>`${sql.raw(epochMs('"customers"."created_at"'))}`.as('created_ms'),
  updatedMs: sql<number>`${sql.raw(epochMs('"customers"."updated_at"'))}`.as('updated_ms'),
  consents: consentsJson.as('consents'),
};

/** A row of customerWithConsentsColumns as the driver gives it: column names, json parsed (a string is accepted too). */
interface CustomerWithConsentsRow {
  id: string;
  status: string;
  email: string | null;
  email_verified: boolean;
  phone_number: string | null;
  phone_number_verified: boolean;
  given_name: string | null;
  family_name: string | null;
  locale: string | null;
  attributes: Customer['attributes'] | string;
  anonymous_ids: string[];
  created_ms: number;
  updated_ms: number;
  version: number;
  consents: ConsentTuple[] | string;
}

/**
 * Runs a select of customerWithConsentsColumns and answers its raw rows, prepared when `name` is given.
 * drizzle's row mapping (a type check per field of every row, dates parsed from text) was 8% of the graph
 * read's main thread; toCustomersWithConsents maps these rows by hand instead.
 */
export function rawReader(db: Db, select: { toSQL(): Query }, name?: string) {
  const statement = rawStatement(db, select, name);
  return { execute: async (values?: Record<string, unknown>) => (await statement.execute(values)) as unknown as CustomerWithConsentsRow[] };
}

/**
 * The purpose catalog, keyed by purpose: `fresh` reads it from the database, otherwise the process's cached
 * catalog may answer. A consent names a purpose that a stale catalog may not know yet (it was defined a
 * moment ago by another process): then the mapping asks again, fresh.
 */
export type PurposeSource = (fresh: boolean) => Promise<readonly ConsentPurpose[]>;

const byKey = new WeakMap<readonly ConsentPurpose[], ReadonlyMap<string, ConsentPurpose>>();
function purposesByKey(list: readonly ConsentPurpose[]): ReadonlyMap<string, ConsentPurpose> {
  let map = byKey.get(list);
  if (!map) {
    map = new Map(list.map((purpose) => [purpose.key, purpose]));
    byKey.set(list, map);
  }
  return map;
}

/** The customer of a row, without its consents column: a literal. */
const customerOf = (row: CustomerWithConsentsRow): Customer => ({
  id: row.id,
  status: row.status as Customer['status'],
  email: row.email,
  emailVerified: row.email_verified,
  givenName: row.given_name,
  familyName: row.family_name,
  phoneNumber: row.phone_number,
  phoneNumberVerified: row.phone_number_verified,
  locale: row.locale,
  attributes: typeof row.attributes === 'string' ? JSON.parse(row.attributes) : row.attributes,
  anonymousIds: row.anonymous_ids,
  createdAt: dateOf(row.created_ms),
  updatedAt: dateOf(row.updated_ms),
  version: row.version,
});

const dateOf = (ms: number) => new Date(Math.round(ms));
const parseConsents = (raw: ConsentTuple[] | string): ConsentTuple[] => (typeof raw === 'string' ? JSON.parse(raw) : raw);

/** Maps the rows of one result; both drivers parse json, but a string is accepted too. */
export async function toCustomersWithConsents(rows: readonly CustomerWithConsentsRow[], purposes: PurposeSource): Promise<CustomerWithConsents[]> {
  const lists = rows.map((row) => parseConsents(row.consents));
  let catalog = purposesByKey(await purposes(false));
  // A consent to a purpose the cached catalog does not know, or to a newer version of it, was decided on a
  // purpose changed a moment ago by another process: this read takes the catalog from the database.
  const stale = (list: ConsentTuple[]) => list.some(([key, version]) => (catalog.get(key)?.version ?? 0) < version);
  if (lists.some(stale)) catalog = purposesByKey(await purposes(true));
  return rows.map((row, i) => {
    const customer = customerOf(row);
    return {
      customer,
      consents: lists[i]!.map(([key, purposeVersion, status, source, grantedAt, withdrawnAt, updatedAt]): Consent => {
        const purpose = catalog.get(key);
        if (!purpose) throw new Error(`consent to purpose ${key}, which the catalog does not hold`);
        return {
          customerId: customer.id,
          purpose,
          purposeVersion,
          status: status as ConsentStatus,
          source: source as ConsentSource,
          grantedAt: grantedAt === null ? null : dateOf(grantedAt),
          withdrawnAt: withdrawnAt === null ? null : dateOf(withdrawnAt),
          updatedAt: dateOf(updatedAt),
        };
      }),
    };
  });
}
