import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createArgon2Hasher } from '../../src/auth/password-hasher.js';
import { loadConfig } from '../../src/config/config.js';
import type { Db } from '../../src/store/database.js';
import { consentRecords, consents, credentials, customers, events } from '../../src/store/tables/index.js';

/** The purposes the 0001 migration creates; every seeded customer consents to one to three of them. */
export const BENCH_PURPOSES = ['marketing_email', 'product_updates', 'analytics', 'partner_sharing'] as const;

const COMPANIES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark Industries', 'Wayne Enterprises'];
const GIVEN_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Radia', 'Linus'];

/** The password of every seeded customer that has one (signin and authread sign in with it). */
export const BENCH_PASSWORD = 'bench correct horse battery staple';
/** How many seeded customers have a password: the first registered ones (every fifth index, see rowsFor). */
export const BENCH_PASSWORD_CUSTOMERS = 200;

/** Seeded customer indexes with a password, oldest first: 0, 5, 10, ... (fewer when fewer are seeded). */
export function passwordCustomerIndexes(customerCount: number): number[] {
  const count = Math.min(BENCH_PASSWORD_CUSTOMERS, Math.ceil(customerCount / 5));
  return Array.from({ length: count }, (_, i) => i * 5);
}

export const benchEmail = (index: number) => `bench-${index}@example.com`;

/**
 * argon2id with Kith's default parameters (loadConfig without KITH_ARGON2_* variables): what a fresh
 * install stores, and what the signin scenario's baseline verifies against.
 */
export const benchHasher = () => createArgon2Hasher(loadConfig({}).argon2);

let passwordHash: Promise<string> | null = null;
/**
 * One encoded hash of BENCH_PASSWORD, made once and stored for every customer with a password: salts do
 * not change what a verification costs, and hashing 200 passwords would add seconds to every seed.
 */
export const benchPasswordHash = () => (passwordHash ??= benchHasher().hash(BENCH_PASSWORD));

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

/**
 * One customer's rows: the customer, its consents, their history records, the change events and, given
 * a hash, the password credential register would have stored (only ever for a REGISTERED index).
 */
function rowsFor(id: string, index: number, base: number, secretHash: string | null) {
  // One customer a second, oldest first, so (created_at, id) order is stable and the newest is an hour old.
  const at = new Date(base + index * 1_000);
  const purposeCount = 1 + (index % 3);
  const purposes = BENCH_PURPOSES.slice(index % BENCH_PURPOSES.length).concat(BENCH_PURPOSES).slice(0, purposeCount);
  const customer: typeof customers.$inferInsert = {
    id,
    status: index % 5 === 0 ? 'REGISTERED' : 'LIGHT',
    email: benchEmail(index),
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
  const credential: typeof credentials.$inferInsert | null =
    secretHash === null ? null : { id: randomUUID(), customerId: id, kind: 'password', secretHash, createdAt: at, updatedAt: at };
  return {
    customer,
    credential,
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
 * Inserts the customers straight into the tables (not through GraphQL), in batches, the first
 * BENCH_PASSWORD_CUSTOMERS registered ones with a password, then refreshes the
 * planner statistics so the first measured queries do not run on plans made for empty tables.
 */
export async function seedCustomers(db: Db, ids: readonly string[]): Promise<void> {
  const base = Date.now() - 3_600_000 - ids.length * 1_000;
  const secretHash = await benchPasswordHash();
  const withPassword = new Set(passwordCustomerIndexes(ids.length));
  for (let start = 0; start < ids.length; start += BATCH) {
    const batch = ids.slice(start, start + BATCH).map((id, i) => rowsFor(id, start + i, base, withPassword.has(start + i) ? secretHash : null));
    const passwords = batch.flatMap((b) => (b.credential ? [b.credential] : []));
    await db.transaction(async (tx) => {
      await tx.insert(customers).values(batch.map((b) => b.customer));
      if (passwords.length > 0) await tx.insert(credentials).values(passwords);
      await inChunks(batch.flatMap((b) => b.consents), (rows) => tx.insert(consents).values(rows));
      await inChunks(batch.flatMap((b) => b.records), (rows) => tx.insert(consentRecords).values(rows));
      await inChunks(batch.flatMap((b) => b.events), (rows) => tx.insert(events).values(rows));
    });
  }
  await db.execute(sql`vacuum analyze`);
}
