import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { type Query, type SQL, sql } from 'drizzle-orm';
import type { Logger } from 'drizzle-orm/logger';
import { type PgDatabase, PgDialect, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { createPreparationPolicy, preparingClient } from './statement-preparation.js';
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
  /**
   * Runs one statement with its parameters on the pool (not in a transaction), for a library that brings
   * its own SQL (rate-limiter-flexible's RateLimiterPostgres); counted in statementCount.
   */
  query(text: string, params: readonly unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number }>;
  /** LISTENs on `channel` on a connection of its own (PostgreSQL) or the embedded database (PGlite). */
  listen(channel: string, handlers: NotificationHandlers, name?: string): Promise<Listener>;
  close(): Promise<void>;
}

export interface NotificationHandlers {
  /** A notification's payload, in commit order. */
  notify(payload: string): void;
  /** The listening connection closed: notifications may be missed until `listening` is called again. */
  lost(): void;
  /** Listening (again): every notification committed from now on arrives. */
  listening(): void;
}

export interface Listener {
  /** Runs a statement on the listening connection; it is not counted in statementCount. */
  query(text: string, params?: readonly (string | number)[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** The rows a `db.execute` answered: postgres.js gives an array of rows, PGlite an object holding them. */
export function executedRows(result: unknown): Record<string, unknown>[] {
  return Array.isArray(result) ? result : (result as { rows: Record<string, unknown>[] }).rows;
}

const dialect = new PgDialect();

/**
 * A statement that answers raw rows, without drizzle's row mapping: a builder's query (its toSQL()), or
 * hand-written SQL for what the builders cannot express, its values placeholders (sql.placeholder). Built
 * once, run on `db`, and prepared when `name` is given, as drizzle's `.prepare(name)` does.
 */
export function rawStatement(db: Db, query: SQL | { toSQL(): Query }, name?: string) {
  const built = 'toSQL' in query ? query.toSQL() : dialect.sqlToQuery(query);
  const prepared = db._.session.prepareQuery(built, undefined, name, false);
  return { execute: async (values?: Record<string, unknown>) => executedRows(await prepared.execute(values)) };
}

/** Statement texts a process prepares on PostgreSQL: from their second run on, at most 256 (see statement-preparation.ts). */
const PREPARATION = { threshold: 2, maxTexts: 256 };

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
    const preparing = preparingClient(client, createPreparationPolicy(PREPARATION));
    const db = drizzlePostgres(preparing, { schema: tables, logger }) as unknown as Db;
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
      async query(text, params) {
        statements += 1;
        const result = await preparing.unsafe(text, params as never[]);
        return { rows: [...result], rowCount: result.count };
      },
      listen: (channel, handlers, name) => listenOnPostgres(url, channel, handlers, name),
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
    async query(text, params) {
      statements += 1;
      const { rows, affectedRows } = await client.query<Record<string, unknown>>(text, [...params]);
      return { rows, rowCount: affectedRows ?? rows.length };
    },
    async listen(channel, handlers) {
      // PGlite delivers a notification as soon as the statement that committed it returns.
      const unlisten = await client.listen(channel, handlers.notify);
      handlers.listening();
      return {
        query: async (text, params = []) => (await client.query<Record<string, unknown>>(text, [...params])).rows,
        close: unlisten,
      };
    },
    async close() {
      await client.close();
    },
  };
}

/** Pause between attempts to listen again after the listening connection closed. */
const RELISTEN_DELAY_MS = 250;

/**
 * A connection of its own that LISTENs on `channel`. When it closes, `lost` is called at once and the
 * connection is reopened and LISTENs again until it succeeds (then `listening`).
 */
async function listenOnPostgres(url: string, channel: string, handlers: NotificationHandlers, name = 'kith-listener'): Promise<Listener> {
  let closing = false;
  let relistening = false;
  const listenStatement = `listen "${channel.replace(/"/g, '""')}"`;
  const connection = postgres(url, {
    max: 1,
    idle_timeout: 0,
    max_lifetime: null,
    fetch_types: false,
    // Shows in pg_stat_activity, so an operator can tell the listening connections apart.
    connection: { application_name: name },
    onnotice: () => {},
    // Not in postgres.js's typings, but the option its own listen() is built on (src/index.js).
    ...({
      onnotify: (name: string, payload: string) => {
        if (name === channel) handlers.notify(payload);
      },
    } as object),
    onclose: () => {
      if (closing) return;
      handlers.lost();
      void relisten();
    },
  });
  async function relisten(): Promise<void> {
    if (relistening) return;
    relistening = true;
    try {
      while (!closing) {
        try {
          await connection.unsafe(listenStatement);
          if (!closing) handlers.listening();
          return;
        } catch {
          await new Promise((resume) => setTimeout(resume, RELISTEN_DELAY_MS));
        }
      }
    } finally {
      relistening = false;
    }
  }
  await connection.unsafe(listenStatement);
  handlers.listening();
  return {
    query: async (text, params = []) => [...(await connection.unsafe<Record<string, unknown>[]>(text, [...params]))],
    async close() {
      closing = true;
      await connection.end({ timeout: 5 });
    },
  };
}
