import { and, asc, desc, eq, getTableColumns, inArray, ne, sql } from 'drizzle-orm';
import type { ScimUserStore } from '../domain/scim/scim-user-store.js';
import type { ScimRecord } from '../domain/scim/user-resource.js';
import { toCustomer } from './customer-store.js';
import type { Db } from './database.js';
import { filterSql, sortSql } from './scim-filter-sql.js';
import { customers, scimUsers, type ScimUserRow } from './tables/index.js';

const toRecord = (row: Pick<ScimUserRow, 'customerId' | 'userName' | 'externalId' | 'document'>): ScimRecord => ({
  customerId: row.customerId,
  userName: row.userName,
  externalId: row.externalId,
  document: row.document,
});

export function createScimUserStore(db: Db): ScimUserStore {
  return {
    async findByCustomerIds(ids) {
      if (ids.length === 0) return [];
      return (await db.select().from(scimUsers).where(inArray(scimUsers.customerId, [...ids]))).map(toRecord);
    },

    async findByUserName(userName) {
      const [row] = await db.select().from(scimUsers).where(sql`lower(${scimUsers.userName}) = lower(${userName})`);
      return row ? toRecord(row) : null;
    },

    async put(record, at) {
      const values = { customerId: record.customerId, userName: record.userName, externalId: record.externalId, document: record.document, updatedAt: at };
      await db.insert(scimUsers).values(values).onConflictDoUpdate({ target: scimUsers.customerId, set: values });
    },

    async search(query) {
      const where = and(ne(customers.status, 'DELETED'), query.filter ? filterSql(query.filter) : undefined);
      const from = () => db.select({ count: sql<number>`count(*)::int` }).from(customers).leftJoin(scimUsers, eq(scimUsers.customerId, customers.id));
      const [counted] = await from().where(where);
      const total = Number(counted?.count ?? 0);
      if (query.limit === 0 || query.offset >= total) return { total, users: [] };
      const direction = query.descending ? desc : asc;
      const order = query.sortBy
        ? [query.descending ? sql`${sortSql(query.sortBy)} desc nulls last` : sql`${sortSql(query.sortBy)} asc nulls last`]
        : [];
      const rows = await db
        .select({ customer: getTableColumns(customers), userName: scimUsers.userName, externalId: scimUsers.externalId, document: scimUsers.document, linked: scimUsers.customerId })
        .from(customers)
        .leftJoin(scimUsers, eq(scimUsers.customerId, customers.id))
        .where(where)
        .orderBy(...order, direction(customers.createdAt), direction(customers.id))
        .offset(query.offset)
        .limit(query.limit);
      return {
        total,
        users: rows.map((row) => ({
          customer: toCustomer(row.customer),
          record: row.linked ? toRecord({ customerId: row.linked, userName: row.userName!, externalId: row.externalId, document: row.document ?? {} }) : null,
        })),
      };
    },
  };
}
