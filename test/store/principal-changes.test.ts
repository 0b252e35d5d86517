import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { PrincipalChange } from '../../src/auth/principal-cache.js';
import { type Database, type NotificationHandlers, openDatabase } from '../../src/store/database.js';
import { PRINCIPAL_CHANNEL, type PrincipalChangeFeed, startPrincipalChangeFeed } from '../../src/store/principal-changes.js';
import { testDatabase } from '../support/kith.js';

/**
 * The feed's promise, on either driver: when settle() returns, every process has heard a change committed
 * before it, or no longer trusts its cache. Two feeds on the worker's database play two processes; one of
 * them hears the channel late, or not at all.
 */
const feeds: PrincipalChangeFeed[] = [];
const ownDatabases: Database[] = [];
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((feed) => feed.close()));
  await Promise.all(ownDatabases.splice(0).map((database) => database.close()));
});

/**
 * A database of its own, for a process that stops hearing the channel (on the worker's database, on
 * PostgreSQL every worker's, every other test's revocations would wait for it too), or for timing.
 */
async function ownDatabase(): Promise<Database> {
  const database = await openDatabase({ dataDir: 'memory://' });
  ownDatabases.push(database);
  await database.migrate();
  return database;
}

/** The same database, but notifications reach this process only as `gate` lets them. */
function behind(database: Database, gate: (deliver: () => void) => void): Database {
  const listen = (channel: string, handlers: NotificationHandlers, name?: string) =>
    database.listen(channel, { ...handlers, notify: (payload) => gate(() => handlers.notify(payload)) }, name);
  return { ...database, listen };
}

async function feed(database: Database, heard: PrincipalChange[] = [], warnings: string[] = []) {
  const started = await startPrincipalChangeFeed(database, {
    onChange: (change) => heard.push(change),
    onCatalogChange: () => {},
    onReset: () => {},
    heartbeatMs: 1_000,
    warn: (message) => warnings.push(message),
  });
  feeds.push(started);
  return started;
}

/** Announces a change the way the triggers do, in a transaction of its own. */
async function announce(database: Database, change: string) {
  const sender = await database.listen('kith_test_sender', { notify() {}, lost() {}, listening() {} });
  try {
    await sender.query('select pg_notify($1, $2)', [PRINCIPAL_CHANNEL, change]);
  } finally {
    await sender.close();
  }
}

describe('settle', () => {
  it('waits for a process that hears the channel late, until it has heard the change', async () => {
    const database = await testDatabase();
    const revoker = await feed(database);
    const heard: PrincipalChange[] = [];
    const late = await feed(
      behind(database, (deliver) => setTimeout(deliver, 400)),
      heard,
    );
    await expect.poll(() => late.trusted(), { timeout: 5_000 }).toBe(true);
    const session = randomUUID();
    await announce(database, `session:${session}`);
    const started = performance.now();
    await revoker.settle();
    expect(heard).toContainEqual({ kind: 'session', id: session });
    expect(performance.now() - started).toBeGreaterThanOrEqual(350);
  });

  it('gives up on a process that hears nothing only once that process trusts its cache no more', async () => {
    const database = await ownDatabase();
    const warnings: string[] = [];
    const revoker = await feed(database, [], warnings);
    let deaf = false;
    const heard: PrincipalChange[] = [];
    const stuck = await feed(
      behind(database, (deliver) => {
        if (!deaf) deliver();
      }),
      heard,
    );
    await expect.poll(() => stuck.trusted(), { timeout: 5_000 }).toBe(true);
    deaf = true;
    await announce(database, `staff:${randomUUID()}`);
    await revoker.settle();
    expect(heard).toEqual([]);
    expect(stuck.trusted()).toBe(false);
    expect(warnings.some((w) => w.includes('did not confirm'))).toBe(true);
    // The revoker itself heard its barrier: it still trusts its own cache.
    expect(revoker.trusted()).toBe(true);
  });

  it('returns as soon as every process has acknowledged', async () => {
    // Its own database: on a shared one, a test process that just exited stays live for a few seconds.
    const database = await ownDatabase();
    const revoker = await feed(database);
    const other = await feed(database);
    await expect.poll(() => other.trusted(), { timeout: 5_000 }).toBe(true);
    const started = performance.now();
    await revoker.settle();
    // Far below the three-heartbeat window it would otherwise wait out.
    expect(performance.now() - started).toBeLessThan(2_500);
  });
});
