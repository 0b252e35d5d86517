import { and, asc, eq, gt, inArray, lt, ne, type SQL, sql } from 'drizzle-orm';
import type { Customer, CustomerStatus } from '../domain/customers/customer.js';
import type { CustomerPosition, CustomerQuery, CustomerStore } from '../domain/customers/customer-store.js';
import { customerWithConsentsColumns, type PurposeSource, rawReader, toCustomersWithConsents } from './customer-reads.js';
import { prepareByIds } from './by-ids.js';
import { type Db, executedRows } from './database.js';
import { consentWrites } from './consent-store.js';
import { eventInsert } from './event-store.js';
import type { PrincipalWritten } from './principal-changes.js';
import { consents, customers, type CustomerRow } from './tables/index.js';

/** A row is a Customer as it is (the status column's check constraint holds its values): no copy. */
export function toCustomer(row: CustomerRow): Customer {
  return row as CustomerRow & { status: CustomerStatus };
}

const byColumn = {
  givenName: customers.givenName,
  familyName: customers.familyName,
  phoneNumber: customers.phoneNumber,
  locale: customers.locale,
} as const;

const afterWhere = sql`(${customers.createdAt}, ${customers.id}) > (${sql.placeholder('createdAt')}::timestamptz, ${sql.placeholder('id')}::uuid)`;
/** A search without a status condition leaves out deleted customers (tombstones). */
const notDeleted = ne(customers.status, 'DELETED');
const order = [asc(customers.createdAt), asc(customers.id)] as const;

/** Statements prepared once per database for the hot read paths: by ids, and unfiltered pages. */
export function prepareCustomerReads(db: Db) {
  const plain = () => db.select().from(customers);
  const withConsents = () => db.select(customerWithConsentsColumns).from(customers);
  return {
    byIds: prepareByIds(customers.id, 'kith_customers_by_ids', (where, name) => plain().where(where).prepare(name)),
    byIdsWithConsents: prepareByIds(customers.id, 'kith_customers_by_ids_with_consents', (where, name) => rawReader(db, withConsents().where(where), name)),
    page: plain().where(notDeleted).orderBy(...order).limit(sql.placeholder('limit')).prepare('kith_customers_page'),
    pageAfter: plain().where(and(notDeleted, afterWhere)).orderBy(...order).limit(sql.placeholder('limit')).prepare('kith_customers_page_after'),
    pageWithConsents: rawReader(db, withConsents().where(notDeleted).orderBy(...order).limit(sql.placeholder('limit')), 'kith_customers_page_with_consents'),
    pageAfterWithConsents: rawReader(
      db,
      withConsents().where(and(notDeleted, afterWhere)).orderBy(...order).limit(sql.placeholder('limit')),
      'kith_customers_page_after_with_consents',
    ),
  };
}

/** Case-insensitive email equality, as the unique index on lower(email) defines it. */
const emailIs = (email: string) => sql`lower(${customers.email}) = lower(${email})`;

const hasConditions = (query: CustomerQuery) => Object.values(query).some((value) => value !== undefined);

/** The WHERE conditions of a search, every value a bound parameter. */
function searchConditions(query: CustomerQuery, after: CustomerPosition | null): SQL | undefined {
  const where: SQL[] = [];
  where.push(query.statuses ? inArray(customers.status, query.statuses) : notDeleted);
  if (query.email) where.push(emailIs(query.email));
  if (query.anonymousId) where.push(sql`${customers.anonymousIds} @> array[${query.anonymousId}]::text[]`);
  for (const { name, builtin, value } of query.attributes ?? []) {
    where.push(
      builtin
        ? eq(byColumn[name as keyof typeof byColumn], String(value))
        : sql`${customers.attributes} @> ${JSON.stringify({ [name]: value })}::jsonb`,
    );
  }
  for (const { purposeKey, status } of query.consents ?? []) {
    where.push(
      sql`exists (select 1 from ${consents} where ${consents.customerId} = ${customers.id} and ${consents.purposeKey} = ${purposeKey} and ${consents.status} = ${status})`,
    );
  }
  if (query.createdAfter) where.push(gt(customers.createdAt, query.createdAfter));
  if (query.createdBefore) where.push(lt(customers.createdAt, query.createdBefore));
  if (query.updatedAfter) where.push(gt(customers.updatedAt, query.updatedAfter));
  if (query.updatedBefore) where.push(lt(customers.updatedAt, query.updatedBefore));
  if (after) {
    where.push(sql`(${customers.createdAt}, ${customers.id}) > (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`);
  }
  return and(...where);
}

/**
 * `purposes` gives the purposes of the consents reads return. `announced` runs after a status change, which
 * can end a customer's tokens (see src/store/principal-changes.ts).
 */
export function createCustomerStore(
  db: Db,
  purposes: PurposeSource,
  prepared?: ReturnType<typeof prepareCustomerReads>,
  announced: PrincipalWritten = () => {},
): CustomerStore {
  const withPurposes = (rows: Parameters<typeof toCustomersWithConsents>[0]) => toCustomersWithConsents(rows, purposes);
  const lockWhere = (where: SQL, strength: 'update' | 'share' = 'update') => db.select().from(customers).where(where).for(strength);
  return {
    async findByIds(ids) {
      if (ids.length === 0) return [];
      if (!prepared) return (await db.select().from(customers).where(inArray(customers.id, [...ids]))).map(toCustomer);
      const rows = await prepared.byIds(ids);
      return rows.map(toCustomer);
    },

    async findByIdsWithConsents(ids) {
      if (ids.length === 0) return [];
      if (!prepared) return withPurposes(await rawReader(db, db.select(customerWithConsentsColumns).from(customers).where(inArray(customers.id, [...ids]))).execute());
      const rows = await prepared.byIdsWithConsents(ids);
      return withPurposes(rows);
    },

    async findByEmail(email) {
      return (await db.select().from(customers).where(emailIs(email))).map(toCustomer);
    },

    async lockByEmail(email) {
      const [row] = await lockWhere(emailIs(email));
      return row ? toCustomer(row) : null;
    },

    async shareLockById(id) {
      const [row] = await lockWhere(eq(customers.id, id), 'share');
      return row ? toCustomer(row) : null;
    },

    async lockById(id) {
      const [row] = await lockWhere(eq(customers.id, id));
      return row ? toCustomer(row) : null;
    },

    async insertIfAbsent(customer) {
      const [row] = await db.insert(customers).values(customer).onConflictDoNothing().returning();
      return row ? toCustomer(row) : null;
    },

    async insertWithStep(customer, consentChanges, stepEvents) {
      // Data-modifying CTEs: the consents and events are written only when the customer row was; the
      // foreign keys are checked at the end of the statement, when that row exists.
      const guard = sql`exists (select 1 from created)`;
      const [current, history] = consentWrites(consentChanges, guard);
      const c = customer;
      const result = await db.execute(sql`with created as (
          insert into customers (id, status, email, email_verified, given_name, family_name, phone_number,
            phone_number_verified, locale, attributes, anonymous_ids, created_at, updated_at, version)
          values (${c.id}::uuid, ${c.status}, ${c.email}, ${c.emailVerified}, ${c.givenName}, ${c.familyName}, ${c.phoneNumber},
            ${c.phoneNumberVerified}, ${c.locale}, ${JSON.stringify(c.attributes)}::text::jsonb, ${sql.param(c.anonymousIds)}::text[],
            ${c.createdAt.toISOString()}::timestamptz, ${c.updatedAt.toISOString()}::timestamptz, ${c.version})
          on conflict do nothing
          returning id
        ),
        current_written as (${current}),
        history_written as (${history}),
        events_written as (${eventInsert(stepEvents, guard)})
        select id from created`);
      return executedRows(result).length > 0;
    },

    async update(id, version, changes, at) {
      const [row] = await db
        .update(customers)
        .set({ ...changes, updatedAt: at, version: sql`${customers.version} + 1` })
        .where(and(eq(customers.id, id), eq(customers.version, version)))
        .returning();
      if (row && changes.status !== undefined) await announced();
      return row ? toCustomer(row) : null;
    },

    async search(query, after, limit) {
      if (prepared && !hasConditions(query)) {
        const rows = after
          ? await prepared.pageAfter.execute({ createdAt: after.createdAt.toISOString(), id: after.id, limit })
          : await prepared.page.execute({ limit });
        return rows.map(toCustomer);
      }
      const rows = await db.select().from(customers).where(searchConditions(query, after)).orderBy(...order).limit(limit);
      return rows.map(toCustomer);
    },

    async searchWithConsents(query, after, limit) {
      if (prepared && !hasConditions(query)) {
        const rows = after
          ? await prepared.pageAfterWithConsents.execute({ createdAt: after.createdAt.toISOString(), id: after.id, limit })
          : await prepared.pageWithConsents.execute({ limit });
        return withPurposes(rows);
      }
      const select = db.select(customerWithConsentsColumns).from(customers).where(searchConditions(query, after)).orderBy(...order).limit(limit);
      return withPurposes(await rawReader(db, select).execute());
    },

    async anyHasAttribute(name) {
      const rows = await db.select({ one: sql`1` }).from(customers).where(sql`${customers.attributes} ? ${name}`).limit(1);
      return rows.length > 0;
    },
  };
}
