import { asc, eq } from 'drizzle-orm';
import type { AttributeDefinition, AttributeType } from '../domain/catalog/attribute.js';
import type { CatalogStore } from '../domain/catalog/catalog-store.js';
import type { Db } from './database.js';
import { attributeDefinitions, consentPurposes } from './tables/index.js';

function toDefinition(row: typeof attributeDefinitions.$inferSelect): AttributeDefinition {
  return { ...row, type: row.type as AttributeType };
}

export function prepareCatalogReads(db: Db) {
  return {
    attributes: db.select().from(attributeDefinitions).orderBy(asc(attributeDefinitions.name)).prepare('kith_attribute_definitions'),
    purposes: db.select().from(consentPurposes).orderBy(asc(consentPurposes.key)).prepare('kith_consent_purposes'),
  };
}

export function createCatalogStore(db: Db, prepared?: ReturnType<typeof prepareCatalogReads>): CatalogStore {
  // Inside a transaction the statements are built on first use only.
  let prepared_ = prepared;
  const reads = () => (prepared_ ??= prepareCatalogReads(db));
  return {
    async listAttributes() {
      return (await reads().attributes.execute()).map(toDefinition);
    },
    async upsertAttribute(def) {
      const { name, createdAt, ...rest } = def;
      const [row] = await db
        .insert(attributeDefinitions)
        .values(def)
        .onConflictDoUpdate({ target: attributeDefinitions.name, set: rest })
        .returning();
      return toDefinition(row!);
    },
    async deleteAttribute(name) {
      const rows = await db.delete(attributeDefinitions).where(eq(attributeDefinitions.name, name)).returning();
      return rows.length > 0;
    },
    listPurposes: () => reads().purposes.execute(),
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
      return row!;
    },
  };
}
