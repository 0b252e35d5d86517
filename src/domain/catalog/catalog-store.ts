import type { ConsentPurpose } from '../consents/consent.js';
import type { AttributeDefinition } from './attribute.js';

/** Persistence of the attribute and purpose catalogs. */
export interface CatalogStore {
  /** Both catalogs in one read, for writes that check attributes and purposes together. */
  snapshot(): Promise<{ attributes: AttributeDefinition[]; purposes: ConsentPurpose[] }>;
  /** Every attribute definition, by name. */
  listAttributes(): Promise<AttributeDefinition[]>;
  /** Inserts or replaces a definition (createdAt is kept on replace). */
  upsertAttribute(def: AttributeDefinition): Promise<AttributeDefinition>;
  /** Deletes a definition; returns whether it existed. */
  deleteAttribute(name: string): Promise<boolean>;
  /** Every purpose, by key. */
  listPurposes(): Promise<ConsentPurpose[]>;
  /** The purpose with this key, locked until the transaction ends. */
  lockPurpose(key: string): Promise<ConsentPurpose | null>;
  /** Inserts or replaces a purpose as given. */
  savePurpose(purpose: ConsentPurpose): Promise<ConsentPurpose>;
}
