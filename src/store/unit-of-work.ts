import type { Stores, UnitOfWork } from '../domain/stores.js';
import { createCatalogStore, prepareCatalogReads } from './catalog-store.js';
import { createConsentStore, prepareConsentReads } from './consent-store.js';
import { createCredentialStore } from './credential-store.js';
import { createCustomerStore, prepareCustomerReads } from './customer-store.js';
import type { Database, Db } from './database.js';
import { createEventStore } from './event-store.js';
import { createServiceClientStore, createStaffStore, preparePrincipalReads } from './principal-store.js';
import { createFactorStore } from './factor-store.js';
import { createPasskeyStore, createWebAuthnChallengeStore } from './passkey-store.js';
import { createScimUserStore } from './scim-store.js';
import { createSessionStore, prepareSessionReads } from './session-store.js';

function storesFor(db: Db, prepared?: ReturnType<typeof prepareReads>): Stores {
  return {
    customers: createCustomerStore(db, prepared?.customers),
    credentials: createCredentialStore(db),
    consents: createConsentStore(db, prepared?.consents),
    catalog: createCatalogStore(db, prepared?.catalog),
    events: createEventStore(db),
    sessions: createSessionStore(db, prepared?.sessions),
    staff: createStaffStore(db, prepared?.principals),
    clients: createServiceClientStore(db, prepared?.principals),
    factors: createFactorStore(db),
    passkeys: createPasskeyStore(db),
    webauthnChallenges: createWebAuthnChallengeStore(db),
    scimUsers: createScimUserStore(db),
  };
}

function prepareReads(db: Db) {
  return {
    customers: prepareCustomerReads(db),
    consents: prepareConsentReads(db),
    catalog: prepareCatalogReads(db),
    sessions: prepareSessionReads(db),
    principals: preparePrincipalReads(db),
  };
}

/** The stores over one database: prepared statements for reads, a fresh set bound to each transaction. */
export function createUnitOfWork(database: Database): UnitOfWork {
  const { db } = database;
  return {
    read: storesFor(db, prepareReads(db)),
    transaction: (work) => db.transaction((tx) => work(storesFor(tx as unknown as Db))),
  };
}
