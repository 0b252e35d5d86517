import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/store/database.js';
import { consentRecords, consents, customers, events } from '../../src/store/tables/index.js';

/** The purposes the 0001 migration creates; every seeded customer consents to one to three of them. */
export const BENCH_PURPOSES = ['marketing_email', 'product_updates', 'analytics', 'partner_sharing'] as const;

const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises'];
const GIVEN_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Linus'];

/** Rows per INSERT statement: well under PostgreSQL's 65,535 bind parameters at 14 columns a row. */
const BATCH = 1_000;

/**
 * The ids of the seeded customers: random-looking v4 UUIDs derived from a run seed, so the parent process
 * knows every id without reading them back from a database that may live in a child process (PGlite).
 */
export function benchCustomerIds(seed: string, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const hex = createHash('sha256').update(`${seed}:${i}`).digest('hex');
    const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    ids.push(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`);
  }
  return ids;
}

/** One customer's rows: the customer, its consents, their history records, and the change events. */
function rowsFor(id: string, index: number, base: number) {
  // One customer a second, oldest first, so (created_at, id) order is stable and the newest is an hour old.
  const at = new Date(base + index * 1_000);
  const purposeCount = 1 + (index % 3);
  const purposes = BENCH_PURPOSES.slice(index % BENCH_PURPOSES.length).concat(BENCH_PURPOSES).slice(0, purposeCount);
  const customer: typeof customers.$inferInsert = {
    id,
    status: index % 5 === 0 ? 'REGISTERED' : 'LIGHT',
    email: `bench-${index}@example.com`,
    givenName: GIVEN_NAMES[index % GIVEN_NAMES.length]!,
    attributes: { company: COMPANIES[index % COMPANIES.length]! },
    createdAt: at,
    updatedAt: at,
    version: 1 + purposeCount,
  };
  const grants = purposes.map((purposeKey) => ({
    customerId: id,
    purposeKey,
    purposeVersion: 1,
    status: 'GRANTED',
    source: 'FORM',
  }));
  return {
    customer,
    consents: grants.map((g) => ({ ...g, grantedAt: at, updatedAt: at })),
    records: grants.map((g) => ({ ...g, actor: 'public', recordedAt: at })),
    events: [
      { customerId: id, type: 'customer.created', changedFields: ['email', 'status', 'givenName', 'attributes.company'], actor: 'public', occurredAt: at },
      ...purposes.map((key) => ({ customerId: id, type: 'consent.granted', changedFields: [`consents.${key}`], actor: 'public', occurredAt: at })),
    ],
  };
}

/** Consents, records and events are 1-4 rows a customer: keep each statement under BATCH rows too. */
async function inChunks<T>(rows: T[], insert: (chunk: T[]) => PromiseLike<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await insert(rows.slice(i, i + BATCH));
}

/**
 * Inserts the customers straight into the tables (not through GraphQL), in batches, then refreshes the
 * planner statistics so the first measured queries do not run on plans made for empty tables.
 */
export async function seedCustomers(db: Db, ids: readonly string[]): Promise<void> {
  const base = Date.now() - 3_600_000 - ids.length * 1_000;
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH).map((id, i) => rowsFor(id, start + i, base));
    await db.transaction(async (tx) => {
      await tx.insert(customers).values(batch.map((b) => b.customer));
      await inChunks(batch.flatMap((b) => b.consents), (rows) => tx.insert(consents).values(rows));
      await inChunks(batch.flatMap((b) => b.records), (rows) => tx.insert(consentRecords).values(rows));
      await inChunks(batch.flatMap((b) => b.events), (rows) => tx.insert(events).values(rows));
    });
  }
  await db.execute(sql`vacuum analyze`);
}
