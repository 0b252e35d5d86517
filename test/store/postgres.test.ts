import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigningKeys } from '../../src/auth/signing-keys.js';
import { loadConfig } from '../../src/config/config.js';
import { systemClock } from '../../src/domain/clock.js';
import { createKith, type Kith } from '../../src/server/app.js';
import { openDatabase } from '../../src/store/database.js';
import { createSigningKeyStore } from '../../src/store/signing-key-store.js';
import { credentials, customers, recoveryCodes, sessions, totpFactors } from '../../src/store/tables/index.js';
import { createUnitOfWork } from '../../src/store/unit-of-work.js';
import { KEY_ENCRYPTION_KEY, startKith, testDatabase, type TestKith, uniqueEmail } from '../support/kith.js';

const url = process.env.DATABASE_URL;

/** A URL for another database on the same server as DATABASE_URL. */
function sibling(name: string): string {
  const u = new URL(url!);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Runs `work` while another connection holds the lock of the customer's row (or their password's) and has
 * changed it (`set`, SQL) without committing, as an erasure, a disabling or a password change does; checks
 * that `work` waits, commits, and returns its answer.
 */
async function whileChanging<T>(customerId: string, set: string, work: () => Promise<T>, table: 'customers' | 'credentials' = 'customers'): Promise<T> {
  const other = postgres(url!, { max: 1, onnotice: () => {} });
  let settled = false;
  let pending: Promise<T> | null = null;
  try {
    await other.begin(async (tx) => {
      const row = table === 'customers' ? 'id' : 'customer_id';
      await tx.unsafe(`select 1 from ${table} where ${row} = $1 for update`, [customerId]);
      await tx.unsafe(`update ${table} set ${set} where ${row} = $1`, [customerId]);
      pending = work().finally(() => (settled = true));
      await new Promise((resume) => setTimeout(resume, 300));
      expect(settled).toBe(false);
    });
    return await pending!;
  } finally {
    await other.end();
  }
}

describe.runIf(url)('on PostgreSQL', () => {
  it('migrates a fresh database from several processes at once, exactly once', async () => {
    const name = `kith_migrate_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const admin = postgres(url!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    try {
      const databases = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: sibling(name), dataDir: '', poolSize: 1 })));
      await Promise.all(databases.map((d) => d.migrate()));
      await Promise.all(databases.map((d) => d.migrate()));
      // Their first start races to make the signing key: one wins, all use it.
      const kids = await Promise.all(
        databases.map((d) =>
          createSigningKeys({ store: createSigningKeyStore(d.db), clock: systemClock, encryptionSecret: KEY_ENCRYPTION_KEY, tokenLifetimeSeconds: 600 }).ensureActive(),
        ),
      );
      await Promise.all(databases.map((d) => d.close()));
      expect(new Set(kids).size).toBe(1);
      const check = postgres(sibling(name), { max: 1, onnotice: () => {} });
      const [journal] = await check`select count(*)::int as n from drizzle.__drizzle_migrations`;
      const [purposes] = await check`select count(*)::int as n from consent_purposes`;
      const [keys] = await check`select count(*)::int as n from signing_keys`;
      await check.end();
      const migrations = JSON.parse(readFileSync(new URL('../../drizzle/meta/_journal.json', import.meta.url), 'utf8')).entries.length;
      expect(journal!.n).toBe(migrations);
      expect(keys!.n).toBe(1);
      expect(purposes!.n).toBe(4);
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  it('a snapshot transaction reads one snapshot: a customer committed by another connection meanwhile stays unseen', async () => {
    const database = await testDatabase();
    const uow = createUnitOfWork(database);
    const readTwice = (snapshot: boolean) => {
      const email = uniqueEmail();
      return uow.transaction(async (tx) => {
        const before = await tx.customers.findByEmail(email);
        const at = new Date();
        await database.db.insert(customers).values({ id: randomUUID(), status: 'LIGHT', email, createdAt: at, updatedAt: at });
        const after = await tx.customers.findByEmail(email);
        return [before.length, after.length];
      }, { snapshot });
    };
    expect(await readTwice(true)).toEqual([0, 0]);
    // The default, READ COMMITTED: the second read sees the committed row.
    expect(await readTwice(false)).toEqual([0, 1]);
  });

  it('a sign-in racing a disabling or a password change waits for it, then opens no session; otherwise it opens one and clears the lockout', async () => {
    const database = await testDatabase();
    const { sessions: store } = createUnitOfWork(database).read;
    const at = new Date();
    const customer = async () => {
      const id = randomUUID();
      await database.db.insert(customers).values({ id, status: 'REGISTERED', email: uniqueEmail(), createdAt: at, updatedAt: at });
      await database.db.insert(credentials).values({ id: randomUUID(), customerId: id, kind: 'password', secretHash: 'h', failedAttempts: 1, createdAt: at, updatedAt: at });
      return id;
    };
    const session = (customerId: string) => ({
      id: randomUUID(), customerId, createdAt: at, lastUsedAt: at, authTime: at, acr: 'pwd', amr: ['pwd'], userAgent: 'test', ip: '192.0.2.1', revokedAt: null,
    });
    const sessionsOf = async (customerId: string) => (await database.db.select().from(sessions).where(eq(sessions.customerId, customerId))).length;

    const open = await customer();
    expect(await store.createAfterPassword(session(open), `refresh-${randomUUID()}`, 'h')).toBe(true);
    expect(await sessionsOf(open)).toBe(1);
    const [cleared] = await database.db.select().from(credentials).where(eq(credentials.customerId, open));
    expect(cleared!.failedAttempts).toBe(0);

    const raced = await customer();
    expect(await whileChanging(raced, `status = 'DISABLED'`, () => store.createAfterPassword(session(raced), `refresh-${randomUUID()}`, 'h'))).toBe(false);
    expect(await sessionsOf(raced)).toBe(0);
    // A password change committed while the old password was being checked: its "end every other session" holds.
    const changed = await customer();
    const racing = () => store.createAfterPassword(session(changed), `refresh-${randomUUID()}`, 'h');
    expect(await whileChanging(changed, `secret_hash = 'the new hash'`, racing, 'credentials')).toBe(false);
    expect(await sessionsOf(changed)).toBe(0);
  });

  it('a TOTP enrolment racing an erasure waits for it, then is refused and stores no seed', async () => {
    const { kith, database } = await startKith();
    const id = randomUUID();
    const at = new Date();
    await database.db.insert(customers).values({ id, status: 'REGISTERED', email: uniqueEmail(), createdAt: at, updatedAt: at });
    const auth = { customerId: id, sessionId: randomUUID(), authTime: new Date(), acr: 'pwd', amr: ['pwd'] };
    const answer = await whileChanging(id, `status = 'DELETED', email = null`, () =>
      kith.services.totp.enroll(auth).then(
        () => 'enrolled',
        (error: unknown) => (error as { code?: string }).code,
      ),
    );
    expect(answer).toBe('CONFLICT');
    expect(await database.db.select().from(totpFactors).where(eq(totpFactors.customerId, id))).toEqual([]);
  });

  it('new recovery codes racing an erasure wait for it, then are refused and none are stored', async () => {
    const { kith, database } = await startKith();
    const id = randomUUID();
    const at = new Date();
    await database.db.insert(customers).values({ id, status: 'REGISTERED', email: uniqueEmail(), createdAt: at, updatedAt: at });
    await database.db.insert(totpFactors).values({ customerId: id, sealedSecret: 'sealed', confirmedAt: at, createdAt: at, updatedAt: at });
    const auth = { customerId: id, sessionId: randomUUID(), authTime: new Date(), acr: 'mfa', amr: ['otp'] };
    const answer = await whileChanging(id, `status = 'DELETED', email = null`, () =>
      kith.services.recoveryCodes.regenerate(auth, { kind: 'customer', id }).then(
        () => 'regenerated',
        (error: unknown) => (error as { code?: string }).code,
      ),
    );
    expect(answer).toBe('CONFLICT');
    expect(await database.db.select().from(recoveryCodes).where(eq(recoveryCodes.customerId, id))).toEqual([]);
  });

  describe('several Kith processes on one database', () => {
    let a: TestKith;
    let b: Kith;
    let bUrl: string;
    let adminToken: string;
    beforeAll(async () => {
      a = await startKith();
      adminToken = await a.staffToken('admin');
      // A second instance with its own pool, as another process would have.
      b = await createKith(
        loadConfig({ DATABASE_URL: url, KITH_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY, NODE_ENV: 'test', KITH_DB_POOL_SIZE: '3' }),
      );
      bUrl = `${await b.app.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
    });
    afterAll(async () => {
      await b?.close();
    });

    const post = async (target: string, query: string, variables: Record<string, unknown>) => {
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as any;
    };
    const CAPTURE = `mutation($input: CaptureInput!) { capture(input: $input) { created customer { id } } }`;

    it('sees on one what the other wrote', async () => {
      const email = uniqueEmail();
      const made = await post(a.url, CAPTURE, { input: { email, attributes: [{ name: 'givenName', value: 'Shared' }] } });
      const read = await post(bUrl, `query($id: ID!) { customer(id: $id) { email givenName } }`, { id: made.data.capture.customer.id });
      expect(read.data.customer).toEqual({ email, givenName: 'Shared' });
    });

    it('creates one customer when both capture the same new email at once', async () => {
      const email = uniqueEmail();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => post(i % 2 ? bUrl : a.url, CAPTURE, { input: { email, consents: ['analytics'] } })),
      );
      expect(results.every((r) => !r.errors)).toBe(true);
      expect(results.filter((r) => r.data.capture.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.data.capture.customer.id)).size).toBe(1);
    });

    it('never lets a reader pass an event whose transaction commits late', async () => {
      const sql = postgres(url!, { max: 2, onnotice: () => {} });
      const READ = `query($after: String) { changeEvents(first: 500, after: $after) { edges { node { type customerId } } pageInfo { endCursor } } }`;
      const drain = async (after: string | null) => {
        const seen: string[] = [];
        for (;;) {
          const page = await post(a.url, READ, { after });
          if (page.data.changeEvents.edges.length === 0) return { after, seen };
          seen.push(...page.data.changeEvents.edges.map((e: any) => e.node.customerId));
          after = page.data.changeEvents.pageInfo.endCursor;
        }
      };
      try {
        let { after } = await drain(null);
        const early = randomUUID();
        const late = randomUUID();
        const slow = await sql.reserve();
        await slow`begin`;
        await slow`insert into events (customer_id, type, changed_fields, actor, occurred_at) values (${early}, 'customer.updated', '{}', 'test', now())`;
        // A later transaction commits first; its event has a higher tx id than the open one.
        await sql`insert into events (customer_id, type, changed_fields, actor, occurred_at) values (${late}, 'customer.updated', '{}', 'test', now())`;
        const whileOpen = await drain(after);
        expect(whileOpen.seen).not.toContain(late);
        expect(whileOpen.seen).not.toContain(early);
        after = whileOpen.after;
        await slow`commit`;
        slow.release();
        const afterCommit = await drain(after);
        expect(afterCommit.seen.filter((id) => id === early || id === late)).toEqual([early, late]);
      } finally {
        await sql.end();
      }
    });
  });
});
