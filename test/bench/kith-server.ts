import { PGlite } from '@electric-sql/pglite';
import { loadConfig } from '../../src/config/config.js';
import { createKith } from '../../src/server/app.js';
import { type Database, openDatabase } from '../../src/store/database.js';
import { pgliteRunner, startBaselineServer } from './baseline-server.js';
import { announceReady, onShutdown } from './child-process.js';
import { benchCustomerIds, seedCustomers } from './seed-data.js';

/**
 * The child process that serves Kith for the bench, configured from its environment
 * (NODE_ENV=production, LOG_LEVEL, KITH_BOOTSTRAP_ADMIN_*, and DATABASE_URL for PostgreSQL); the PGlite
 * baseline checks BENCH_OPERATOR_KEY.
 *
 * BENCH_DRIVER=postgres: Kith alone, over the database the parent already migrated and seeded.
 * BENCH_DRIVER=pglite: the database lives in this process, so this child migrates and seeds an in-memory
 * PGlite (BENCH_SEED, BENCH_CUSTOMERS), then serves Kith and the PGlite baseline on two ports. The parent
 * measures one at a time, never both at once.
 */

/** The PGlite instance under a PGlite Database: drizzle keeps its client as `$client`. */
function pgliteClientOf(database: Database): PGlite {
  const client: unknown = (database.db as unknown as { $client?: unknown }).$client;
  if (database.driver !== 'pglite' || !(client instanceof PGlite)) throw new Error('expected a PGlite database');
  return client;
}

async function main(): Promise<void> {
  const driver = process.env.BENCH_DRIVER;
  const operatorKey = process.env.BENCH_OPERATOR_KEY;
  if (!operatorKey) throw new Error('kith-server needs BENCH_OPERATOR_KEY');

  if (driver === 'postgres') {
    if (!process.env.DATABASE_URL) throw new Error('kith-server needs DATABASE_URL for BENCH_DRIVER=postgres');
    const kith = await createKith(loadConfig(process.env));
    const kithUrl = await kith.app.listen({ host: '127.0.0.1', port: 0 });
    onShutdown(() => kith.close());
    announceReady({ kith: kithUrl });
    return;
  }

  if (driver === 'pglite') {
    const seed = process.env.BENCH_SEED;
    const count = Number(process.env.BENCH_CUSTOMERS);
    if (!seed || !Number.isInteger(count)) throw new Error('kith-server needs BENCH_SEED and BENCH_CUSTOMERS for PGlite');
    const started = performance.now();
    const database = await openDatabase({ dataDir: 'memory://' });
    await database.migrate();
    await seedCustomers(database.db, benchCustomerIds(seed, count));
    const seedSeconds = ((performance.now() - started) / 1000).toFixed(1);
    // An inherited DATABASE_URL must not matter: Kith gets this PGlite database.
    const kith = await createKith(loadConfig({ ...process.env, DATABASE_URL: '' }), { database });
    const kithUrl = await kith.app.listen({ host: '127.0.0.1', port: 0 });
    const baseline = await startBaselineServer(pgliteRunner(pgliteClientOf(database)), operatorKey);
    onShutdown(async () => {
      baseline.server.closeAllConnections();
      await new Promise((resolve) => baseline.server.close(resolve));
      await kith.close();
      await database.close();
    });
    announceReady({ kith: kithUrl, baseline: baseline.url, seedSeconds });
    return;
  }

  throw new Error(`BENCH_DRIVER must be postgres or pglite, got "${driver}"`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
