import type { Stores, UnitOfWork } from '../domain/stores.js';
import { type CatalogCache, createCatalogStore, prepareCatalogReads } from './catalog-store.js';
import { createConsentStore, prepareConsentReads } from './consent-store.js';
import { createCredentialStore, prepareCredentialStatements } from './credential-store.js';
import { createCustomerStore, prepareCustomerReads } from './customer-store.js';
import type { Database, Db } from './database.js';
import { createEventStore } from './event-store.js';
import { createServiceClientStore, createStaffStore, preparePrincipalReads } from './principal-store.js';
import { createFactorStore } from './factor-store.js';
import { createPasskeyStore, createWebAuthnChallengeStore } from './passkey-store.js';
import { createPersonalDataStore } from './personal-data-store.js';
import { createScimUserStore } from './scim-store.js';
import { createSessionStore, prepareSessionReads } from './session-store.js';
import type { PrincipalWritten } from './principal-changes.js';

function storesFor(db: Db, prepared: ReturnType<typeof prepareReads> | undefined, announced: PrincipalWritten, catalogCache?: CatalogCache): Stores {
  const catalog = createCatalogStore(db, prepared?.catalog, announced, catalogCache);
  // Consents read with their customers take their purposes from the catalog (cached outside transactions).
  const uncachedCatalog = catalogCache ? createCatalogStore(db, prepared?.catalog) : catalog;
  const purposes = (fresh: boolean) => (fresh ? uncachedCatalog : catalog).listPurposes();
  return {
    customers: createCustomerStore(db, purposes, prepared?.customers, announced),
    credentials: createCredentialStore(db, prepared?.credentials),
    consents: createConsentStore(db, prepared?.consents),
    catalog,
    events: createEventStore(db),
    sessions: createSessionStore(db, prepared?.sessions, announced),
    staff: createStaffStore(db, prepared?.principals, announced),
    clients: createServiceClientStore(db, prepared?.principals, announced),
    factors: createFactorStore(db),
    passkeys: createPasskeyStore(db),
    webauthnChallenges: createWebAuthnChallengeStore(db),
    scimUsers: createScimUserStore(db),
    personalData: createPersonalDataStore(db, announced),
  };
}

function prepareReads(db: Db) {
  return {
    customers: prepareCustomerReads(db),
    consents: prepareConsentReads(db),
    catalog: prepareCatalogReads(db),
    sessions: prepareSessionReads(db),
    credentials: prepareCredentialStatements(db),
    principals: preparePrincipalReads(db),
  };
}

export interface UnitOfWorkOptions {
  /**
   * Awaited after a committed write that can end a token, before the caller hears it succeeded: it makes
   * every Kith process drop what it cached of that principal (PrincipalChangeFeed.settle).
   */
  settlePrincipalChanges?: () => Promise<void>;
  /** The process's catalog cache, used by reads outside transactions (src/store/catalog-store.ts). */
  catalogCache?: CatalogCache;
}

/** The stores over one database: prepared statements for reads, a fresh set bound to each transaction. */
export function createUnitOfWork(database: Database, options: UnitOfWorkOptions = {}): UnitOfWork {
  const { db } = database;
  const settle = options.settlePrincipalChanges ?? (async () => {});
  return {
    // Outside a transaction a write has committed when its statement returns.
    read: storesFor(db, prepareReads(db), settle, options.catalogCache),
    async transaction(work, options) {
      let announced = false;
      const result = await db.transaction(
        (tx) =>
          work(
            storesFor(tx as unknown as Db, undefined, () => {
              announced = true;
            }),
          ),
        options?.snapshot ? { isolationLevel: 'repeatable read' } : undefined,
      );
      if (announced) await settle();
      return result;
    },
  };
}
