import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { Logger } from 'drizzle-orm/logger';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as tables from './tables/index.js';

/** A drizzle database or transaction over either driver: the one type every store is written against. */
export type Db = PgDatabase<PgQueryResultHKT, typeof tables>;

export interface DatabaseOptions {
  /** postgres://... to use PostgreSQL; absent to use embedded PGlite. */
  databaseUrl?: string | undefined;
  /** PGlite's data directory; `memory://` keeps everything in memory. */
  dataDir: string;
  /** PostgreSQL connection pool size per process. */
  poolSize?: number;
}

export interface Database {
  readonly db: Db;
  readonly driver: 'pglite' | 'postgres';
  /** Statements sent since the database was opened; tests read it to prove batching. */
  readonly statementCount: () => number;
  /** Applies pending migrations; safe to run from several processes at once. */
  migrate(): Promise<void>;
  /** Whether migrate() has completed in this process. */
  readonly migrated: () => boolean;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));
/** Arbitrary constant naming Kith's migration lock among PostgreSQL advisory locks. */
const MIGRATION_LOCK = 4_812_665_001;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  let statements = 0;
  let migrated = false;
  const logger: Logger = {
    logQuery: () => {
      statements += 1;
    },
  };

  if (options.databaseUrl) {
    const url = options.databaseUrl;
    const client = postgres(url, { max: options.poolSize ?? 10, onnotice: () => {} });
    const db = drizzlePostgres(client, { schema: tables, logger }) as unknown as Db;
    return {
      db,
      driver: 'postgres',
      statementCount: () => statements,
      migrated: () => migrated,
      async migrate() {
        // One connection holds a session advisory lock while it migrates, so processes starting together
        // on one database take turns; the migrator skips what is already applied.
        const single = postgres(url, { max: 1, onnotice: () => {} });
        try {
          await single`select pg_advisory_lock(${MIGRATION_LOCK})`;
          await migratePostgres(drizzlePostgres(single), { migrationsFolder });
          await single`select pg_advisory_unlock(${MIGRATION_LOCK})`;
        } finally {
          await single.end();
        }
        migrated = true;
      },
      async ping() {
        await client`select 1`;
      },
      async close() {
        await client.end({ timeout: 5 });
      },
    };
  }

  const client = await PGlite.create(options.dataDir);
  const db = drizzlePglite(client, { schema: tables, logger }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    statementCount: () => statements,
    migrated: () => migrated,
    async migrate() {
      await migratePglite(drizzlePglite(client), { migrationsFolder });
      migrated = true;
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.close();
    },
  };
}
