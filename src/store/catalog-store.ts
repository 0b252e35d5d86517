import { asc, eq, sql } from 'drizzle-orm';
import type { AttributeDefinition, AttributeType } from '../domain/catalog/attribute.js';
import type { CatalogStore } from '../domain/catalog/catalog-store.js';
import { createAnnouncedCache } from './announced-cache.js';
import type { Db } from './database.js';
import type { PrincipalWritten } from './principal-changes.js';
import { attributeDefinitions, consentPurposes } from './tables/index.js';

function toDefinition(row: typeof attributeDefinitions.$inferSelect): AttributeDefinition {
  return { ...row, type: row.type as AttributeType };
}

/** Both tables as two JSON arrays in one row (column names as in the tables). */
const snapshotColumns = {
  attributes: sql<Record<string, unknown>[] | string>`(select coalesce(json_agg(a order by a.name), '[]'::json) from ${attributeDefinitions} a)`,
  purposes: sql<Record<string, unknown>[] | string>`(select coalesce(json_agg(p order by p.key), '[]'::json) from ${consentPurposes} p)`,
};

const parseJson = (value: Record<string, unknown>[] | string) => (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, any>[];

export function prepareCatalogReads(db: Db) {
  return {
    snapshot: db.select(snapshotColumns).from(sql`(select 1) as one`).prepare('kith_catalog_snapshot'),
    attributes: db.select().from(attributeDefinitions).orderBy(asc(attributeDefinitions.name)).prepare('kith_attribute_definitions'),
    purposes: db.select().from(consentPurposes).orderBy(asc(consentPurposes.key)).prepare('kith_consent_purposes'),
  };
}

type CatalogSnapshot = Awaited<ReturnType<CatalogStore['snapshot']>>;

/** How long a cached catalog is used at most, whatever the channel says. */
const CATALOG_CACHE_MS = 60_000;
const CATALOG = 'catalog';

/**
 * Both catalogs as this process last read them. Every capture, registration and profile change checks
 * them, and they change rarely: triggers announce each change, which clears this (an announced cache,
 * src/store/announced-cache.ts).
 */
export function createCatalogCache(trusted: () => boolean) {
  return createAnnouncedCache<CatalogSnapshot>({ ttlMs: CATALOG_CACHE_MS, maxEntries: 1, trusted });
}
export type CatalogCache = ReturnType<typeof createCatalogCache>;

/**
 * The catalog store. Read stores pass the process's cache: snapshot() and the two lists come from it.
 * `announced` runs after a write (see src/store/principal-changes.ts).
 */
export function createCatalogStore(
  db: Db,
  prepared?: ReturnType<typeof prepareCatalogReads>,
  announced: PrincipalWritten = () => {},
  cache?: CatalogCache,
): CatalogStore {
  // Inside a transaction the statements are built on first use only.
  let prepared_ = prepared;
  const reads = () => (prepared_ ??= prepareCatalogReads(db));
  async function snapshot(): Promise<CatalogSnapshot> {
    const hit = cache?.get(CATALOG);
    if (hit) return hit;
    const generation = cache?.generation() ?? 0;
    const read = await readSnapshot();
    cache?.set(CATALOG, read, generation);
    return read;
  }
  async function readSnapshot(): Promise<CatalogSnapshot> {
    const [row] = await reads().snapshot.execute();
    return {
      attributes: parseJson(row!.attributes).map((a) =>
        toDefinition({
          name: a.name,
          type: a.type,
          description: a.description,
          personalData: a.personal_data,
          builtin: a.builtin,
          constraints: a.constraints,
          createdAt: new Date(a.created_at),
          updatedAt: new Date(a.updated_at),
        }),
      ),
      purposes: parseJson(row!.purposes).map((p) => ({
        key: p.key,
        title: p.title,
        description: p.description,
        version: p.version,
        createdAt: new Date(p.created_at),
        updatedAt: new Date(p.updated_at),
      })),
    };
  }
  return {
    snapshot,
    async listAttributes() {
      if (cache) return (await snapshot()).attributes;
      return (await reads().attributes.execute()).map(toDefinition);
    },
    async upsertAttribute(def) {
      const { name, createdAt, ...rest } = def;
      const [row] = await db
        .insert(attributeDefinitions)
        .values(def)
        .onConflictDoUpdate({ target: attributeDefinitions.name, set: rest })
        .returning();
      await announced();
      return toDefinition(row!);
    },
    async deleteAttribute(name) {
      const rows = await db.delete(attributeDefinitions).where(eq(attributeDefinitions.name, name)).returning();
      if (rows.length > 0) await announced();
      return rows.length > 0;
    },
    async listPurposes() {
      if (cache) return (await snapshot()).purposes;
      return reads().purposes.execute();
    },
    async lockPurpose(key) {
      const [row] = await db.select().from(consentPurposes).where(eq(consentPurposes.key, key)).for('update');
      return row ?? null;
    },
    async savePurpose(purpose) {
      const { key, createdAt, ...rest } = purpose;
      const [row] = await db
        .insert(consentPurposes)
        .values(purpose)
        .onConflictDoUpdate({ target: consentPurposes.key, set: rest })
        .returning();
      await announced();
      return row!;
    },
  };
}
